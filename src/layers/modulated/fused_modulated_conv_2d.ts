import { registerLayer } from '../core/index.js';
import {
  ModulatedConvBase,
  type ModulatedConvKind,
  type ModulatedConvOptions,
  type StyledOutputOptions,
} from './modulated_conv_base.js';

/** Config of {@link FusedModulatedConv2d}. */
export interface FusedModulatedConv2dConfig
  extends
    Omit<ModulatedConvOptions, 'affine' | 'demodulation' | 'fanIn' | 'styleInvTrainable' | 'affineKernelInitializer'>,
    StyledOutputOptions {
  /** `'dense'` (default) or `'depthwise'` (depthwise k×k, then pointwise 1×1). */
  conv?: ModulatedConvKind;
  /** Dense only: StyleGAN2's ×2 up-sampling conv. Default false. */
  upsample?: boolean;
}

/**
 * The inference form of a modulated conv, as {@link fuseDemodulation} makes it: the
 * equalized-lr scale is in the affine map and the (style-independent) demodulation in the dense
 * or pointwise kernel, so the only style-dependent work is `s = A′w + b′`, `x ⊙ s` — no
 * demodulation, no per-sample weights. The style scales the activations, never the filter: a
 * filter rebuilt per call defeats the wasm backend's cached (pre-packed) XNNPACK weights, which
 * measured slower than the extra product (docs/benchmarks.md). Noise, bias and activation as in
 * {@link StyledConv}. Weights: `affineKernel`, `affineBias`, `kernel` or `depthwise` and
 * `pointwise`, then `noiseStrength`, `bias`, `noise` when configured. Not elastic.
 *
 * @example
 * ```ts
 * const fused = fuseDemodulation(styledConv) as FusedModulatedConv2d;
 * const y = fused.apply([x, w]) as tf.Tensor; // equals styledConv.apply([x, w]) (fixed noise)
 * ```
 */
export class FusedModulatedConv2d extends ModulatedConvBase {
  /** The name this class is registered and serialized under. */
  static className = 'FusedModulatedConv2d';

  constructor(config: FusedModulatedConv2dConfig) {
    super(
      config,
      { conv: 'dense' },
      [
        'filters',
        'styleDim',
        'kernelSize',
        'conv',
        'upsample',
        'noise',
        'noiseMode',
        'useBias',
        'activation',
        'negativeSlope',
        'activationGain',
      ],
      { affine: 'linear', demodulation: 'none', fanIn: 1, foldStyle: false },
    );
  }
}
registerLayer(FusedModulatedConv2d);
