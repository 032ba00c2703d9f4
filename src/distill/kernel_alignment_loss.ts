import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../util/index.js';
import { assertFloatTensor } from './checks.js';

/**
 * CAT's kernel-alignment distillation loss (Jin et al., "Teachers Do More Than Teach", 2021) as
 * `1 − KA(a, b)`. Each sample's features are flattened to a row; with the batch Gram matrices
 * `A = X Xᵀ` and `B = Y Yᵀ` (N×N),
 *
 *   KA = Σ(A ⊙ B) / √(ΣA² · ΣB²),
 *
 * the cosine between the two Gram matrices. CAT minimises −KA; `1 − KA` has the same gradient and
 * is 0 for perfectly aligned features. No 1×1 mapper is needed: the Gram matrices are N×N
 * whatever the channel counts, so `a` and `b` may have different shapes past the batch axis.
 * KA is invariant to scaling either argument; rows are scaled by the Frobenius norm first so that
 * wide features do not overflow float32. An all-zero argument has no alignment: KA = 0. With a
 * batch of 1 both Gram matrices are 1×1 and KA = 1 always (the loss needs N ≥ 2 to teach).
 *
 * @param a `[N, ...]` (e.g. the student's features).
 * @param b `[N, ...]` (the teacher's), the same N.
 * @throws {@link ShapeError} when the batch sizes differ or a tensor is a scalar.
 *
 * @example
 * ```ts
 * const s = tf.randomNormal([4, 8, 8, 16]);
 * const t = tf.randomNormal([4, 8, 8, 64]);
 * kernelAlignmentLoss(s, t);               // in [0, 1]
 * kernelAlignmentLoss(t, tf.mul(t, 3));    // 0: scaling does not change the alignment
 * ```
 */
export function kernelAlignmentLoss(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  assertFloatTensor('a', a);
  assertFloatTensor('b', b);
  if (a.rank < 1) throw new ShapeError('a', a.shape, 'rank >= 1 with the batch on axis 0');
  if (b.rank < 1) throw new ShapeError('b', b.shape, 'rank >= 1 with the batch on axis 0');
  if (a.shape[0] !== b.shape[0]) throw new ShapeError('b', b.shape, `the batch size of a, ${a.shape[0]}, on axis 0`);
  return tf.tidy(() => {
    const gram = (x: tf.Tensor): tf.Tensor2D => {
      const rows = tf.reshape<tf.Rank.R2>(x, [x.shape[0], -1]);
      // The floors keep an all-zero argument finite, gradient included (KA ignores the scale).
      const scaled = tf.mul(rows, tf.rsqrt(tf.maximum(tf.sum(tf.square(rows)), 1e-12)));
      return tf.matMul(scaled, scaled, false, true);
    };
    const ga = gram(a);
    const gb = gram(b);
    const num = tf.sum(tf.mul(ga, gb));
    const den = tf.sqrt(tf.maximum(tf.mul(tf.sum(tf.square(ga)), tf.sum(tf.square(gb))), 1e-24));
    return tf.sub<tf.Scalar>(1, tf.div(num, den));
  });
}
