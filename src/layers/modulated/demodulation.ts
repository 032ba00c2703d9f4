import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../../util/index.js';
import { assertFinite, assertRank } from '../../util/index.js';

/**
 * The energy of each (input, output) pair of a dense conv kernel: `E[i, o] = Σ_{kh,kw} W[kh, kw, i, o]²`,
 * shape `[Cin, Cout]`. Demodulation needs nothing else from the kernel.
 *
 * @example
 * ```ts
 * const kernel = tf.randomNormal([3, 3, 64, 128]) as tf.Tensor4D;
 * const e = kernelEnergy(kernel); // [64, 128]
 * ```
 */
export function kernelEnergy(kernel: tf.Tensor4D): tf.Tensor2D {
  assertRank('kernel', kernel, 4);
  return tf.tidy(() => tf.sum<tf.Tensor2D>(tf.square(kernel), [0, 1]));
}

/**
 * The energy of the combined kernel of a depthwise-separable conv in closed form:
 * `E[i, o] = ‖Wdw[·, ·, i]‖² · Wpw[i, o]²`, shape `[Cin, Cout]` — what {@link kernelEnergy} gives
 * for {@link combinedSeparableKernel} without building the `[k, k, Cin, Cout]` tensor.
 *
 * @example
 * ```ts
 * const depthwise = tf.randomNormal([3, 3, 128, 1]) as tf.Tensor4D;
 * const pointwise = tf.randomNormal([1, 1, 128, 512]) as tf.Tensor4D;
 * const e = separableKernelEnergy(depthwise, pointwise); // [128, 512]
 * // = kernelEnergy(combinedSeparableKernel(depthwise, pointwise)), without the [3, 3, 128, 512] tensor
 * ```
 */
export function separableKernelEnergy(depthwise: tf.Tensor4D, pointwise: tf.Tensor4D): tf.Tensor2D {
  const [c, o] = checkSeparable(depthwise, pointwise);
  return tf.tidy(() => {
    const dw = tf.reshape(tf.sum(tf.square(depthwise), [0, 1, 3]), [c, 1]);
    return tf.mul<tf.Tensor2D>(dw, tf.square(tf.reshape(pointwise, [c, o])));
  });
}

/**
 * The dense kernel a depthwise-separable conv equals: `K[kh, kw, i, o] = Wdw[kh, kw, i] · Wpw[i, o]`
 * (MobileStyleGAN builds this `[Cout, Cin, k, k]` tensor to demodulate). Useful to check the
 * closed form of {@link separableKernelEnergy} and to run the separable conv as one dense conv.
 *
 * @example
 * ```ts
 * const depthwise = tf.randomNormal([3, 3, 16, 1]) as tf.Tensor4D;
 * const pointwise = tf.randomNormal([1, 1, 16, 32]) as tf.Tensor4D;
 * const k = combinedSeparableKernel(depthwise, pointwise); // [3, 3, 16, 32]
 * ```
 */
export function combinedSeparableKernel(depthwise: tf.Tensor4D, pointwise: tf.Tensor4D): tf.Tensor4D {
  const [c, o] = checkSeparable(depthwise, pointwise);
  return tf.tidy(() => tf.mul<tf.Tensor4D>(depthwise, tf.reshape(pointwise, [1, 1, c, o])));
}

/**
 * Demodulation coefficients `d[m, o] = rsqrt(scale² · Σ_i v[m, i]² · E[i, o] + ε)`, shape `[M, Cout]`,
 * for a kernel of energy `E` (`[Cin, Cout]`, from {@link kernelEnergy} or
 * {@link separableKernelEnergy}) modulated by the rows of `v` (`[M, Cin]`): the per-sample styles
 * for StyleGAN2 (M = batch), MobileStyleGAN's fixed `styleInv` for its style-independent form
 * (M = 1). One small matmul; no per-sample kernel is built.
 *
 * @example
 * ```ts
 * const cin = 64;
 * const kernel = tf.randomNormal([3, 3, cin, 128]) as tf.Tensor4D;
 * const styles = tf.randomNormal([4, cin]) as tf.Tensor2D; // one style per sample (StyleGAN2)
 * const d = demodulationCoefficients(kernelEnergy(kernel), styles, 1 / Math.sqrt(cin * 9)); // [4, 128]
 * ```
 */
export function demodulationCoefficients(
  energy: tf.Tensor2D,
  v: tf.Tensor2D,
  scale: number,
  epsilon = 1e-8,
): tf.Tensor2D {
  assertRank('energy', energy, 2);
  assertRank('v', v, 2);
  if (v.shape[1] !== energy.shape[0])
    throw new ShapeError('v', v.shape, `[M, ${energy.shape[0]}] (one entry per input channel of the energy)`);
  assertFinite('scale', scale, { positive: true });
  assertFinite('epsilon', epsilon, { positive: true });
  return tf.tidy(
    () => tf.rsqrt(tf.add(tf.matMul(tf.mul(tf.square(v), scale * scale), energy), epsilon)) as tf.Tensor2D,
  );
}

function checkSeparable(depthwise: tf.Tensor4D, pointwise: tf.Tensor4D): [number, number] {
  assertRank('depthwise', depthwise, 4);
  assertRank('pointwise', pointwise, 4);
  const c = depthwise.shape[2];
  if (depthwise.shape[3] !== 1) throw new ShapeError('depthwise', depthwise.shape, '[k, k, C, 1] (depth multiplier 1)');
  if (pointwise.shape[0] !== 1 || pointwise.shape[1] !== 1 || pointwise.shape[2] !== c)
    throw new ShapeError('pointwise', pointwise.shape, `[1, 1, ${c}, Cout]`);
  return [c, pointwise.shape[3]];
}
