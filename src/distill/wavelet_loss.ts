import * as tf from '@tensorflow/tfjs-core';
import { assertInt, assertOneOf, assertRank, ShapeError } from '../util/index.js';
import { maxHaarLevels, waveletPyramid, type PyramidResize } from '../wavelet/index.js';
import { assertOptions, assertSameShape, assertWeight } from './checks.js';

/** Options of {@link waveletLoss}. */
export interface WaveletLossOptions {
  /** Scales compared, finest first (level 0 is the full image). Default 1. */
  levels?: number;
  /** Weight of the L1 distances (mean |a − b|). Default 1 (MobileStyleGAN). */
  l1?: number;
  /** Weight of the L2 distances (mean (a − b)²). Default 1 (MobileStyleGAN). */
  l2?: number;
  /** Weight of the terms on the images of each scale. Default 1. */
  pixel?: number;
  /** Weight of the terms on the Haar coefficients of each scale. Default 1. */
  wavelet?: number;
  /** How coarser scales are made ({@link waveletPyramid}): `'haar'` (default) or `'bilinear'`. */
  resize?: PyramidResize;
}

const KNOWN = ['levels', 'l1', 'l2', 'pixel', 'wavelet', 'resize'];

/**
 * MobileStyleGAN's pixel + wavelet distillation loss. Both batches are decomposed into wavelet
 * pyramids ({@link waveletPyramid}: at each scale k the image at `H/2^k` and its Haar
 * coefficients) and, summed over the scales,
 *
 *   l1 · [pixel · L1(image) + wavelet · L1(coeffs)] + l2 · [pixel · L2(image) + wavelet · L2(coeffs)]
 *
 * with L1 and L2 the mean absolute and mean squared differences. MobileStyleGAN weighs every
 * term 1 (its `l1` and `l2` losses, both added to the total). The Haar transform is orthonormal,
 * so a scale's L2 on the coefficients equals its L2 on the image; the L1 terms differ and weigh
 * the detail bands. Differentiable; returns a scalar.
 *
 * @param predImages `[N, H, W, C]`, H and W divisible by `2^levels`.
 * @param targetImages the same shape.
 * @throws {@link ShapeError} for different shapes or sizes that do not allow `levels` scales;
 *   {@link ConfigError} for a bad option.
 *
 * @example
 * ```ts
 * const student = tf.randomUniform([2, 64, 64, 3], -1, 1) as tf.Tensor4D;
 * const teacher = tf.randomUniform([2, 64, 64, 3], -1, 1) as tf.Tensor4D;
 * const loss = waveletLoss(student, teacher, { levels: 3 }); // scalar
 * ```
 */
export function waveletLoss(
  predImages: tf.Tensor4D,
  targetImages: tf.Tensor4D,
  options: WaveletLossOptions = {},
): tf.Scalar {
  assertSameShape('predImages', predImages, 'targetImages', targetImages);
  assertRank('predImages', predImages, 4);
  assertOptions('options', options, KNOWN);
  const levels = options.levels ?? 1;
  assertInt('options.levels', levels, 1);
  const [, h, wd] = predImages.shape;
  if (levels > maxHaarLevels(h, wd))
    throw new ShapeError('predImages', predImages.shape, `height and width divisible by 2^levels = ${2 ** levels}`);
  const w = { l1: options.l1 ?? 1, l2: options.l2 ?? 1, pixel: options.pixel ?? 1, wavelet: options.wavelet ?? 1 };
  for (const [key, value] of Object.entries(w)) assertWeight(`options.${key}`, value);
  const resize = options.resize ?? 'haar';
  assertOneOf('options.resize', resize, ['haar', 'bilinear'] as const);
  return tf.tidy(() => {
    const pred = waveletPyramid(predImages, levels, { resize });
    const target = waveletPyramid(targetImages, levels, { resize });
    const term = (a: tf.Tensor, b: tf.Tensor, weight: number): tf.Tensor => {
      const d = tf.sub(a, b);
      return tf.mul(tf.add(tf.mul(tf.mean(tf.abs(d)), w.l1), tf.mul(tf.mean(tf.square(d)), w.l2)), weight);
    };
    let total: tf.Tensor = tf.scalar(0);
    pred.forEach((p, k) => {
      const t = target[k] as (typeof target)[number];
      total = tf.add(total, tf.add(term(p.image, t.image, w.pixel), term(p.coeffs, t.coeffs, w.wavelet)));
    });
    return total as tf.Scalar;
  });
}
