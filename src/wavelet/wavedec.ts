import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../util/index.js';
import { assertInt, assertRank } from '../util/index.js';
import { haarDwt, haarIdwt } from './haar.js';

/** A multi-level Haar decomposition, as {@link haarWavedec} returns it. */
export interface HaarDecomposition {
  /** The coarsest approximation (LL of the last level), `[N, H/2^L, W/2^L, C]`. */
  low: tf.Tensor4D;
  /**
   * The detail bands of each level, finest first: `details[k]` is `[N, H/2^(k+1), W/2^(k+1), 3C]`,
   * band-major `[LH | HL | HH]` (pywt's cH, cV, cD).
   */
  details: tf.Tensor4D[];
}

/**
 * The largest number of Haar levels an `H×W` input allows: each level halves both sizes, which
 * must be even.
 *
 * @example
 * ```ts
 * maxHaarLevels(96, 64); // 5 (96 = 3·2^5)
 * ```
 */
export function maxHaarLevels(height: number, width: number): number {
  assertInt('height', height, 1);
  assertInt('width', width, 1);
  let levels = 0;
  while (height % 2 === 0 && width % 2 === 0) {
    height /= 2;
    width /= 2;
    levels++;
  }
  return levels;
}

/** Throws unless an `[N, H, W, C]` tensor allows `levels` Haar levels. */
export function assertLevels(argument: string, x: tf.Tensor, levels: unknown): asserts levels is number {
  assertInt('levels', levels, 1);
  const [, h, w] = x.shape as number[];
  if (levels > maxHaarLevels(h as number, w as number)) {
    throw new ShapeError(
      argument,
      x.shape,
      `height and width divisible by 2^levels = ${2 ** levels} (levels = ${levels})`,
    );
  }
}

/**
 * Multi-level 2-D Haar decomposition (pywt's `wavedec2(x, 'haar', level=levels)` on the H and W
 * axes): {@link haarDwt} applied `levels` times to the low-pass band. Differentiable.
 *
 * Unlike pywt, which lists the coarsest level first, `details` is finest first.
 *
 * @param x `[N, H, W, C]` with H and W divisible by `2^levels`.
 * @param levels number of levels, ≥ 1.
 * @throws {@link ShapeError} when `x` is not rank 4 or its size does not allow `levels` levels;
 *   {@link ConfigError} when `levels` is not a positive integer.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([1, 64, 64, 3]) as tf.Tensor4D;
 * const { low, details } = haarWavedec(x, 3);
 * // low [1, 8, 8, 3]; details [1,32,32,9], [1,16,16,9], [1,8,8,9]
 * ```
 */
export function haarWavedec(x: tf.Tensor4D, levels: number): HaarDecomposition {
  assertRank('x', x, 4);
  assertLevels('x', x, levels);
  const c = x.shape[3];
  // Everything leaves through tidy's return value (not tf.keep), so that a caller's enclosing
  // tf.tidy still owns the result and frees it.
  return tf.tidy(() => {
    const details: tf.Tensor4D[] = [];
    let current = x;
    for (let level = 0; level < levels; level++) {
      const y = haarDwt(current);
      details.push(tf.slice(y, [0, 0, 0, c], [-1, -1, -1, 3 * c]));
      current = tf.slice(y, [0, 0, 0, 0], [-1, -1, -1, c]);
    }
    return { low: current, details };
  });
}

/**
 * Inverse of {@link haarWavedec} (pywt's `waverec2`): rebuilds `[N, H, W, C]` from the coarsest
 * approximation and the finest-first detail bands. Differentiable.
 *
 * @throws {@link ShapeError} when the shapes do not chain (each level twice the size of the next,
 *   3C detail channels for C low-pass channels); {@link ConfigError} when `details` is empty.
 *
 * @example
 * ```ts
 * const dec = haarWavedec(x, 3);
 * const back = haarWaverec(dec); // equals x up to float rounding
 * ```
 */
export function haarWaverec(dec: HaarDecomposition): tf.Tensor4D {
  const { low, details } = dec ?? ({} as HaarDecomposition);
  assertRank('dec.low', low, 4);
  if (!Array.isArray(details) || details.length === 0) {
    throw new ConfigError('dec.details', details, 'a non-empty array of detail tensors, finest first');
  }
  const [n, , , c] = low.shape;
  let [h, w] = [low.shape[1], low.shape[2]];
  for (let k = details.length - 1; k >= 0; k--) {
    const d = details[k] as tf.Tensor4D;
    assertRank(`dec.details[${k}]`, d, 4);
    if (d.shape[0] !== n || d.shape[1] !== h || d.shape[2] !== w || d.shape[3] !== 3 * c) {
      throw new ShapeError(
        `dec.details[${k}]`,
        d.shape,
        `[${n}, ${h}, ${w}, ${3 * c}] (the size of the level below it and 3·C channels)`,
      );
    }
    h *= 2;
    w *= 2;
  }
  return tf.tidy(() => {
    let current = low;
    for (let k = details.length - 1; k >= 0; k--)
      current = haarIdwt(tf.concat([current, details[k] as tf.Tensor4D], 3));
    return current;
  });
}
