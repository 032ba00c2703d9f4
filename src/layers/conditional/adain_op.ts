import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, assertFinite, assertRank } from '../../util/index.js';
import { instanceNorm } from '../common/index.js';

/** The per-sample style statistics of {@link adaptiveInstanceNorm}. */
export interface AdaINStyle {
  /** Shift per sample and channel `[N, C]` (MUNIT's AdaIN `bias`, the first block of its MLP output). */
  mean: tf.Tensor2D;
  /** Scale per sample and channel `[N, C]` (MUNIT's AdaIN `weight`, the second block). */
  std: tf.Tensor2D;
}

/**
 * Adaptive instance normalisation (Huang & Belongie 2017) as MUNIT computes it: each sample's
 * channel is instance-normalised (biased variance, ε inside the square root — MUNIT runs
 * `batch_norm` on the `(1, N·C, H, W)` reshape) and given the style's statistics,
 * `std · x̂ + mean`.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([2, 16, 16, 8]) as tf.Tensor4D;
 * const y = adaptiveInstanceNorm(x, { mean: tf.zeros([2, 8]) as tf.Tensor2D, std: tf.ones([2, 8]) as tf.Tensor2D });
 * ```
 */
export function adaptiveInstanceNorm(x: tf.Tensor4D, style: AdaINStyle, epsilon = 1e-5): tf.Tensor4D {
  assertRank('x', x, 4);
  assertFinite('epsilon', epsilon, { positive: true });
  const [n, , , c] = x.shape;
  for (const name of ['mean', 'std'] as const) {
    const t = style[name];
    if (!(t instanceof tf.Tensor) || t.rank !== 2 || t.shape[0] !== n || t.shape[1] !== c)
      throw new ShapeError(
        `style.${name}`,
        t instanceof tf.Tensor ? t.shape : [],
        `[${n}, ${c}] (per sample and channel of x)`,
      );
  }
  return tf.tidy(() => {
    const normalized = instanceNorm(x, { epsilon });
    const std = tf.reshape(style.std, [n, 1, 1, c]);
    const mean = tf.reshape(style.mean, [n, 1, 1, c]);
    return tf.add(tf.mul(normalized, std), mean);
  });
}
