import type * as tf from '@tensorflow/tfjs-core';
import { assertFinite } from '../util/index.js';
import { readImagePair } from './images.js';

/**
 * Peak signal-to-noise ratio in dB, 10·log10(maxVal² / MSE), as skimage's
 * `peak_signal_noise_ratio(a, b, data_range=maxVal)`: the MSE over all pixels and channels of an
 * image, in float64. For a batch `[N, H, W, C]` the mean of the N per-image values (the average
 * PSNR papers report over a test set). Identical images give Infinity, and only they do. Empty
 * images and NaN or infinite pixels are refused (`ShapeError`, `ConfigError` naming the first bad
 * pixel, e.g. `a[0][3][2][1]`).
 *
 * @param a reference image(s) `[H, W, C]` or `[N, H, W, C]`
 * @param b distorted image(s), same shape
 * @param maxVal the data range: 255 for 8-bit values, 1 for images in [0, 1]
 * @example
 * ```ts
 * psnr(realImages, fakeImages, 255); // dB, e.g. 28.4 (pixel values in [0, 255])
 * ```
 */
export function psnr(a: tf.Tensor, b: tf.Tensor, maxVal: number): number {
  assertFinite('maxVal', maxVal, { positive: true });
  const p = readImagePair(a, b);
  const size = p.h * p.w * p.c;
  // 20·log10(maxVal) − 10·log10(MSE) rather than 10·log10(maxVal² / MSE): maxVal² overflows for
  // maxVal > 1e154 (and underflows below 1e-154), which would make different images score ±∞.
  const peak = 20 * Math.log10(maxVal);
  let total = 0;
  for (let i = 0; i < p.n; i++) {
    let sum = 0;
    for (let k = i * size; k < (i + 1) * size; k++) sum += ((p.a[k] as number) - (p.b[k] as number)) ** 2;
    total += peak - 10 * Math.log10(sum / size);
  }
  return total / p.n;
}
