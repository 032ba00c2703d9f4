import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fillWeights, option, registerLayer } from '../core/index.js';
import { ModulatedConvBase } from './modulated_conv_base.js';
import type { Demodulation } from './modulated_conv_op.js';
import {
  CONV_KIND_OPTIONS,
  MODULATED_CONV_OPTIONS,
  STYLED_OUTPUT_OPTIONS,
  type ModulatedConvKind,
  type ModulatedConvOptions,
  type StyleAffine,
  type StyledOutputOptions,
} from './modulated_spec.js';

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
 * const styledConv = new StyledConv({ filters: 16, styleDim: 8, noise: false, seed: 1 });
 * const input = tf.randomNormal([1, 8, 8, 16]);
 * const styles = tf.randomNormal([1, 8]);
 * const before = styledConv.apply([input, styles]) as tf.Tensor; // builds the layer
 * const fused = fuseDemodulation(styledConv) as FusedModulatedConv2d;
 * const after = fused.apply([input, styles]) as tf.Tensor; // equals `before` to float32 rounding
 * ```
 */
export class FusedModulatedConv2d extends ModulatedConvBase {
  /** The name this class is registered and serialized under. */
  static className = 'FusedModulatedConv2d';
  /**
   * The options it takes (see {@link FusedModulatedConv2dConfig}): the affine map is a plain
   * linear one holding the equalized-lr scale (`fanIn` 1, written so that saved models say so),
   * without demodulation.
   */
  static readonly options = MODULATED_CONV_OPTIONS.extend(CONV_KIND_OPTIONS)
    .extend(STYLED_OUTPUT_OPTIONS)
    .restrict({
      fixed: {
        affine: option.fixed<StyleAffine>('linear'),
        demodulation: option.fixed<Demodulation>('none'),
        fanIn: option.fixed<number | undefined>(1, { write: true }),
        styleInvTrainable: option.fixed(false),
      },
      internal: ['affineKernelInitializer'],
    });

  constructor(config: FusedModulatedConv2dConfig) {
    super(config, FusedModulatedConv2d.options);
  }

  /**
   * The inference form of `layer` (at its active output width) applied to `inputs` — what
   * `fuseDemodulation` puts in place of each modulated layer of a network. Throws a `ConfigError`
   * for StyleGAN2's per-sample demodulation, which cannot be folded.
   *
   * @example
   * ```ts
   * // what fuseDemodulation does for each modulated layer of a network it rebuilds
   * const styledConv = new StyledConv({ filters: 16, styleDim: 8, seed: 1 });
   * const input = tf.input({ shape: [8, 8, 16] });
   * const styles = tf.input({ shape: [8] });
   * styledConv.apply([input, styles]); // built (weights exist) before its weights can be fused
   * const y = FusedModulatedConv2d.exportFrom(styledConv, [input, styles]);
   * ```
   */
  static exportFrom(layer: ModulatedConvBase, inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    layer.assertFusable();
    const fused = new FusedModulatedConv2d(layer.fusedConfig());
    const y = fused.apply(inputs) as tfl.SymbolicTensor;
    fused.fillFrom(layer, (inputs[0] as tfl.SymbolicTensor).shape[3] as number);
    return y;
  }

  /**
   * The inference form of one built modulated layer, built for the input size `layer` was built
   * with (see `fuseDemodulation` for whole networks).
   *
   * @example
   * ```ts
   * const styledConv = new StyledConv({ filters: 16, styleDim: 8, seed: 1 });
   * styledConv.apply([tf.input({ shape: [8, 8, 16] }), tf.input({ shape: [8] })]); // build it
   * const fused = FusedModulatedConv2d.fromLayer(styledConv); // built for 8×8×16 inputs
   * ```
   */
  static fromLayer(layer: ModulatedConvBase): FusedModulatedConv2d {
    layer.assertFusable();
    const [h, w] = layer.builtInputSize;
    const fused = new FusedModulatedConv2d(layer.fusedConfig());
    fused.apply([tfl.input({ shape: [h, w, layer.maxInChannels] }), tfl.input({ shape: [layer.spec.styleDim] })]);
    fused.fillFrom(layer, layer.maxInChannels);
    return fused;
  }

  /** Writes `layer`'s fused weights at `c` input channels into this (built) layer. */
  private fillFrom(layer: ModulatedConvBase, c: number): void {
    fillWeights(this, () => {
      const w = layer.fusedWeights(c);
      return this.weightRoles().map((r) => w[r] as tf.Tensor);
    });
  }
}
registerLayer(FusedModulatedConv2d);
