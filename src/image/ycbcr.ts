import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, ConfigError } from '../util/index.js';
import { assertImages } from './checks.js';

/** Options of the colour conversions. */
export interface ColourRangeOptions {
  /**
   * The value of full intensity in the RGB images, which is also the scale of the YCbCr values:
   * `255` for 8-bit pixel values, `1` for images in [0, 1].
   */
  range: number;
}

/**
 * ITU-R BT.601 studio swing (MATLAB's `rgb2ycbcr`, skimage's `ycbcr_from_rgb`), rows Y, Cb, Cr,
 * for R, G, B in [0, 1] giving values on a 0–255 scale before the offsets below.
 */
const FORWARD: readonly (readonly [number, number, number])[] = [
  [65.481, 128.553, 24.966],
  [-37.797, -74.203, 112.0],
  [112.0, -93.786, -18.214],
];
/** Added to Y, Cb, Cr on the 0–255 scale. */
const OFFSET = [16, 128, 128] as const;

function inverse3(m: readonly (readonly [number, number, number])[]): number[][] {
  const e = (i: number, j: number): number => (m[i] as readonly number[])[j] as number;
  const cof = (i: number, j: number): number =>
    e((i + 1) % 3, (j + 1) % 3) * e((i + 2) % 3, (j + 2) % 3) -
    e((i + 1) % 3, (j + 2) % 3) * e((i + 2) % 3, (j + 1) % 3);
  const det = e(0, 0) * cof(0, 0) + e(0, 1) * cof(0, 1) + e(0, 2) * cof(0, 2);
  // inverse[i][j] = cofactor(j, i) / det (the cyclic indices carry the signs)
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => cof(j, i) / det));
}

const BACKWARD = inverse3(FORWARD);

function checkRange(options: unknown): number {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError('options', options, 'an object { range } (range: 255 for 8-bit values, 1 for [0, 1])');
  }
  for (const [key, value] of Object.entries(options)) {
    if (key !== 'range') throw new ConfigError(`options.${key}`, value, "no such option (only 'range')");
  }
  const { range } = options as ColourRangeOptions;
  assertFinite('options.range', range, { positive: true });
  return range;
}

/** `x` (last axis 3) times the transpose of `matrix`, plus `bias`: one 3×k matMul. */
function affine(x: tf.Tensor, matrix: number[][], bias: number[]): tf.Tensor {
  const k = matrix.length;
  const transposed = [0, 1, 2].map((j) => matrix.map((row) => row[j] as number));
  const flat = tf.reshape(x, [-1, 3]);
  const y = tf.add(tf.matMul(flat, tf.tensor2d(transposed, [3, k])), tf.tensor1d(bias));
  return tf.reshape(y, [...x.shape.slice(0, -1), k]);
}

/**
 * RGB to YCbCr, ITU-R BT.601 "studio swing" as MATLAB's `rgb2ycbcr` and skimage's
 * `color.rgb2ycbcr` define it. For R, G, B in [0, 1] on the 0–255 output scale:
 *
 * - Y = 16 + 65.481·R + 128.553·G + 24.966·B, in [16, 235]
 * - Cb = 128 − 37.797·R − 74.203·G + 112·B, in [16, 240]
 * - Cr = 128 + 112·R − 93.786·G − 18.214·B, in [16, 240]
 *
 * Inputs are taken in [0, `range`] and outputs given on the same scale: with `range: 255`,
 * 8-bit RGB values in and Y in [16, 235] out (skimage's numbers); with `range: 1`, RGB in [0, 1]
 * and Y in [16/255, 235/255]. Values outside the range are converted by the same affine map,
 * not clamped. Differentiable.
 *
 * @param images float32 `[H, W, 3]` or `[N, H, W, 3]`, RGB.
 * @returns the same shape, channels Y, Cb, Cr.
 * @throws {@link ShapeError} unless rank 3 or 4 with 3 channels; {@link ConfigError} for a
 *   non-float32 dtype or a missing or non-positive `range`.
 *
 * @example
 * ```ts
 * const rgb = tf.tensor3d([[[255, 255, 255]]]);
 * rgbToYCbCr(rgb, { range: 255 }); // [[[235, 128, 128]]]
 * ```
 */
export function rgbToYCbCr<T extends tf.Tensor3D | tf.Tensor4D>(images: T, options: ColourRangeOptions): T {
  assertImages('images', images, 3);
  const range = checkRange(options);
  return tf.tidy(() =>
    affine(
      images,
      FORWARD.map((row) => row.map((v) => v / 255)),
      OFFSET.map((o) => (o * range) / 255),
    ),
  ) as T;
}

/**
 * YCbCr to RGB, the inverse of {@link rgbToYCbCr} (skimage's `color.ycbcr2rgb`): Y, Cb, Cr on the
 * scale of `range` (Y in [16, 235]·range/255 for colours inside the RGB cube) back to R, G, B in
 * [0, `range`]. Not clamped: YCbCr values outside the image of the RGB cube give RGB values
 * outside [0, `range`]. Differentiable.
 *
 * @param images float32 `[H, W, 3]` or `[N, H, W, 3]`, channels Y, Cb, Cr.
 * @returns the same shape, RGB.
 * @throws {@link ShapeError} unless rank 3 or 4 with 3 channels; {@link ConfigError} for a
 *   non-float32 dtype or a missing or non-positive `range`.
 *
 * @example
 * ```ts
 * const ycc = tf.tensor3d([[[235, 128, 128]]]);
 * yCbCrToRgb(ycc, { range: 255 }); // [[[255, 255, 255]]] up to float rounding
 * ```
 */
export function yCbCrToRgb<T extends tf.Tensor3D | tf.Tensor4D>(images: T, options: ColourRangeOptions): T {
  assertImages('images', images, 3);
  const range = checkRange(options);
  // RGB = 255·M⁻¹·(YCbCr − offset·range/255)
  const matrix = BACKWARD.map((row) => row.map((v) => v * 255));
  const bias = matrix.map((row) => -row.reduce((s, v, j) => s + (v * (OFFSET[j] as number) * range) / 255, 0));
  return tf.tidy(() => affine(images, matrix, bias)) as T;
}

/**
 * The luma channel Y of {@link rgbToYCbCr} alone, the channel super-resolution papers compute
 * PSNR and SSIM on ("Y-PSNR"): Y = (16 + 65.481·R' + 128.553·G' + 24.966·B')·range/255 with
 * R' = R/range, so Y is in [16, 235] for `range: 255` and [16/255, 235/255] for `range: 1`.
 * Compare Y images with a peak of `range` (255 or 1), as the papers do.
 *
 * @param images float32 `[H, W, 3]` or `[N, H, W, 3]`, RGB in [0, `range`].
 * @returns `[H, W, 1]` or `[N, H, W, 1]`.
 * @throws {@link ShapeError} unless rank 3 or 4 with 3 channels; {@link ConfigError} for a
 *   non-float32 dtype or a missing or non-positive `range`.
 *
 * @example
 * ```ts
 * const sr = tf.randomUniform([1, 64, 64, 3], 0, 255) as tf.Tensor4D;
 * const y = rgbToY(sr, { range: 255 }); // [1, 64, 64, 1], values in [16, 235]
 * ```
 */
export function rgbToY<T extends tf.Tensor3D | tf.Tensor4D>(images: T, options: ColourRangeOptions): T {
  assertImages('images', images, 3);
  const range = checkRange(options);
  return tf.tidy(() =>
    affine(images, [(FORWARD[0] as readonly number[]).map((v) => v / 255)], [((OFFSET[0] as number) * range) / 255]),
  ) as T;
}
