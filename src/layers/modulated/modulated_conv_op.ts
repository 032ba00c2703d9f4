import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../../util/index.js';
import { assertFinite, assertOneOf, assertRank } from '../../util/index.js';
import { demodulationCoefficients, kernelEnergy, separableKernelEnergy } from './demodulation.js';
import { upfirdn2d } from './fir.js';

/**
 * How a modulated conv normalises its output channels:
 * - `'style'`: StyleGAN2's demodulation, from the per-sample style (`d[n, o]`);
 * - `'styleinv'`: MobileStyleGAN's, from a fixed vector `styleInv` in place of the style
 *   (`d[o]`, independent of the style, so it can be folded into the weights);
 * - `'none'`: no demodulation (image heads).
 */
export type Demodulation = 'style' | 'styleinv' | 'none';

/** The values {@link Demodulation} allows. */
export const DEMODULATIONS: readonly Demodulation[] = ['style', 'styleinv', 'none'];

/** Options of {@link modulatedConv2d} and {@link modulatedDwConv2d}. */
export interface ModulatedConvOpOptions {
  /**
   * The equalized-learning-rate scale applied with the style. Default `1/√(Cin·k²)` for the `Cin`
   * channels `x` has.
   */
  scale?: number;
  /** Default `'styleinv'` when `styleInv` is given, `'style'` otherwise. */
  demodulation?: Demodulation;
  /** `[Cin]`: MobileStyleGAN's fixed demodulation vector (with `demodulation: 'styleinv'`). */
  styleInv?: tf.Tensor;
  /** Demodulation epsilon. Default 1e-8. */
  epsilon?: number;
  /**
   * With batch 1, multiply the style into the (small) filter instead of into the activations
   * when that touches fewer numbers — the same result. Default false: on backends that cache
   * packed weights per filter tensor (wasm's XNNPACK) a filter rebuilt every call is slower.
   */
  foldStyle?: boolean;
}

/** Options of {@link modulatedConv2d}. */
export interface ModulatedConv2dOpOptions extends ModulatedConvOpOptions {
  /**
   * StyleGAN2's ×2 up-sampling conv: a stride-2 transposed conv with the kernel, then the
   * `[1, 3, 3, 1]` blur (gain 4). Default false.
   */
  upsample?: boolean;
}

/**
 * A modulated convolution, StyleGAN2's (`demodulation: 'style'`) or MobileStyleGAN's dense one
 * (`'styleinv'`), in the input-scaling form: `x′ = x ⊙ (scale·s)`, `y = conv(x′, W)` (or the
 * up-sampling conv), `y ← y ⊙ d` with `d` from {@link demodulationCoefficients}. This equals the
 * per-sample-weight form `W′[n] = scale·W ⊙ s[n]`, `W″ = W′ ⊙ d` exactly, with one shared conv
 * instead of a grouped conv over the batch.
 *
 * @param x `[N, H, W, Cin]`.
 * @param style `[N, Cin]`: the style after its affine map (`s`).
 * @param kernel `[k, k, Cin, Cout]`, k odd, padded `'same'` (PyTorch's `k // 2`).
 * @returns `[N, H, W, Cout]`, or `[N, 2H, 2W, Cout]` with `upsample`.
 * @example
 * ```ts
 * const input = tf.randomNormal([2, 16, 16, 32]) as tf.Tensor4D;
 * const s = tf.randomNormal([2, 32]) as tf.Tensor2D; // the styles after their affine map
 * const kernel = tf.randomNormal([3, 3, 32, 64]) as tf.Tensor4D;
 * const y = modulatedConv2d(input, s, kernel); // StyleGAN2: [2, 16, 16, 64]
 * const styleInv = tf.ones([32]);
 * const z = modulatedConv2d(input, s, kernel, { styleInv, demodulation: 'styleinv' }); // MobileStyleGAN
 * ```
 */
export function modulatedConv2d(
  x: tf.Tensor4D,
  style: tf.Tensor2D,
  kernel: tf.Tensor4D,
  options: ModulatedConv2dOpOptions = {},
): tf.Tensor4D {
  assertRank('kernel', kernel, 4);
  const [k, kw, cin, cout] = kernel.shape;
  if (k !== kw || k % 2 !== 1) throw new ShapeError('kernel', kernel.shape, '[k, k, Cin, Cout] with k odd');
  const o = resolveOptions(x, style, cin, k, options);
  return tf.tidy(() => {
    const s = tf.mul<tf.Tensor2D>(style, o.scale);
    const n = x.shape[0];
    const fold = options.foldStyle === true && n === 1 && kernel.size < x.size;
    const filter = fold ? tf.mul<tf.Tensor4D>(kernel, tf.reshape(s, [1, 1, cin, 1])) : kernel;
    const input = fold ? x : tf.mul<tf.Tensor4D>(x, tf.reshape(s, [n, 1, 1, cin]));
    let y: tf.Tensor4D;
    if (options.upsample === true) {
      const [, h, w] = x.shape;
      // PyTorch's conv_transpose2d(stride 2) with weight[i, o] = W[o, i]: tfjs's filter is [k, k, out, in].
      const t = tf.conv2dTranspose(
        input,
        tf.transpose<tf.Tensor4D>(filter, [0, 1, 3, 2]),
        [n, 2 * h + k - 2, 2 * w + k - 2, cout],
        2,
        'valid',
      );
      y = upfirdn2d(t, [1, 3, 3, 1], { pads: upsampleBlurPads(k), gain: 4 });
    } else {
      y = tf.conv2d(input, filter, 1, 'same');
    }
    return demodulate(y, o, () => kernelEnergy(kernel), style);
  });
}

/**
 * MobileStyleGAN's depthwise-separable modulated convolution: `x′ = x ⊙ (scale·s)`,
 * `z = depthwise_k×k(x′)`, `y = z · Wpw`, then `y ← y ⊙ d` with
 * `d[o] = rsqrt(scale²·Σ_i styleInv_i²·‖Wdw_i‖²·Wpw[i, o]² + ε)` (its `'styleinv'` form, the
 * closed form of the demodulation of the combined kernel `Wdw ⊙ Wpw`). `scale = 1/√(Cin·k²)`
 * is applied once for both convs. `'style'` demodulates with the per-sample style instead.
 *
 * @param x `[N, H, W, Cin]`.
 * @param style `[N, Cin]`: the style after its affine map.
 * @param depthwise `[k, k, Cin, 1]`, k odd, padded `'same'`.
 * @param pointwise `[1, 1, Cin, Cout]`.
 * @example
 * ```ts
 * const input = tf.randomNormal([2, 16, 16, 32]) as tf.Tensor4D;
 * const s = tf.randomNormal([2, 32]) as tf.Tensor2D; // the styles after their affine map
 * const depthwise = tf.randomNormal([3, 3, 32, 1]) as tf.Tensor4D;
 * const pointwise = tf.randomNormal([1, 1, 32, 64]) as tf.Tensor4D;
 * const y = modulatedDwConv2d(input, s, depthwise, pointwise, { styleInv: tf.ones([32]) }); // [2, 16, 16, 64]
 * ```
 */
export function modulatedDwConv2d(
  x: tf.Tensor4D,
  style: tf.Tensor2D,
  depthwise: tf.Tensor4D,
  pointwise: tf.Tensor4D,
  options: ModulatedConvOpOptions = {},
): tf.Tensor4D {
  assertRank('depthwise', depthwise, 4);
  assertRank('pointwise', pointwise, 4);
  const [k, kw, cin, m] = depthwise.shape;
  if (k !== kw || k % 2 !== 1 || m !== 1)
    throw new ShapeError('depthwise', depthwise.shape, '[k, k, Cin, 1] with k odd');
  if (pointwise.shape[0] !== 1 || pointwise.shape[1] !== 1 || pointwise.shape[2] !== cin)
    throw new ShapeError('pointwise', pointwise.shape, `[1, 1, ${cin}, Cout]`);
  const o = resolveOptions(x, style, cin, k, options);
  return tf.tidy(() => {
    const s = tf.mul<tf.Tensor2D>(style, o.scale);
    const n = x.shape[0];
    const fold = options.foldStyle === true && n === 1;
    const filter = fold ? tf.mul<tf.Tensor4D>(depthwise, tf.reshape(s, [1, 1, cin, 1])) : depthwise;
    const input = fold ? x : tf.mul<tf.Tensor4D>(x, tf.reshape(s, [n, 1, 1, cin]));
    const z = tf.depthwiseConv2d(input, filter, 1, 'same');
    const y = tf.conv2d(z, pointwise, 1, 'valid');
    return demodulate(y, o, () => separableKernelEnergy(depthwise, pointwise), style);
  });
}

/**
 * The blur pads after StyleGAN2's stride-2 transposed conv of kernel `k` (`p = 3 − k`:
 * `((p + 1)//2 + 1, p//2 + 1)`), which bring `2h + k − 2` back to `2h`.
 */
export function upsampleBlurPads(k: number): [number, number] {
  const p = 3 - k;
  return [Math.floor((p + 1) / 2) + 1, Math.floor(p / 2) + 1];
}

interface Resolved {
  scale: number;
  demodulation: Demodulation;
  styleInv: tf.Tensor | null;
  epsilon: number;
}

function resolveOptions(
  x: tf.Tensor4D,
  style: tf.Tensor2D,
  cin: number,
  k: number,
  options: ModulatedConvOpOptions,
): Resolved {
  assertRank('x', x, 4);
  assertRank('style', style, 2);
  if (x.shape[3] !== cin) throw new ShapeError('x', x.shape, `[N, H, W, ${cin}] (the kernel's input channels)`);
  if (style.shape[0] !== x.shape[0] || style.shape[1] !== cin)
    throw new ShapeError('style', style.shape, `[${x.shape[0]}, ${cin}] (x's batch, the kernel's input channels)`);
  if (options == null || typeof options !== 'object') throw new ConfigError('options', options, 'an options object');
  const scale = options.scale ?? 1 / Math.sqrt(cin * k * k);
  assertFinite('options.scale', scale, { positive: true });
  const epsilon = options.epsilon ?? 1e-8;
  assertFinite('options.epsilon', epsilon, { positive: true });
  const demodulation = options.demodulation ?? (options.styleInv != null ? 'styleinv' : 'style');
  assertOneOf('options.demodulation', demodulation, DEMODULATIONS);
  const styleInv = options.styleInv ?? null;
  if (demodulation === 'styleinv') {
    if (!(styleInv instanceof tf.Tensor))
      throw new ConfigError(
        'options.styleInv',
        options.styleInv,
        `a [${cin}] tensor (demodulation 'styleinv' needs it)`,
      );
    if (styleInv.size !== cin) throw new ShapeError('options.styleInv', styleInv.shape, `[${cin}]`);
  }
  return { scale, demodulation, styleInv, epsilon };
}

/** `y ⊙ d` for the resolved demodulation (nothing for `'none'`). */
function demodulate(y: tf.Tensor4D, o: Resolved, energy: () => tf.Tensor2D, style: tf.Tensor2D): tf.Tensor4D {
  if (o.demodulation === 'none') return y;
  const v = o.demodulation === 'style' ? style : tf.reshape<tf.Rank.R2>(o.styleInv as tf.Tensor, [1, -1]);
  const d = demodulationCoefficients(energy(), v, o.scale, o.epsilon);
  return tf.mul(y, tf.reshape(d, [d.shape[0], 1, 1, d.shape[1]]));
}
