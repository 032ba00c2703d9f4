import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, assertFinite } from '../../util/index.js';

/** Options of {@link munitLayerNorm}. */
export interface MunitLayerNormOptions {
  /** Added to the standard deviation (not the variance). Default 1e-5. */
  epsilon?: number;
  /** Per-channel scale (last axis), `[C]`. */
  gamma?: tf.Tensor1D;
  /** Per-channel shift (last axis), `[C]`. */
  beta?: tf.Tensor1D;
}

/**
 * MUNIT's `LayerNorm` (Huang et al. 2018, used in its decoder's upsampling blocks): each sample
 * is normalised by the mean and the *unbiased* standard deviation of all its elements (C×H×W),
 * `(x − mean) / (std + ε)` — ε is added to the standard deviation — then scaled and shifted per
 * channel. This is not `tf.layers.layerNormalization` (which normalises the last axis with the
 * biased variance under the square root).
 *
 * @param x `[N, ..., C]`, channels last, at least 2 elements per sample.
 * @example
 * ```ts
 * const x = tf.randomNormal([2, 8, 8, 4]) as tf.Tensor4D;
 * const y = munitLayerNorm(x, { gamma: tf.ones([4]) as tf.Tensor1D, beta: tf.zeros([4]) as tf.Tensor1D });
 * ```
 */
export function munitLayerNorm<T extends tf.Tensor>(x: T, options: MunitLayerNormOptions = {}): T {
  if (!(x instanceof tf.Tensor) || x.rank < 2)
    throw new ShapeError('x', x instanceof tf.Tensor ? x.shape : [], 'rank >= 2, channels last');
  const epsilon = options.epsilon ?? 1e-5;
  assertFinite('options.epsilon', epsilon, { positive: true });
  const c = x.shape[x.rank - 1] as number;
  const perSample = x.size / x.shape[0];
  if (perSample < 2)
    throw new ShapeError('x', x.shape, 'at least 2 elements per sample (the unbiased std of one element is undefined)');
  for (const [name, p] of [
    ['gamma', options.gamma],
    ['beta', options.beta],
  ] as const) {
    if (p != null && (p.rank !== 1 || p.shape[0] !== c))
      throw new ShapeError(`options.${name}`, p.shape, `[${c}] (one per channel of x)`);
  }
  return tf.tidy(() => {
    const axes = x.shape.map((_, i) => i).slice(1);
    const mean = tf.mean(x, axes, true);
    const centred = tf.sub(x, mean);
    const variance = tf.div(tf.sum(tf.square(centred), axes, true), perSample - 1);
    let y = tf.div(centred, tf.add(tf.sqrt(variance), epsilon));
    if (options.gamma != null) y = tf.mul(y, options.gamma);
    if (options.beta != null) y = tf.add(y, options.beta);
    return y as T;
  });
}
