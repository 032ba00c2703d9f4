import type * as tfl from '@tensorflow/tfjs-layers';
import { maxSubnet, type SubnetConfig } from '../graph/index.js';
import { ConfigError, GanCompressError, describeValue } from '../util/index.js';
import type { DimensionTarget, SearchDimension, SettingField, SpaceParts } from './search_dimension.js';

/** Options of {@link SearchSpace.fromConfigStrings}. */
export interface FromConfigStringsOptions {
  /**
   * The supernet the strings configure: the space is checked against it (`space.check`), and its
   * elastic settings the strings do not mention (kernel sizes) are fixed at their maximum, so that
   * `space.encode(getSubnet(model))` works.
   */
  model?: tfl.LayersModel;
}

type Flat = Map<string, number>;

/** `Array.isArray` without widening a readonly array to `any[]`. */
const isArray = (x: unknown): x is readonly unknown[] => Array.isArray(x);

function flatten(config: SubnetConfig, configString: string): Flat {
  if (config == null || typeof config !== 'object')
    throw new ConfigError(`decodeString('${configString}')`, config, 'a sub-network config');
  const out: Flat = new Map();
  for (const [layer, setting] of Object.entries(config))
    for (const [field, value] of Object.entries(setting ?? {}))
      if (typeof value === 'number') out.set(`${layer}\u0000${field}`, value);
  return out;
}

/**
 * Dimensions `c0…c{n-1}` of GAN Compression's config strings, read off the model's codec: each
 * position is varied alone from the all-largest string, and the settings that follow it (linearly,
 * `setting = scale · value`) become its targets; settings no position moves are fixed.
 */
export function configStringParts(
  lists: readonly (readonly number[])[],
  decodeString: (configString: string) => SubnetConfig,
  options: FromConfigStringsOptions,
): SpaceParts {
  if (!isArray(lists) || lists.length === 0)
    throw new ConfigError('lists', lists, 'one array of candidate values per position of the config string');
  lists.forEach((list: unknown, p) => {
    if (
      !isArray(list) ||
      list.length === 0 ||
      !list.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 1) ||
      new Set(list).size !== list.length
    )
      throw new ConfigError(`lists[${p}]`, list, 'a non-empty array of distinct positive integers');
  });
  if (typeof decodeString !== 'function')
    throw new ConfigError('decodeString', decodeString, 'a function (configString) => SubnetConfig');
  if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ model? }');

  const decode = (values: number[]): Flat => {
    const s = values.join('_');
    try {
      return flatten(decodeString(s), s);
    } catch (e) {
      if (e instanceof GanCompressError) e.message = `decodeString('${s}'): ${e.message}`;
      throw e;
    }
  };
  const maxes = lists.map((l) => Math.max(...l));
  const base = decode(maxes);
  const owner = new Map<string, { position: number; scale: number }>();
  lists.forEach((list, p) => {
    for (const v of list) {
      if (v === maxes[p]) continue;
      const values = [...maxes];
      values[p] = v;
      const probe = decode(values);
      for (const key of new Set([...base.keys(), ...probe.keys()])) {
        const b = base.get(key);
        const x = probe.get(key);
        if (b === x) continue;
        const setting = key.replace('\u0000', '.');
        const scale = b == null ? NaN : b / (maxes[p] as number);
        const prior = owner.get(key);
        if (x == null || b == null || !Number.isInteger(scale) || x !== scale * v || (prior && prior.position !== p))
          throw new ConfigError(
            'decodeString',
            decodeString,
            `a codec in which each setting is one position times a constant ('${setting}' is ${describeValue(b)} at ` +
              `'${maxes.join('_')}' and ${describeValue(x)} at '${values.join('_')}'${prior && prior.position !== p ? `, and also moves with position ${prior.position}` : ''})`,
          );
        owner.set(key, { position: p, scale });
      }
    }
  });
  const dimensions: SearchDimension[] = lists.map((list, p) => ({
    name: `c${p}`,
    choices: [...list].sort((a, b) => a - b),
    targets: [...owner.entries()]
      .filter(([, o]) => o.position === p)
      .map(([key, o]): DimensionTarget => {
        const [layer, field] = key.split('\u0000') as [string, SettingField];
        return { layer, field, scale: o.scale };
      }),
  }));
  const fixed: SubnetConfig = {};
  for (const [key, value] of base) {
    if (owner.has(key)) continue;
    const [layer, field] = key.split('\u0000') as [string, SettingField];
    (fixed[layer] ??= {})[field] = value;
  }
  if (options.model != null) {
    for (const [layer, setting] of Object.entries(maxSubnet(options.model)))
      for (const [field, value] of Object.entries(setting) as [string, number | undefined][])
        if (value != null && !owner.has(`${layer}\u0000${field}`) && fixed[layer]?.[field as SettingField] == null)
          (fixed[layer] ??= {})[field as SettingField] = value;
  }
  // The smallest string decodes, through the dimensions, to what the codec gives.
  const mins = lists.map((l) => Math.min(...l));
  const expected = decode(mins);
  for (const [key, value] of expected) {
    const o = owner.get(key);
    const [layer, field] = key.split('\u0000') as [string, SettingField];
    const got = o == null ? fixed[layer]?.[field] : (mins[o.position] as number) * o.scale;
    if (got !== value)
      throw new ConfigError(
        'decodeString',
        decodeString,
        `a codec in which each setting is one position times a constant ('${layer}.${field}' is ${value} at '${mins.join('_')}', not ${describeValue(got)})`,
      );
  }
  return { dimensions, fixed };
}
