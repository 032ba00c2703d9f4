import { option, registerLayer } from '../core/index.js';
import { ModulatedConvBase } from './modulated_conv_base.js';
import type { Demodulation } from './modulated_conv_op.js';
import { MODULATED_CONV_OPTIONS, type ModulatedConvOptions } from './modulated_spec.js';

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
  /** The options it takes (see {@link ToWaveletsConfig}): a 1×1 conv without demodulation, plus a bias. */
  static readonly options = MODULATED_CONV_OPTIONS.withDefaults({ filters: 12, affine: 'linear' }).restrict({
    fixed: {
      kernelSize: option.fixed(1),
      demodulation: option.fixed<Demodulation>('none'),
      styleInvTrainable: option.fixed(false),
      useBias: option.fixed(true),
    },
  });

  constructor(config: ToWaveletsConfig) {
    super(config, ToWavelets.options);
  }
}
registerLayer(ToWavelets);
