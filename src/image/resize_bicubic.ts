import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../util/index.js';
import { bicubicWeights } from './bicubic_weights.js';
import { assertImages } from './checks.js';

/** Options of {@link resizeBicubic}. */
export interface ResizeBicubicOptions {
  /**
   * Stretch the kernel by the downscale factor so that it averages over every input pixel an
   * output pixel covers, as PIL's `Image.resize` does (default `true`). Without it, a downscale
   * samples the image with the plain 4-tap interpolation kernel and aliases. Upscales are the
   * same either way.
   */
  antialias?: boolean;
  /**
   * Clamp the result of each pass (after the horizontal pass, and the output) to `[low, high]`,
   * as PIL does for 8-bit images: `[0, 255]` or `[0, 1]`. Without it (the default) the op is
   * linear and the output may overshoot the input's range near edges.
   */
  clamp?: readonly [number, number];
}

function checkSize(size: unknown): [number, number] {
  const valid =
    Array.isArray(size) &&
    size.length === 2 &&
    size.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 1);
  if (!valid) throw new ConfigError('size', size, '[height, width], two integers >= 1');
  return [size[0] as number, size[1] as number];
}

function checkOptions(options: unknown): { antialias: boolean; clamp: [number, number] | null } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError('options', options, 'an object { antialias?, clamp? }');
  }
  for (const [key, value] of Object.entries(options)) {
    if (key !== 'antialias' && key !== 'clamp') {
      throw new ConfigError(`options.${key}`, value, "no such option (resizeBicubic has 'antialias' and 'clamp')");
    }
  }
  const { antialias = true, clamp } = options as ResizeBicubicOptions;
  if (typeof antialias !== 'boolean') throw new ConfigError('options.antialias', antialias, 'true or false');
  if (clamp === undefined) return { antialias, clamp: null };
  const valid =
    Array.isArray(clamp) &&
    clamp.length === 2 &&
    clamp.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    clamp[0] < clamp[1];
  if (!valid) throw new ConfigError('options.clamp', clamp, '[low, high], finite numbers with low < high');
  return { antialias, clamp: [clamp[0], clamp[1]] };
}

/**
 * Resizes NHWC images with bicubic resampling, equal to PIL's
 * `Image.resize((width, height), Image.BICUBIC)`: Keys' cubic kernel (a = −0.5) on pixel centres
 * (output pixel o samples input position (o + ½)·in/out − ½), taps outside the image dropped and
 * the remaining weights renormalised, the width resampled first and then the height. On a
 * downscale by a factor s the kernel is stretched to 4s input pixels wide (`antialias`, the
 * default), so every input pixel contributes: the low-resolution images of super-resolution
 * benchmarks are made this way (×4 by PIL or MATLAB's `imresize`). With `antialias: false` a
 * downscale is plain bicubic interpolation: the same kernel with 4 taps at any scale.
 *
 * PIL rounds 8-bit images to integers after each pass and clamps them to [0, 255]; with
 * `clamp: [0, 255]` this op clamps at the same places but keeps the fraction, so rounding its
 * output gives PIL's pixels within 1 grey level (most equal, see docs/images.md).
 *
 * Each pass is one matrix product with a precomputed `[out, in]` weight matrix (banded: at most
 * 4s + 1 non-zero entries a row), so the op is differentiable and fast on wasm. Matrices are
 * computed once per (in, out, antialias) and reused.
 *
 * @param images float32 `[H, W, C]` or `[N, H, W, C]`, any value range.
 * @param size `[height, width]` of the output (tfjs order, as `tf.image.resizeBilinear`; PIL's
 *   `resize` takes `(width, height)`).
 * @returns float32 images of the same rank, `[height, width]` in place of `[H, W]`.
 * @throws {@link ShapeError} for a rank other than 3 or 4 or an empty axis; {@link ConfigError}
 *   for a dtype other than float32, a bad size or a bad option.
 *
 * @example
 * ```ts
 * const hr = tf.randomUniform([1, 256, 256, 3], 0, 255) as tf.Tensor4D;
 * const lr = resizeBicubic(hr, [64, 64]);                      // antialiased ×4 downscale
 * const pil = tf.round(resizeBicubic(hr, [64, 64], { clamp: [0, 255] })); // PIL's uint8 pixels ±1
 * const up = resizeBicubic(lr, [256, 256]);                    // the bicubic ×4 baseline
 * ```
 */
export function resizeBicubic<T extends tf.Tensor3D | tf.Tensor4D>(
  images: T,
  size: readonly [number, number],
  options: ResizeBicubicOptions = {},
): T {
  assertImages('images', images);
  const [height, width] = checkSize(size);
  const { antialias, clamp } = checkOptions(options);
  return tf.tidy(() => {
    const x4 = (images.rank === 3 ? tf.expandDims(images, 0) : images) as tf.Tensor4D;
    const [n, inHeight, inWidth, c] = x4.shape;
    const limit = (t: tf.Tensor): tf.Tensor => (clamp === null ? t : tf.clipByValue(t, clamp[0], clamp[1]));
    let y: tf.Tensor = x4;
    if (width !== inWidth) {
      // [N·H, W, C] rows times the [width, W] matrix, broadcast over the rows.
      const wh = tf.tensor3d(bicubicWeights(inWidth, width, antialias), [1, width, inWidth]);
      y = limit(tf.matMul(wh, tf.reshape(y, [n * inHeight, inWidth, c])));
    }
    if (height !== inHeight) {
      // [N, H, width·C] columns times the [height, H] matrix.
      const wv = tf.tensor3d(bicubicWeights(inHeight, height, antialias), [1, height, inHeight]);
      y = limit(tf.matMul(wv, tf.reshape(y, [n, inHeight, width * c])));
    }
    if (width === inWidth && height === inHeight) y = limit(tf.clone(x4));
    const out = tf.reshape(y, [n, height, width, c]);
    return (images.rank === 3 ? tf.squeeze(out, [0]) : out) as T;
  });
}
