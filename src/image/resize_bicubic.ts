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
 * 4s + 1 non-zero entries a row), so the op is differentiable and fast on wasm (see
 * docs/benchmarks.md). Matrices are computed once per (in, out, antialias) and reused.
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
    // Each pass brings the resampled axis first and multiplies by the [out, in] matrix: one 2-D
    // matMul over every other axis at once. (A batched matMul over NHWC rows with C = 3 columns
    // is several times slower on wasm.) The channel axis stays last, so transposes move C-long runs.
    let y: tf.Tensor = x4;
    let layout: 'NHWC' | 'WNHC' = 'NHWC';
    if (width !== inWidth) {
      const rows = tf.reshape(permute(x4, [2, 0, 1, 3]), [inWidth, n * inHeight * c]);
      y = tf.reshape(limit(resamplePass(inWidth, width, antialias)(rows)), [width, n, inHeight, c]);
      layout = 'WNHC';
    }
    if (height !== inHeight) {
      const cols = permute(y, layout === 'WNHC' ? [2, 1, 0, 3] : [1, 0, 2, 3]); // [H, N, width, C]
      const product = resamplePass(inHeight, height, antialias)(tf.reshape(cols, [inHeight, n * width * c]));
      y = permute(tf.reshape(limit(product), [height, n, width, c]), [1, 0, 2, 3]);
    } else if (layout === 'WNHC') {
      y = permute(y, [1, 2, 0, 3]);
    } else {
      y = limit(tf.clone(x4));
    }
    return (images.rank === 3 ? tf.squeeze(y, [0]) : y) as T;
  });
}

/**
 * One resampling pass: `[in, rest]` → `[out, rest]`, the weight matrix times x. Its gradient is
 * the transposed matrix times dy, built explicitly: on wasm a matMul with `transposeA` (what
 * matMul's own gradient uses) is about 3× slower than one with a transposed copy.
 */
function resamplePass(inSize: number, outSize: number, antialias: boolean): (x: tf.Tensor) => tf.Tensor {
  const weights = bicubicWeights(inSize, outSize, antialias);
  return tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.matMul(tf.tensor2d(weights, [outSize, inSize]), inputs[0] as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor): tf.Tensor => {
      const transposed = new Float32Array(inSize * outSize);
      for (let o = 0; o < outSize; o++) {
        for (let i = 0; i < inSize; i++) transposed[i * outSize + o] = weights[o * inSize + i] as number;
      }
      return tf.matMul(tf.tensor2d(transposed, [inSize, outSize]), dy);
    },
  }));
}

/** tf.transpose, or a reshape when the permutation only moves axes of size 1 (no copy). */
function permute(x: tf.Tensor, perm: number[]): tf.Tensor {
  const moved = perm.filter((axis) => x.shape[axis] !== 1);
  const kept = moved.every((axis, i) => i === 0 || axis > (moved[i - 1] as number));
  return kept
    ? tf.reshape(
        x,
        perm.map((axis) => x.shape[axis] as number),
      )
    : tf.transpose(x, perm);
}
