import { option, registerLayer } from '../core/index.js';
import { ElasticModulatedConv } from './elastic_modulated_conv.js';
import { MODULATED_CONV_OPTIONS, type ModulatedConvKind, type ModulatedConvOptions } from './modulated_spec.js';

/**
 * Config of {@link ModulatedDWConv2d}.
 *
 * @example
 * ```ts
 * const config: ModulatedDWConv2dConfig = { name: 'block0_conv1', filters: 64, styleDim: 512, seed: 1 };
 * const conv = new ModulatedDWConv2d(config);
 * ```
 */
export type ModulatedDWConv2dConfig = ModulatedConvOptions;

/**
 * MobileStyleGAN's depthwise-separable modulated convolution, with an elastic output width:
 * `s = A·w + b` (a plain linear map, bias initialised to 1), `x′ = x ⊙ (scale·s)` with
 * `scale = 1/√(Cin·k²)`, a depthwise k×k conv, a pointwise 1×1 conv, then the style-independent
 * demodulation `d[o] = rsqrt(scale²·Σ_i styleInv_i²·‖Wdw_i‖²·Wpw[i, o]² + 1e-8)`. `styleInv`
 * (`[Cin]`, N(0, 1)) is a fixed buffer saved with the model unless `styleInvTrainable`. Weights:
 * `affineKernel [styleDim, Cin]`, `affineBias [Cin]`, `depthwise [k, k, Cin, 1]`,
 * `pointwise [1, 1, Cin, Cout]`, `styleInv [Cin]`.
 *
 * Inputs `[x, style]`: `x` `[N, H, W, C]`, `style` `[N, styleDim]`.
 *
 * @example
 * ```ts
 * const conv = new ModulatedDWConv2d({ name: 'dw', filters: 512, styleDim: 512 });
 * const y = conv.apply([x, w]) as tf.SymbolicTensor;
 * const fused = fuseDemodulation(conv); // d and scale folded into the weights
 * ```
 */
export class ModulatedDWConv2d extends ElasticModulatedConv {
  /** The name this class is registered and serialized under. */
  static className = 'ModulatedDWConv2d';
  /** The options it takes (see {@link ModulatedDWConv2dConfig}): MobileStyleGAN's defaults, a depthwise-separable conv. */
  static readonly options = MODULATED_CONV_OPTIONS.withDefaults({
    affine: 'linear',
    demodulation: 'styleinv',
  }).restrict({
    fixed: { conv: option.fixed<ModulatedConvKind>('depthwise') },
  });

  constructor(config: ModulatedDWConv2dConfig) {
    super(config, ModulatedDWConv2d.options);
  }
}
registerLayer(ModulatedDWConv2d);
