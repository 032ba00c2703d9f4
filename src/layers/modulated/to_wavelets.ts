import { registerLayer } from '../core/index.js';
import { ModulatedConvBase } from './modulated_conv_base.js';
import type { ModulatedConvOptions } from './modulated_spec.js';

/** Config of {@link ToWavelets}. */
export interface ToWaveletsConfig extends Omit<
  ModulatedConvOptions,
  'filters' | 'kernelSize' | 'demodulation' | 'styleInvTrainable'
> {
  /** Output channels. Default 12 (Haar coefficients of an RGB image); 3 makes StyleGAN2's ToRGB conv. */
  filters?: number;
}

/**
 * MobileStyleGAN's image head (`to_img`, its `MultichannelImage`): a 1×1 modulated conv without
 * demodulation plus a bias, `y = (x ⊙ scale·s) · W + b` with `scale = 1/√Cin`, giving the 12
 * Haar channels of an RGB image in MobileStyleGAN's interleaved layout
 * (`[LL_R, LL_G, LL_B, LH_R, HL_R, HH_R, LH_G, …]`; turn them into the image with
 * `HaarIDWT({ channelLayout: 'interleaved' })`). With `{ filters: 3, affine: 'equalized' }` it is
 * StyleGAN2's ToRGB conv (without the skip). Its output width is fixed; its input width follows
 * the input (first-k), so it can follow an elastic layer.
 *
 * @example
 * ```ts
 * const head = new ToWavelets({ name: 'block6_towavelets', styleDim: 512 });
 * const coefficients = head.apply([x, w]) as tf.SymbolicTensor; // [null, h, w, 12]
 * ```
 */
export class ToWavelets extends ModulatedConvBase {
  /** The name this class is registered and serialized under. */
  static className = 'ToWavelets';

  constructor(config: ToWaveletsConfig) {
    super({ ...config, filters: config.filters ?? 12 }, { affine: 'linear' }, ['filters', 'styleDim', 'affine'], {
      conv: 'dense',
      kernelSize: 1,
      demodulation: 'none',
      useBias: true,
      noise: false,
      activation: 'linear',
    });
  }
}
registerLayer(ToWavelets);
