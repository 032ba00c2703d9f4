import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../../util/index.js';
import { assertFinite, assertInt, assertRank } from '../../util/index.js';

/** Options of {@link upfirdn2d}. */
export interface UpFirDnOptions {
  /** Zero-insertion factor before filtering (1 or more). Default 1. */
  up?: number;
  /** Zero padding `[before, after]` applied to both spatial axes after up-sampling. Default `[0, 0]`. */
  pads?: [number, number];
  /** Multiplies the normalised kernel (StyleGAN2 uses `up²` when up-sampling). Default 1. */
  gain?: number;
}

/** The 2-D kernel StyleGAN2 makes from a 1-D one: `outer(k, k) / Σ outer(k, k) · gain`. */
export function firKernel2d(kernel1d: readonly number[], gain = 1): Float32Array {
  checkKernel(kernel1d);
  const n = kernel1d.length;
  const sum = kernel1d.reduce((a, b) => a + b, 0) ** 2;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = ((kernel1d[i] as number) * (kernel1d[j] as number) * gain) / sum;
  return out;
}

/**
 * StyleGAN2's `upfirdn2d` without down-sampling, on NHWC: insert `up − 1` zeros after every
 * sample of both spatial axes, zero-pad by `pads`, then convolve every channel with the separable
 * FIR kernel `outer(k, k) / Σ outer(k, k) · gain` (a true convolution: the kernel is flipped).
 * Output size per axis: `up·n + before + after − k + 1`.
 *
 * @example
 * ```ts
 * // StyleGAN2's Blur after a stride-2 transposed 3×3 conv: (2h + 1) → 2h.
 * const y = tf.randomNormal([1, 17, 17, 8]) as tf.Tensor4D; // h = 8
 * const blurred = upfirdn2d(y, [1, 3, 3, 1], { pads: [1, 1], gain: 4 }); // [1, 16, 16, 8]
 * ```
 */
export function upfirdn2d(x: tf.Tensor4D, kernel1d: readonly number[], options: UpFirDnOptions = {}): tf.Tensor4D {
  assertRank('x', x, 4);
  const up = options.up ?? 1;
  assertInt('options.up', up, 1);
  const pads = options.pads ?? [0, 0];
  if (!Array.isArray(pads) || pads.length !== 2 || !pads.every((p) => Number.isInteger(p) && p >= 0)) {
    throw new ConfigError('options.pads', pads, '[before, after], non-negative integers');
  }
  const gain = options.gain ?? 1;
  assertFinite('options.gain', gain);
  const k = kernel1d.length;
  checkKernel(kernel1d);
  const [n, h, w, c] = x.shape;
  if (up * h + pads[0] + pads[1] < k || up * w + pads[0] + pads[1] < k) {
    throw new ShapeError(
      'x',
      x.shape,
      `a size that stays at least the kernel length ${k} after up-sampling by ${up} and padding [${pads.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    let y: tf.Tensor4D = x;
    if (up > 1) {
      const spread = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [
        [0, 0],
        [0, 0],
        [0, up - 1],
        [0, 0],
        [0, up - 1],
        [0, 0],
      ]);
      y = tf.reshape(spread, [n, h * up, w * up, c]);
    }
    if (pads[0] > 0 || pads[1] > 0) y = tf.pad(y, [[0, 0], pads, pads, [0, 0]]);
    // A convolution flips the kernel; tfjs's depthwise conv correlates, so flip it here.
    const flipped = [...kernel1d].reverse();
    const filter = tf.tile<tf.Tensor4D>(tf.tensor4d(firKernel2d(flipped, gain), [k, k, 1, 1]), [1, 1, c, 1]);
    return tf.depthwiseConv2d(y, filter, 1, 'valid');
  });
}

/**
 * StyleGAN2's `Upsample` (the skip path of its ToRGB heads): ×2 with the FIR kernel (default
 * `[1, 3, 3, 1]`), gain 4, pads `((p + 1)/2 + 1, p/2)` with `p = k − 2` — `h × w` → `2h × 2w`.
 *
 * @example
 * ```ts
 * const rgb = tf.randomNormal([1, 8, 8, 3]) as tf.Tensor4D;
 * const skip = firUpsample2d(rgb); // [1, 16, 16, 3]
 * ```
 */
export function firUpsample2d(x: tf.Tensor4D, kernel1d: readonly number[] = [1, 3, 3, 1]): tf.Tensor4D {
  return upfirdn2d(x, kernel1d, { up: 2, pads: firUpsamplePads(kernel1d.length), gain: 4 });
}

/** The pads of StyleGAN2's ×2 `Upsample` for a kernel of length `k`. */
export function firUpsamplePads(k: number): [number, number] {
  const p = k - 2;
  return [Math.floor((p + 1) / 2) + 1, Math.floor(p / 2)];
}

function checkKernel(kernel1d: readonly number[]): void {
  const values: unknown = kernel1d;
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    !values.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    (values as number[]).reduce((a, b) => a + b, 0) === 0
  ) {
    throw new ConfigError('kernel1d', kernel1d, 'a non-empty array of finite numbers with a non-zero sum');
  }
}
