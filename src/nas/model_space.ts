import type * as tfl from '@tensorflow/tfjs-layers';
import { channelGraph, getElasticLayers, maxSubnet, type ChannelSpace, type SubnetConfig } from '../graph/index.js';
import { ConfigError, describeValue } from '../util/index.js';
import type { SearchDimension, SettingField, SpaceParts } from './search_dimension.js';

/** What a width dimension of {@link SearchSpace.fromModel} looks like, for a choices function. */
export interface WidthDimensionInfo {
  /** The dimension's name: its first layer (in model order). */
  name: string;
  /** The elastic layers whose output width it sets (tied layers, model order). */
  layers: readonly string[];
  /** The largest width every one of them allows. */
  max: number;
  /** Whether a width is valid for the layers reading these channels (e.g. a multiple of 4 before an IDWT). */
  allows(width: number): boolean;
}

/**
 * The width choices of {@link SearchSpace.fromModel}: multiples of a step up to each dimension's
 * maximum (and the maximum itself), ratios of the maximum (Anycost GAN, Slimmable networks:
 * `round(ratio · max)`, moved to the nearest width the layers allow; repeats dropped), or a
 * function of the dimension.
 */
export type WidthChoices =
  { multipleOf: number } | { ratios: readonly number[] } | ((dimension: WidthDimensionInfo) => readonly number[]);

/** Options of {@link SearchSpace.fromModel}. */
export interface FromModelOptions {
  /** Width choices. Default `{ multipleOf: 8 }` (GAN Compression's candidate lists are all multiples of 8). */
  choices?: WidthChoices;
  /** Give each kernel-elastic layer a dimension of its kernel sizes (named `<layer>.kernelSize`). Default true. */
  kernelSizes?: boolean;
  /**
   * Further ties, by layer name: the width dimensions of the layers of one group become one (GAN
   * Compression ties the hidden widths of each group of three residual blocks).
   */
  groups?: readonly (readonly string[])[];
}

interface RawDim {
  layers: string[];
  spaces: ChannelSpace[];
  max: number;
}

/** Dimensions and fixed settings of `model`'s space (the body of `SearchSpace.fromModel`). */
export function modelSpaceParts(model: tfl.LayersModel, options: FromModelOptions): SpaceParts {
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, '{ choices?, kernelSizes?, groups? }');
  const known = new Set(['choices', 'kernelSizes', 'groups']);
  for (const k of Object.keys(options))
    if (!known.has(k)) throw new ConfigError(`options.${k}`, (options as Record<string, unknown>)[k], 'no such option');
  const choices = options.choices ?? { multipleOf: 8 };
  const kernelSizes = options.kernelSizes ?? true;
  if (typeof kernelSizes !== 'boolean') throw new ConfigError('options.kernelSizes', kernelSizes, 'true or false');

  const cg = channelGraph(model);
  const elastic = getElasticLayers(model);
  const order = new Map(elastic.map((l, i) => [l.name, i]));
  const outputSpaces = new Set(cg.graph.outputs.map((r) => cg.spaceOf(r)));
  const free = (s: ChannelSpace): boolean =>
    s.staticOrigins.length === 0 &&
    s.demands.length === 0 &&
    !outputSpaces.has(s) &&
    s.derived.every((d) => free(d.space));

  let raw: RawDim[] = [];
  for (const s of cg.spaces) {
    if (s.parent != null || !free(s)) continue;
    const producers = s.producers.map((p) => elastic.find((l) => l === p.layer));
    if (producers.length === 0 || producers.some((l) => l?.elasticSpace().maxOutChannels == null)) continue;
    const layers = producers.map((l) => l?.name as string).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    const max = Math.min(...producers.map((l) => l?.elasticSpace().maxOutChannels as number));
    raw.push({ layers, spaces: [s], max });
  }
  raw = mergeGroups(raw, options.groups, order);

  const dimensions: SearchDimension[] = [];
  for (const r of raw) {
    const info: WidthDimensionInfo = {
      name: r.layers[0] as string,
      layers: r.layers,
      max: r.max,
      allows: (w) => r.spaces.every((s) => allowsWidth(s, w)),
    };
    const values = widthChoices(info, choices);
    if (values.length > 1)
      dimensions.push({
        name: info.name,
        choices: values,
        targets: r.layers.map((layer) => ({ layer, field: 'outChannels' as const, scale: 1 })),
      });
  }
  if (kernelSizes) {
    for (const l of elastic) {
      const ks = l.elasticSpace().kernelSizeChoices;
      if (ks != null && ks.length > 1)
        dimensions.push({
          name: `${l.name}.kernelSize`,
          choices: [...ks],
          targets: [{ layer: l.name, field: 'kernelSize', scale: 1 }],
        });
    }
  }
  const targeted = new Set(dimensions.flatMap((d) => d.targets.map((t) => `${t.layer}.${t.field}`)));
  const fixed: SubnetConfig = {};
  for (const [layer, setting] of Object.entries(maxSubnet(model))) {
    for (const [field, value] of Object.entries(setting) as [string, number | undefined][]) {
      if (targeted.has(`${layer}.${field}`) || value == null) continue;
      (fixed[layer] ??= {})[field as SettingField] = value;
    }
  }
  return { dimensions, fixed };
}

/** Whether channels of `space` can be `width` wide given the layers that group them (recursively). */
function allowsWidth(space: ChannelSpace, width: number): boolean {
  return space.derived.every(
    (d) => (width * d.multiplier) % d.divisor === 0 && allowsWidth(d.space, (width * d.multiplier) / d.divisor),
  );
}

function mergeGroups(raw: RawDim[], groups: FromModelOptions['groups'], order: Map<string, number>): RawDim[] {
  if (groups === undefined) return raw;
  const list: unknown = groups;
  if (!Array.isArray(list)) throw new ConfigError('options.groups', groups, 'an array of arrays of layer names');
  const dims = raw.map((r) => ({ ...r, layers: [...r.layers], spaces: [...r.spaces] }));
  const alive = dims.map(() => true);
  (list as unknown[]).forEach((group, g) => {
    if (!Array.isArray(group) || group.length === 0)
      throw new ConfigError(`options.groups[${g}]`, group, 'a non-empty array of layer names');
    const members = (group as unknown[]).map((name, k) => {
      const i = dims.findIndex((d, j) => alive[j] === true && d.layers.includes(name as string));
      if (i < 0)
        throw new ConfigError(
          `options.groups[${g}][${k}]`,
          name,
          `a layer with a free width in the model (${describeValue(dims.filter((_, j) => alive[j]).flatMap((d) => d.layers))})`,
        );
      return i;
    });
    const [first, ...rest] = [...new Set(members)].sort((a, b) => a - b) as [number, ...number[]];
    const target = dims[first] as RawDim;
    for (const i of rest) {
      const d = dims[i] as RawDim;
      target.layers.push(...d.layers);
      target.spaces.push(...d.spaces);
      target.max = Math.min(target.max, d.max);
      alive[i] = false;
    }
    target.layers.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  });
  return dims.filter((_, i) => alive[i]);
}

function widthChoices(info: WidthDimensionInfo, choices: WidthChoices): number[] {
  const valid = Array.from({ length: info.max }, (_, i) => i + 1).filter((w) => info.allows(w));
  if (typeof choices === 'function') {
    const values: unknown = choices(info);
    const at = `options.choices (for dimension '${info.name}')`;
    if (!Array.isArray(values) || values.length === 0)
      throw new ConfigError(at, values, `a non-empty array of widths in [1, ${info.max}]`);
    for (const v of values)
      if (!valid.includes(v as number))
        throw new ConfigError(
          at,
          values,
          `widths in [1, ${info.max}] that the layers allow (${describeValue(v)} is not one; allowed: ${describeValue(valid)})`,
        );
    return [...new Set(values as number[])].sort((a, b) => a - b);
  }
  if (choices != null && typeof choices === 'object' && 'multipleOf' in choices) {
    const m = choices.multipleOf;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1)
      throw new ConfigError('options.choices.multipleOf', m, 'a positive integer');
    return valid.filter((w) => w % m === 0 || w === info.max);
  }
  if (choices != null && typeof choices === 'object' && 'ratios' in choices) {
    const ratios = choices.ratios;
    if (!Array.isArray(ratios) || ratios.length === 0 || !ratios.every((r) => typeof r === 'number' && r > 0 && r <= 1))
      throw new ConfigError('options.choices.ratios', ratios, 'a non-empty array of numbers in (0, 1]');
    const widths = ratios.map((r) => nearest(valid, Math.round(r * info.max)));
    return [...new Set(widths)].sort((a, b) => a - b);
  }
  throw new ConfigError(
    'options.choices',
    choices,
    '{ multipleOf: number }, { ratios: number[] } or a function (dimension) => widths',
  );
}

/** The value of `sorted` nearest to `x` (the larger on a tie). */
export function nearest(sorted: readonly number[], x: number): number {
  let best = sorted[0] as number;
  for (const v of sorted) if (Math.abs(v - x) <= Math.abs(best - x)) best = v;
  return best;
}
