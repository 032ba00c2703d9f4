import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../util/index.js';
import { allLayers } from '../layers/core/index.js';
import { FusedModulatedConv2d, ModulatedConvBase } from '../layers/modulated/index.js';
import { extractSubnet } from './extract_subnet.js';

/** Options of {@link fuseDemodulation}. */
export interface FuseDemodulationOptions {
  /**
   * What to do with layers whose demodulation depends on the style (StyleGAN2's,
   * `demodulation: 'style'`), which cannot be folded into weights: throw (default false) or,
   * when true, keep them as they are (exported unfused, still demodulating per sample).
   */
  allowUnfused?: boolean;
}

/**
 * The inference form of a network of modulated convs (or of one modulated layer): a new model
 * (layer) in which every `ModulatedDWConv2d`, `StyledConv`, `ModulatedConv2d` and `ToWavelets`
 * with a style-independent demodulation (`'styleinv'`) or none becomes a
 * {@link FusedModulatedConv2d}: MobileStyleGAN's demodulation `d` is folded into the pointwise
 * (or dense) kernel, `W′[·, ·, i, o] = d_o · W[·, ·, i, o]`, and the equalized-lr scale into the
 * style's affine map, `A′ = scale·A`, `b′ = scale·b` — so the only style-dependent work left is
 * a per-channel scaling of the input. Outputs equal the original's (to float32 rounding).
 *
 * Elastic layers are fused at their active setting (the fused weights are computed from the
 * first-k slices), every other layer is copied: the result is `extractSubnet`'s with fused
 * modulated layers, and saves and loads with `fileSystem()`. The original is left as it is.
 * Fixed noise maps (see `setNoise`) are carried over; random noise stays random.
 *
 * StyleGAN2's per-sample demodulation cannot be fused: such layers raise a `ConfigError` naming
 * them, unless `options.allowUnfused` keeps them unfused.
 *
 * @example
 * ```ts
 * const fused = fuseDemodulation(MobileSynthesisNetwork({ channels: [64, 64, 32], styleDim: 64 }));
 * await fused.save(fileSystem('out/fused'));
 * ```
 */
export function fuseDemodulation(model: tfl.LayersModel, options?: FuseDemodulationOptions): tfl.LayersModel;
export function fuseDemodulation(layer: tfl.layers.Layer, options?: FuseDemodulationOptions): tfl.layers.Layer;
export function fuseDemodulation(
  modelOrLayer: tfl.LayersModel | tfl.layers.Layer,
  options: FuseDemodulationOptions = {},
): tfl.LayersModel | tfl.layers.Layer {
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, '{ allowUnfused?: boolean }');
  const allowUnfused = options.allowUnfused ?? false;
  if (typeof allowUnfused !== 'boolean') throw new ConfigError('options.allowUnfused', allowUnfused, 'true or false');
  if (modelOrLayer instanceof tfl.LayersModel) {
    const blocked = allLayers(modelOrLayer).filter(
      (l) => l instanceof ModulatedConvBase && l.spec.demodulation === 'style',
    );
    if (blocked.length > 0 && !allowUnfused) {
      throw new ConfigError(
        'model',
        `layers ${blocked.map((l) => `'${l.name}'`).join(', ')} with demodulation 'style'`,
        "layers whose demodulation does not depend on the style ('styleinv' or 'none'); StyleGAN2's per-sample demodulation cannot be folded into weights (pass { allowUnfused: true } to keep these layers unfused)",
      );
    }
    // Layers that cannot be fused fall through to their own static export (unfused copies).
    const fused = extractSubnet(modelOrLayer, undefined, {
      exportLayer: (layer, inputs) =>
        layer instanceof ModulatedConvBase && layer.spec.demodulation !== 'style'
          ? FusedModulatedConv2d.exportFrom(layer, inputs)
          : null,
    });
    fused.name = `${modelOrLayer.name}_fused`;
    return fused;
  }
  if (!(modelOrLayer instanceof ModulatedConvBase)) {
    const isLayer = modelOrLayer instanceof tfl.layers.Layer;
    throw new ConfigError(
      isLayer ? `modelOrLayer (layer '${modelOrLayer.name}')` : 'modelOrLayer',
      isLayer ? modelOrLayer.getClassName() : modelOrLayer,
      'a tf.LayersModel or a modulated conv layer (ModulatedConv2d, ModulatedDWConv2d, StyledConv, ToWavelets)',
    );
  }
  return FusedModulatedConv2d.fromLayer(modelOrLayer);
}
