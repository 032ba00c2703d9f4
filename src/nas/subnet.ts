import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { isElasticLayer, validateElasticSetting, type ElasticLayer, type ElasticSetting } from '../layers/elastic/elastic_layer.js';
import { channelGraph, type ChannelSpace } from './channel_graph.js';
import { allLayers } from './flat_graph.js';

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
 * getElasticLayers(supernet).map((l) => l.name); // ['stem', 'down1', 'block1_conv1', ...]
 * ```
 */
export function getElasticLayers(model: tfl.LayersModel): (ElasticLayer & tfl.layers.Layer)[] {
  return allLayers(model).filter((l): l is ElasticLayer & tfl.layers.Layer => isElasticLayer(l));
}

/**
 * The active sub-network: every elastic layer's setting.
 *
 * @example
 * ```ts
 * const saved = getSubnet(supernet);            // { stem: { outChannels: 16, kernelSize: 7 }, ... }
 * localStorage.setItem('subnet', JSON.stringify(saved));
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
 * or not an integer, a kernel size the layer does not offer, or tied layers (whose outputs are
 * added) set to different widths each raise a `ConfigError` naming the layer and the value.
 *
 * @example
 * ```ts
 * setSubnet(supernet, { stem: { outChannels: 16, kernelSize: 5 }, up1: { outChannels: 32 } });
 * ```
 */
export function setSubnet(model: tfl.LayersModel, config: SubnetConfig): void {
  const next = validateConfig(model, config);
  checkTies(model, next);
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
 * const smallest = minSubnet(supernet, { stem: { outChannels: [8, 16, 24] }, up1: { outChannels: [16, 32] } });
 * setSubnet(supernet, smallest);
 * ```
 */
export function minSubnet(model: tfl.LayersModel, choices: SubnetChoices): SubnetConfig {
  if (choices == null || typeof choices !== 'object' || Array.isArray(choices)) throw new ConfigError('choices', choices, 'an object { [layerName]: { outChannels?: number[], kernelSize?: number[] } }');
  const layers = new Map(getElasticLayers(model).map((l) => [l.name, l]));
  const allowed = new Map<string, number[]>();
  for (const [name, entry] of Object.entries(choices)) {
    const layer = layers.get(name);
    if (layer == null) throw new ConfigError(`choices.${name}`, entry, `the name of an elastic layer of the model (${describeValue([...layers.keys()])})`);
    if (entry == null || typeof entry !== 'object') throw new ConfigError(`choices.${name}`, entry, '{ outChannels?: number[], kernelSize?: number[] }');
    for (const [field, values] of Object.entries(entry)) {
      if (field !== 'outChannels' && field !== 'kernelSize') throw new ConfigError(`choices.${name}.${field}`, values, 'no such field (outChannels, kernelSize)');
      if (!Array.isArray(values) || values.length === 0) throw new ConfigError(`choices.${name}.${field}`, values, 'a non-empty array');
      for (const v of values) validateElasticSetting(name, layer.elasticSpace(), { [field]: v }, layer.getActive());
    }
    if (entry.outChannels != null) allowed.set(name, entry.outChannels);
  }
  const config: SubnetConfig = {};
  for (const l of layers.values()) {
    const space = l.elasticSpace();
    const setting: ElasticSetting = {};
    if (space.maxOutChannels != null) setting.outChannels = Math.min(...(choices[l.name]?.outChannels ?? [space.maxOutChannels]));
    if (space.kernelSizeChoices != null) setting.kernelSize = Math.min(...(choices[l.name]?.kernelSize ?? space.kernelSizeChoices));
    config[l.name] = setting;
  }
  resolveTies(model, config, allowed, 'min');
  return config;
}

/** Checks every entry of `config` against its layer; returns the complete settings it asks for. */
function validateConfig(model: tfl.LayersModel, config: SubnetConfig): Map<string, ElasticSetting> {
  if (config == null || typeof config !== 'object' || Array.isArray(config)) throw new ConfigError('config', config, 'an object { [layerName]: { outChannels?, kernelSize? } }');
  const layers = new Map(getElasticLayers(model).map((l) => [l.name, l]));
  const next = new Map<string, ElasticSetting>();
  for (const [name, setting] of Object.entries(config)) {
    const layer = layers.get(name);
    if (layer == null) {
      throw new ConfigError(`config.${name}`, setting, `the name of an elastic layer of model '${model.name}': '${name}' is not one (elastic layers: ${describeValue([...layers.keys()])})`);
    }
    next.set(name, validateElasticSetting(name, layer.elasticSpace(), setting, layer.getActive()));
  }
  return next;
}

interface WidthEntry {
  label: string;
  width: number | null;
  elastic: string | null;
}

/** What writes the channels of a space: elastic producers (at `settings`), static producers, fixed origins. */
function widthEntries(space: ChannelSpace, settings: Map<string, ElasticSetting>): WidthEntry[] {
  const entries: WidthEntry[] = [];
  for (const p of space.producers) {
    if (isElasticLayer(p.layer) && p.layer.elasticSpace().maxOutChannels != null) {
      const width = settings.get(p.layer.name)?.outChannels ?? p.layer.getActive().outChannels ?? null;
      entries.push({ label: `'${p.layer.name}'`, width, elastic: p.layer.name });
    }
  }
  for (const o of space.staticOrigins) entries.push({ label: o.label, width: o.width, elastic: null });
  return entries;
}

/** Throws when channels that are tied (added) would get different widths. */
function checkTies(model: tfl.LayersModel, next: Map<string, ElasticSetting>): void {
  const cg = channelGraph(model);
  const resolved = new Map<ChannelSpace, number | null>();
  const widthOf = (space: ChannelSpace): number | null => {
    if (resolved.has(space)) return resolved.get(space) ?? null;
    const entries = widthEntries(space, next);
    if (space.parent != null) {
      const pw = widthOf(space.parent.space);
      entries.push({ label: 'its depthwise input', width: pw == null ? null : pw * space.parent.multiplier, elastic: null });
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
        `${against.width}, the width of ${against.label}: their output channels are tied (added together or merged), so the widths must be equal`,
      );
    }
    const w = known[0]?.width ?? null;
    resolved.set(space, w);
    return w;
  };
  for (const s of cg.spaces) widthOf(s);
}

/** Gives tied elastic producers one width: fixed by a static origin, else the min/max every member allows. */
function resolveTies(model: tfl.LayersModel, config: SubnetConfig, allowed: Map<string, number[]>, mode: 'min' | 'max'): void {
  const cg = channelGraph(model);
  for (const space of cg.spaces) {
    const elastic = space.producers.map((p) => p.layer).filter((l): l is ElasticLayer & tfl.layers.Layer => isElasticLayer(l) && l.elasticSpace().maxOutChannels != null);
    if (elastic.length === 0 || (elastic.length === 1 && space.staticOrigins.length === 0 && space.parent == null)) continue;
    const fixed = space.staticOrigins.find((o) => o.width != null)?.width ?? null;
    let candidates: number[] | null = fixed == null ? null : [fixed];
    for (const l of elastic) {
      const max = l.elasticSpace().maxOutChannels as number;
      const own = allowed.get(l.name) ?? null;
      const base = candidates ?? own ?? Array.from({ length: max }, (_, i) => i + 1);
      candidates = base.filter((w) => w <= max && (own == null || own.includes(w)));
    }
    if (candidates == null || candidates.length === 0) {
      throw new ConfigError('choices', elastic.map((l) => l.name), `widths that tied layers ${elastic.map((l) => `'${l.name}'`).join(', ')}${fixed == null ? '' : ` (fixed at ${fixed} by ${space.staticOrigins[0]?.label})`} all allow`);
    }
    const width = mode === 'min' ? Math.min(...candidates) : Math.max(...candidates);
    for (const l of elastic) (config[l.name] as ElasticSetting).outChannels = width;
  }
}
