import type * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../util/index.js';
import { assertFinite } from '../util/index.js';
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

/**
 * Structural similarity (Wang et al. 2004) as skimage's
 * `structural_similarity(a, b, data_range=maxVal, channel_axis=-1, gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False)`: local means, variances and covariance from a
 * Gaussian window (σ = 1.5, 11 taps, scipy's 'reflect' boundary), the SSIM map averaged after
 * cropping 5 pixels from every side, then the mean over channels — and, for `[N, H, W, C]`,
 * over images. Float64 JavaScript; images must be at least 11×11.
 *
 * @param a reference image(s) `[H, W, C]` or `[N, H, W, C]`
 * @param b distorted image(s), same shape
 * @example
 * ```ts
 * ssim(realImages, fakeImages, { maxVal: 1 }); // e.g. 0.87 (pixel values in [0, 1])
 * ```
 */
export function ssim(a: tf.Tensor, b: tf.Tensor, options: SsimOptions): number {
  assertFinite('options.maxVal', options?.maxVal, { positive: true });
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
  return total / (p.n * p.c);
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
      sum += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    }
  }
  return sum / ((h - 2 * pad) * (w - 2 * pad));
}
