import { registerLayer } from '../core/index.js';
import { ElasticModulatedConv } from './elastic_modulated_conv.js';
import { CONV_KIND_OPTIONS, MODULATED_CONV_OPTIONS, type ModulatedConvOptions } from './modulated_spec.js';

/** Config of {@link ModulatedConv2d}. */
export interface ModulatedConv2dConfig extends ModulatedConvOptions {
  /**
   * StyleGAN2's ×2 up-sampling conv: a stride-2 transposed conv, then the `[1, 3, 3, 1]` blur
   * (gain 4). Default false.
   */
  upsample?: boolean;
}

/**
 * A dense modulated convolution with an elastic output width. Defaults are StyleGAN2's
 * (rosinality's `ModulatedConv2d`): the style goes through an equalized-lr affine map
 * (`affine: 'equalized'`, bias initialised to 1), the kernel (N(0, 1)) is used with the scale
 * `1/√(Cin·k²)`, modulated by the style and demodulated per sample
 * (`d[n, o] = rsqrt(Σ (scale·s[n, i]·W[·, ·, i, o])² + 1e-8)`). MobileStyleGAN's dense form is
 * `{ affine: 'linear', demodulation: 'styleinv' }`: a plain linear affine map and the
 * style-independent demodulation from the fixed vector `styleInv` (which {@link fuseDemodulation}
 * folds into the kernel).
 *
 * Computed in the input-scaling form (`x ⊙ scale·s`, one shared conv, `⊙ d`), exactly equal to
 * building per-sample weights. Inputs `[x, style]`: `x` `[N, H, W, C]`, `style` `[N, styleDim]`.
 *
 * @example
 * ```ts
 * const conv = new ModulatedConv2d({ name: 'conv', filters: 64, styleDim: 512, upsample: true });
 * const y = conv.apply([x, w]) as tf.SymbolicTensor; // [null, 2H, 2W, 64]
 * conv.setActive({ outChannels: 32 });               // Anycost-style first-k width
 * ```
 */
export class ModulatedConv2d extends ElasticModulatedConv {
  /** The name this class is registered and serialized under. */
  static className = 'ModulatedConv2d';
  /** The options it takes (see {@link ModulatedConv2dConfig}): StyleGAN2's defaults, a dense conv that may up-sample. */
  static readonly options = MODULATED_CONV_OPTIONS.withDefaults({ affine: 'equalized', demodulation: 'style' }).extend({
    upsample: CONV_KIND_OPTIONS.option('upsample'),
  });

  constructor(config: ModulatedConv2dConfig) {
    super(config, ModulatedConv2d.options);
  }
}
registerLayer(ModulatedConv2d);
