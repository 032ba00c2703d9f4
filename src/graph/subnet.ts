import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../util/index.js';
import {
  isElasticLayer,
  validateElasticSetting,
  type ElasticLayer,
  type ElasticSetting,
} from '../layers/core/index.js';
import { channelGraph, type ChannelSpace } from './channel_graph.js';
import { allLayers } from '../layers/core/index.js';

/** A sub-network: the active setting of each elastic layer, by layer name (plain JSON). */
export type SubnetConfig = Record<string, ElasticSetting>;

/** Allowed values per elastic layer, for {@link minSubnet}. */
export type SubnetChoices = Record<string, { outChannels?: number[]; kernelSize?: number[] }>;

/**
 * The model's elastic layers (every layer implementing the `ElasticLayer` protocol, nested
 * models included), in model order.
 *
 * @example
 * ```ts
 * const supernet = SuperMobileResnetGenerator({ ngf: 32 });
 * getElasticLayers(supernet).map((l) => l.name); // ['stem_conv', 'down1_conv', 'down2_conv', 'block1_conv1', …, 'head_conv']
 * ```
 */
export function getElasticLayers(model: tfl.LayersModel): (ElasticLayer & tfl.layers.Layer)[] {
  assertModel(model);
  return allLayers(model).filter((l): l is ElasticLayer & tfl.layers.Layer => isElasticLayer(l));
}

/**
 * The active sub-network: every elastic layer's setting.
 *
 * @example
 * ```ts
 * const supernet = SuperMobileResnetGenerator({ ngf: 32 });
 * const saved = getSubnet(supernet); // { stem_conv: { outChannels: 32, kernelSize: 7 }, down1_conv: …, … }
 * fs.writeFileSync('subnet.json', JSON.stringify(saved));
 * ```
 */
export function getSubnet(model: tfl.LayersModel): SubnetConfig {
  const config: SubnetConfig = {};
  for (const l of getElasticLayers(model)) config[l.name] = l.getActive();
  return config;
}

/**
 * Activates a sub-network. `config` names elastic layers and their settings; layers it does not
 * name, and fields a setting leaves out, keep their current value. The whole config is checked
 * before anything changes: an unknown layer name, a width that is 0, above the layer's maximum
 * or not an integer, a kernel size the layer does not offer, tied layers (whose outputs are
 * added) set to different widths, or a width that would change a model output's declared width
 * (a generator declared `[…, 3]` giving 2 channels) each raise a `ConfigError` naming the layer
 * and the value.
 *
 * @example
 * ```ts
 * const supernet = SuperMobileResnetGenerator({ ngf: 32 });
 * setSubnet(supernet, { stem_conv: { outChannels: 16 }, up1_convt: { outChannels: 32 } });
 * setSubnet(supernet, resnetConfigFromString('16_16_32_16_32_32_16_16')); // every layer at once
 * ```
 */
export function setSubnet(model: tfl.LayersModel, config: SubnetConfig): void {
  const next = checkSubnet(model, config);
  const layers = new Map(getElasticLayers(model).map((l) => [l.name, l]));
  for (const [name, setting] of next) layers.get(name)?.setActive(setting);
}

/**
 * The largest sub-network: every elastic layer at its full width and largest kernel. Tied layers
 * with different maximum widths get the smallest of them. Returns the config; activate it with
 * `setSubnet(model, maxSubnet(model))`.
 *
 * @example
 * ```ts
 * setSubnet(supernet, maxSubnet(supernet));
 * ```
 */
export function maxSubnet(model: tfl.LayersModel): SubnetConfig {
  const config: SubnetConfig = {};
  for (const l of getElasticLayers(model)) {
    const space = l.elasticSpace();
    const setting: ElasticSetting = {};
    if (space.maxOutChannels != null) setting.outChannels = space.maxOutChannels;
    if (space.kernelSizeChoices != null) setting.kernelSize = Math.max(...space.kernelSizeChoices);
    config[l.name] = setting;
  }
  resolveTies(model, config, new Map(), 'max');
  return config;
}

/**
 * The smallest sub-network allowed by `choices` (per layer: the widths and kernel sizes it may
 * take; the smallest is chosen). Layers absent from `choices` (or fields absent from their entry)
 * keep their full width — a layer knows only its maximum, not which narrower widths are
 * meaningful — and take the smallest kernel size they offer. Tied layers (residual adds) get one
 * width: the smallest allowed by every one of them. Returns the config; activate it with
 * `setSubnet`.
 *
 * @example
 * ```ts
 * const supernet = SuperMobileResnetGenerator({ ngf: 32 });
 * const smallest = minSubnet(supernet, {
 *   stem_conv: { outChannels: [8, 16, 24] },
 *   down2_conv: { outChannels: [64, 96, 128] }, // the residual stream: every block's conv2 is tied to it
 *   up1_convt: { outChannels: [16, 32] },
 * });
 * setSubnet(supernet, smallest); // stem_conv 8, down2_conv and the blocks' conv2 64, up1_convt 16, others full
 * ```
 */
export function minSubnet(model: tfl.LayersModel, choices: SubnetChoices): SubnetConfig {
  if (choices == null || typeof choices !== 'object' || Array.isArray(choices))
    throw new ConfigError(
      'choices',
      choices,
      'an object { [layerName]: { outChannels?: number[], kernelSize?: number[] } }',
    );
  const layers = new Map(getElasticLayers(model).map((l) => [l.name, l]));
  const allowed = new Map<string, number[]>();
  for (const [name, entry] of Object.entries(choices)) {
    const layer = layers.get(name);
    if (layer == null)
      throw new ConfigError(
        `choices.${name}`,
        entry,
        `the name of an elastic layer of the model (${describeValue([...layers.keys()])})`,
      );
    if (entry == null || typeof entry !== 'object')
      throw new ConfigError(`choices.${name}`, entry, '{ outChannels?: number[], kernelSize?: number[] }');
    for (const [field, values] of Object.entries(entry)) {
      if (field !== 'outChannels' && field !== 'kernelSize')
        throw new ConfigError(`choices.${name}.${field}`, values, 'no such field (outChannels, kernelSize)');
      if (!Array.isArray(values) || values.length === 0)
        throw new ConfigError(`choices.${name}.${field}`, values, 'a non-empty array');
      for (const v of values) validateElasticSetting(name, layer.elasticSpace(), { [field]: v }, layer.getActive());
    }
    if (entry.outChannels != null) allowed.set(name, entry.outChannels);
  }
  const config: SubnetConfig = {};
  for (const l of layers.values()) {
    const space = l.elasticSpace();
    const setting: ElasticSetting = {};
    if (space.maxOutChannels != null)
      setting.outChannels = Math.min(...(choices[l.name]?.outChannels ?? [space.maxOutChannels]));
    if (space.kernelSizeChoices != null)
      setting.kernelSize = Math.min(...(choices[l.name]?.kernelSize ?? space.kernelSizeChoices));
    config[l.name] = setting;
  }
  resolveTies(model, config, allowed, 'min');
  return config;
}

/**
 * Checks `config` as {@link setSubnet} does, without changing anything, and returns the complete
 * setting it asks for of each layer it names. Throws the `ConfigError` `setSubnet` would.
 *
 * @example
 * ```ts
 * checkSubnet(supernet, resnetConfigFromString('16_16_32_16_32_32_16_16')); // throws if the supernet refuses it
 * ```
 */
export function checkSubnet(model: tfl.LayersModel, config: SubnetConfig): Map<string, ElasticSetting> {
  const next = validateConfig(model, config);
  checkTies(model, next);
  return next;
}

/** Throws a `ConfigError` naming `model` unless it is a tfjs LayersModel. */
export function assertModel(model: unknown): asserts model is tfl.LayersModel {
  if (!(model instanceof tfl.LayersModel))
    throw new ConfigError('model', model, 'a tf.LayersModel (tf.model(...) or tf.sequential(...))');
}

/** Checks every entry of `config` against its layer; returns the complete settings it asks for. */
function validateConfig(model: tfl.LayersModel, config: SubnetConfig): Map<string, ElasticSetting> {
  if (config == null || typeof config !== 'object' || Array.isArray(config))
    throw new ConfigError('config', config, 'an object { [layerName]: { outChannels?, kernelSize? } }');
  const layers = new Map(getElasticLayers(model).map((l) => [l.name, l]));
  const next = new Map<string, ElasticSetting>();
  for (const [name, setting] of Object.entries(config)) {
    const layer = layers.get(name);
    if (layer == null) {
      throw new ConfigError(
        `config.${name}`,
        setting,
        `the name of an elastic layer of model '${model.name}': '${name}' is not one (elastic layers: ${describeValue([...layers.keys()])})`,
      );
    }
    next.set(name, validateElasticSetting(name, layer.elasticSpace(), setting, layer.getActive()));
  }
  return next;
}

interface WidthEntry {
  label: string;
  width: number | null;
  elastic: string | null;
  /** Why this entry's width binds the others (after "the width of <label>"). */
  reason: string;
}

const TIED = ': their output channels are tied (added together or merged), so the widths must be equal';

/**
 * What fixes the width of a space: elastic producers (at `settings`), static producers and fixed
 * origins, and layers reading it that run at one input width only.
 */
function widthEntries(space: ChannelSpace, settings: Map<string, ElasticSetting>): WidthEntry[] {
  const entries: WidthEntry[] = [];
  for (const p of space.producers) {
    if (isElasticLayer(p.layer) && p.layer.elasticSpace().maxOutChannels != null) {
      const width = settings.get(p.layer.name)?.outChannels ?? p.layer.getActive().outChannels ?? null;
      entries.push({ label: `'${p.layer.name}'`, width, elastic: p.layer.name, reason: TIED });
    }
  }
  for (const o of space.staticOrigins) entries.push({ label: o.label, width: o.width, elastic: null, reason: TIED });
  for (const d of space.demands) {
    entries.push({
      label: `the input of ${d.label}`,
      width: d.width,
      elastic: null,
      reason: ', which runs at that width only (it does not slice its input)',
    });
  }
  for (const o of space.outputs) {
    if (o.width == null) continue;
    entries.push({
      label: o.label,
      width: o.width,
      elastic: null,
      reason: ': a model output keeps the width the model declares for it',
    });
  }
  return entries;
}

/** Throws when channels that are tied (added), or read by a layer that needs one width, would get another width. */
function checkTies(model: tfl.LayersModel, next: Map<string, ElasticSetting>): void {
  const cg = channelGraph(model);
  const resolved = new Map<ChannelSpace, number | null>();
  const widthOf = (space: ChannelSpace): number | null => {
    if (resolved.has(space)) return resolved.get(space) ?? null;
    const entries = widthEntries(space, next);
    const link = space.parent;
    if (link != null) {
      const pw = widthOf(link.space);
      if (pw != null && (pw * link.multiplier) % link.divisor !== 0) {
        const blamed = widthEntries(link.space, next).find((e) => e.elastic != null && e.width === pw);
        if (blamed != null)
          throw new ConfigError(
            `${blamed.elastic}.outChannels`,
            pw,
            `a multiple of ${link.divisor}: layer '${link.layer}' combines its input channels in groups of ${link.divisor}`,
          );
      }
      const label =
        link.divisor === 1
          ? 'its depthwise input'
          : `the output of layer '${link.layer}' (its input width / ${link.divisor})`;
      entries.push({
        label,
        width: pw == null ? null : (pw * link.multiplier) / link.divisor,
        elastic: null,
        reason: TIED,
      });
    }
    const known = entries.filter((e) => e.width != null);
    for (const e of known) {
      const other = known.find((o) => o.width !== e.width);
      if (other == null) continue;
      const blamed = e.elastic != null ? e : other.elastic != null ? other : e;
      const against = blamed === e ? other : e;
      throw new ConfigError(
        `${blamed.elastic ?? blamed.label}.outChannels`,
        blamed.width,
        `${against.width}, the width of ${against.label}${against.reason}`,
      );
    }
    const w = known[0]?.width ?? null;
    resolved.set(space, w);
    return w;
  };
  for (const s of cg.spaces) widthOf(s);
}

/**
 * Gives tied elastic producers one width: the width fixed by a static origin, a layer that reads
 * the channels at one width only, or the space they derive from; else the min/max every member
 * allows (a multiple of the divisor of any layer that combines the channels in groups).
 */
function resolveTies(
  model: tfl.LayersModel,
  config: SubnetConfig,
  allowed: Map<string, number[]>,
  mode: 'min' | 'max',
): void {
  const cg = channelGraph(model);
  const resolved = new Map<ChannelSpace, number | null>();
  const widthOf = (space: ChannelSpace): number | null => {
    if (resolved.has(space)) return resolved.get(space) ?? null;
    const elastic = space.producers
      .map((p) => p.layer)
      .filter(
        (l): l is ElasticLayer & tfl.layers.Layer => isElasticLayer(l) && l.elasticSpace().maxOutChannels != null,
      );
    const link = space.parent;
    const pw = link == null ? null : widthOf(link.space);
    const origins = [
      ...space.staticOrigins.filter((o) => o.width != null),
      ...space.demands.map((d) => ({ label: `the input of ${d.label}`, width: d.width })),
      ...space.outputs.filter((o) => o.width != null),
      ...(link == null || pw == null
        ? []
        : [{ label: `the output of layer '${link.layer}'`, width: (pw * link.multiplier) / link.divisor }]),
    ];
    const origin = origins[0];
    const fixed = origin?.width ?? null;
    const divisors = space.derived.filter((d) => d.divisor > 1);
    let width: number | null = fixed;
    if (elastic.length === 1 && origin == null && divisors.length === 0) {
      width = (config[elastic[0]?.name as string] as ElasticSetting).outChannels ?? null;
    } else if (elastic.length > 0) {
      let candidates: number[] | null = fixed == null ? null : [fixed];
      for (const l of elastic) {
        const max = l.elasticSpace().maxOutChannels as number;
        const own = allowed.get(l.name) ?? null;
        const base = candidates ?? own ?? Array.from({ length: max }, (_, i) => i + 1);
        candidates = base.filter(
          (w) =>
            w <= max && (own == null || own.includes(w)) && divisors.every((d) => (w * d.multiplier) % d.divisor === 0),
        );
      }
      if (candidates == null || candidates.length === 0) {
        const names = elastic.map((l) => `'${l.name}'`).join(', ');
        throw new ConfigError(
          'choices',
          elastic.map((l) => l.name),
          `widths that ${elastic.length > 1 ? `tied layers ${names}` : `layer ${names}`}${fixed == null ? '' : ` (fixed at ${fixed} by ${origin?.label})`} ${elastic.length > 1 ? 'all allow' : 'allows'}`,
        );
      }
      width = mode === 'min' ? Math.min(...candidates) : Math.max(...candidates);
      for (const l of elastic) (config[l.name] as ElasticSetting).outChannels = width;
    }
    resolved.set(space, width);
    return width;
  };
  for (const space of cg.spaces) widthOf(space);
}
