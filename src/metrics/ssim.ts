import type * as tf from '@tensorflow/tfjs-core';
import { assertFinite, assertKnownKeys, ConfigError, GanCompressError, ShapeError } from '../util/index.js';
import { gaussianFilter2d, gaussianKernel1d } from './gaussian_filter.js';
import { plane, readImagePair } from './images.js';

/** Options of {@link ssim}. */
export interface SsimOptions {
  /** The data range (required): 255 for 8-bit values, 1 for images in [0, 1]. */
  maxVal: number;
}

const SIGMA = 1.5;
const TRUNCATE = 3.5;
const K1 = 0.01;
const K2 = 0.03;
const MIN_DATA_RANGE = 1e-100;
const MAX_DATA_RANGE = 1e100;

/**
 * Structural similarity (Wang et al. 2004) as skimage's
 * `structural_similarity(a, b, data_range=maxVal, channel_axis=-1, gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False)`: local means, variances and covariance from a
 * Gaussian window (σ = 1.5, 11 taps, scipy's 'reflect' boundary), the SSIM map averaged after
 * cropping 5 pixels from every side, then the mean over channels — and, for `[N, H, W, C]`,
 * over images. Float64 JavaScript; images must be at least 11×11, their pixels finite (a
 * `ConfigError` names the first NaN or ±Infinity), and `maxVal` within [1e-100, 1e100].
 *
 * @param a reference image(s) `[H, W, C]` or `[N, H, W, C]`
 * @param b distorted image(s), same shape
 * @example
 * ```ts
 * ssim(realImages, fakeImages, { maxVal: 1 }); // e.g. 0.87 (pixel values in [0, 1])
 * ```
 */
export function ssim(a: tf.Tensor, b: tf.Tensor, options: SsimOptions): number {
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, 'an object { maxVal }');
  assertKnownKeys('options', options as unknown as Record<string, unknown>, ['maxVal'], 'an option of ssim');
  // (K·maxVal)² must neither overflow nor underflow to 0 (a constant image would give 0/0).
  assertFinite('options.maxVal', options.maxVal, { min: MIN_DATA_RANGE, max: MAX_DATA_RANGE });
  const p = readImagePair(a, b);
  const win = 2 * Math.floor(TRUNCATE * SIGMA + 0.5) + 1;
  if (p.h < win || p.w < win)
    throw new ShapeError('a', a.shape, `images of at least ${win}×${win} (the Gaussian window)`);
  const kernel = gaussianKernel1d(SIGMA, TRUNCATE);
  const c1 = (K1 * options.maxVal) ** 2;
  const c2 = (K2 * options.maxVal) ** 2;
  const pad = (win - 1) / 2;
  let total = 0;
  for (let i = 0; i < p.n; i++) {
    for (let ch = 0; ch < p.c; ch++) {
      const x = plane(p.a, p, i, ch);
      const y = plane(p.b, p, i, ch);
      total += meanSsimPlane(x, y, p.h, p.w, kernel, c1, c2, pad);
    }
  }
  const value = total / (p.n * p.c);
  if (!Number.isFinite(value))
    throw new GanCompressError(
      `ssim: the result is ${value}: pixel values of magnitude up to ${maxMagnitude(p)} lose the local variances to rounding for maxVal ${options.maxVal} (is maxVal the data range of the images?)`,
    );
  return value;
}

function maxMagnitude(p: { a: Float64Array; b: Float64Array }): number {
  let m = 0;
  for (const data of [p.a, p.b]) for (const v of data) m = Math.max(m, Math.abs(v));
  return m;
}

function meanSsimPlane(
  x: Float64Array,
  y: Float64Array,
  h: number,
  w: number,
  kernel: Float64Array,
  c1: number,
  c2: number,
  pad: number,
): number {
  const filter = (v: Float64Array): Float64Array => gaussianFilter2d(v, h, w, kernel);
  const ux = filter(x);
  const uy = filter(y);
  const uxx = filter(x.map((v) => v * v));
  const uyy = filter(y.map((v) => v * v));
  const uxy = filter(x.map((v, k) => v * (y[k] as number)));
  let sum = 0;
  for (let i = pad; i < h - pad; i++) {
    for (let j = pad; j < w - pad; j++) {
      const k = i * w + j;
      const mx = ux[k] as number;
      const my = uy[k] as number;
      const vx = (uxx[k] as number) - mx * mx;
      const vy = (uyy[k] as number) - my * my;
      const vxy = (uxy[k] as number) - mx * my;
      // Two ratios, each in [−1, 1], rather than one: the products of numerators and of
      // denominators overflow for large pixel values.
      sum += ((2 * mx * my + c1) / (mx * mx + my * my + c1)) * ((2 * vxy + c2) / (vx + vy + c2));
    }
  }
  return sum / ((h - 2 * pad) * (w - 2 * pad));
}
