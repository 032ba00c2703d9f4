import { ConfigError, describeValue } from '../../util/index.js';

/**
 * The active setting of one elastic layer, the value type of a sub-network config
 * (`{ [layerName]: ElasticSetting }`). Omitted fields keep their current value.
 */
export interface ElasticSetting {
  /** Active output width: the first `outChannels` filters run. */
  outChannels?: number;
  /** Active kernel size (centre crop of the full kernel plus the learned transforms). */
  kernelSize?: number;
}

/** What an elastic layer can be set to. */
export interface ElasticSpace {
  /** Maximum output width, when the output width is elastic (absent when it follows the input). */
  maxOutChannels?: number;
  /** Kernel sizes offered, ascending, when the kernel size is elastic. */
  kernelSizeChoices?: readonly number[];
}

/**
 * The protocol every elastic layer implements — the library's own and any other (e.g. elastic
 * modulated convs): it owns full-size weights and, at call time, runs the slice chosen by its
 * active setting; the input width always comes from the incoming tensor. The sub-network API
 * (`getElasticLayers`, `setSubnet`, `getSubnet`, `maxSubnet`, `minSubnet`) finds layers by this
 * protocol, never by class.
 *
 * @example
 * ```ts
 * if (isElasticLayer(layer)) {
 *   const { maxOutChannels } = layer.elasticSpace();
 *   layer.setActive({ outChannels: Math.ceil((maxOutChannels ?? 1) / 2) });
 * }
 * ```
 */
export interface ElasticLayer {
  /** The layer name (the key of the layer's entry in a sub-network config). */
  readonly name: string;
  /** What the layer can be set to. */
  elasticSpace(): ElasticSpace;
  /** The active setting (every field the layer's space has). */
  getActive(): ElasticSetting;
  /**
   * Changes the active setting; fields left out keep their value. Throws a `ConfigError` naming
   * the layer and the value when the setting is not in the layer's space (see
   * {@link validateElasticSetting}).
   */
  setActive(setting: ElasticSetting): void;
}

/**
 * True when `layer` implements {@link ElasticLayer}.
 *
 * @example
 * ```ts
 * const elastic = model.layers.filter(isElasticLayer);
 * ```
 */
export function isElasticLayer(layer: unknown): layer is ElasticLayer {
  const l = layer as Partial<ElasticLayer> | null;
  return (
    typeof l?.setActive === 'function' && typeof l.getActive === 'function' && typeof l.elasticSpace === 'function'
  );
}

const SETTING_KEYS = ['outChannels', 'kernelSize'];

/**
 * Checks `setting` against `space` for the layer called `layerName` and returns the complete
 * setting it asks for (current values filled in from `current`). Errors name the layer, the
 * field and the value: an unknown field, a width that is not an integer in `[1, max]`, a width
 * on a layer whose width follows its input, a kernel size not offered.
 *
 * @example
 * ```ts
 * // what an ElasticLayer's setActive does first
 * const space: ElasticSpace = { maxOutChannels: 32, kernelSizeChoices: [3, 5, 7] };
 * const next = validateElasticSetting('conv1', space, { outChannels: 16 }, { outChannels: 32, kernelSize: 7 });
 * console.log(next); // { outChannels: 16, kernelSize: 7 }; { outChannels: 40 } throws a ConfigError naming conv1.outChannels
 * ```
 */
export function validateElasticSetting(
  layerName: string,
  space: ElasticSpace,
  setting: unknown,
  current: ElasticSetting,
): ElasticSetting {
  if (setting == null || typeof setting !== 'object' || Array.isArray(setting)) {
    throw new ConfigError(layerName, setting, 'a setting object { outChannels?, kernelSize? }');
  }
  const s = setting as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!SETTING_KEYS.includes(key))
      throw new ConfigError(`${layerName}.${key}`, s[key], `no such field (a setting has ${SETTING_KEYS.join(', ')})`);
  }
  const next: ElasticSetting = { ...current };
  if (s['outChannels'] !== undefined) {
    const v = s['outChannels'];
    if (space.maxOutChannels == null) {
      throw new ConfigError(
        `${layerName}.outChannels`,
        v,
        'nothing: this layer has no elastic output width (it follows its input)',
      );
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > space.maxOutChannels) {
      throw new ConfigError(`${layerName}.outChannels`, v, `an integer in [1, ${space.maxOutChannels}]`);
    }
    next.outChannels = v;
  }
  if (s['kernelSize'] !== undefined) {
    const v = s['kernelSize'];
    if (space.kernelSizeChoices == null) {
      throw new ConfigError(`${layerName}.kernelSize`, v, 'nothing: this layer has no elastic kernel size');
    }
    if (typeof v !== 'number' || !space.kernelSizeChoices.includes(v)) {
      throw new ConfigError(
        `${layerName}.kernelSize`,
        v,
        `one of the kernel sizes the layer offers: ${describeValue(space.kernelSizeChoices)}`,
      );
    }
    next.kernelSize = v;
  }
  return next;
}
