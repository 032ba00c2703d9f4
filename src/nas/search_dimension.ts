import type { SubnetConfig } from '../graph/index.js';
import { ConfigError, describeValue } from '../util/index.js';

/** The field of an elastic layer's setting a search dimension sets. */
export type SettingField = 'outChannels' | 'kernelSize';

/** One layer setting a {@link SearchDimension} controls: `config[layer][field] = value × scale`. */
export interface DimensionTarget {
  layer: string;
  field: SettingField;
  /**
   * Factor from the dimension's value to the setting: 1 for a layer's own width, 4 for GAN
   * Compression's residual stream `4·c2`.
   */
  scale: number;
}

/**
 * A named dimension of a {@link SearchSpace}: a finite list of values, each setting one or more
 * layer fields (tied layers are one dimension, so they can never disagree).
 *
 * @example
 * ```ts
 * const residual: SearchDimension = {
 *   name: 'down2_conv',
 *   choices: [16, 32, 48, 64],
 *   targets: [
 *     { layer: 'down2_conv', field: 'outChannels', scale: 1 },
 *     { layer: 'block1_conv2', field: 'outChannels', scale: 1 },
 *   ],
 * };
 * ```
 */
export interface SearchDimension {
  name: string;
  /** Allowed values, ascending, distinct positive integers. */
  choices: readonly number[];
  /** The layer settings the value sets (may be empty for a position of a config string the model ignores). */
  targets: readonly DimensionTarget[];
}

/** Dimensions and the settings that stay fixed, as a search space is built from. */
export interface SpaceParts {
  dimensions: SearchDimension[];
  fixed: SubnetConfig;
}

const FIELDS: readonly SettingField[] = ['outChannels', 'kernelSize'];

/** Checks and copies one dimension (choices sorted ascending); `at` names it in errors. */
export function checkDimension(dim: unknown, at: string): SearchDimension {
  if (dim == null || typeof dim !== 'object')
    throw new ConfigError(at, dim, '{ name: string, choices: number[], targets: DimensionTarget[] }');
  const { name, choices, targets } = dim as Record<string, unknown>;
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError(`${at}.name`, name, 'a non-empty string');
  if (
    !Array.isArray(choices) ||
    choices.length === 0 ||
    !choices.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 1)
  )
    throw new ConfigError(`${at}.choices`, choices, `a non-empty array of positive integers (dimension '${name}')`);
  const sorted = [...(choices as number[])].sort((a, b) => a - b);
  const repeated = sorted.find((c, i) => i > 0 && sorted[i - 1] === c);
  if (repeated !== undefined)
    throw new ConfigError(`${at}.choices`, choices, `distinct values (dimension '${name}' lists ${repeated} twice)`);
  if (!Array.isArray(targets)) throw new ConfigError(`${at}.targets`, targets, 'an array of { layer, field, scale }');
  const checked = targets.map((t: unknown, i): DimensionTarget => {
    const where = `${at}.targets[${i}]`;
    if (t == null || typeof t !== 'object') throw new ConfigError(where, t, '{ layer, field, scale }');
    const { layer, field, scale } = t as Record<string, unknown>;
    if (typeof layer !== 'string' || layer.length === 0)
      throw new ConfigError(`${where}.layer`, layer, 'a layer name (non-empty string)');
    if (!FIELDS.includes(field as SettingField))
      throw new ConfigError(`${where}.field`, field, `one of ${FIELDS.map((f) => `'${f}'`).join(', ')}`);
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 1)
      throw new ConfigError(`${where}.scale`, scale, 'a positive integer');
    return { layer, field: field as SettingField, scale };
  });
  return { name, choices: sorted, targets: checked };
}

/** Checks a fixed sub-network config (plain settings of positive integers) and copies it. */
export function checkFixed(fixed: unknown, at: string): SubnetConfig {
  if (fixed == null || typeof fixed !== 'object' || Array.isArray(fixed))
    throw new ConfigError(at, fixed, 'a sub-network config { [layerName]: { outChannels?, kernelSize? } }');
  const out: SubnetConfig = {};
  for (const [layer, setting] of Object.entries(fixed as Record<string, unknown>)) {
    if (setting == null || typeof setting !== 'object' || Array.isArray(setting))
      throw new ConfigError(`${at}.${layer}`, setting, '{ outChannels?, kernelSize? }');
    const copy: Record<string, number> = {};
    for (const [field, v] of Object.entries(setting as Record<string, unknown>)) {
      if (!FIELDS.includes(field as SettingField))
        throw new ConfigError(`${at}.${layer}.${field}`, v, `no such field (${FIELDS.join(', ')})`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
        throw new ConfigError(`${at}.${layer}.${field}`, v, 'a positive integer');
      copy[field] = v;
    }
    out[layer] = copy;
  }
  return out;
}

/** `'layer.field'`, the name of a setting in messages. */
export const settingName = (layer: string, field: string): string => `${layer}.${field}`;

/** A list of values for messages: `[8,16,24]`. */
export const listOf = (values: readonly unknown[]): string => describeValue(values);
