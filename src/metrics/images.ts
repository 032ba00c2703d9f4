import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../util/index.js';

/** Two images or batches read into float64 planes for the full-reference metrics. */
export interface ImagePair {
  a: Float64Array;
  b: Float64Array;
  /** Images, height, width, channels (NHWC, a rank-3 input has n = 1). */
  n: number;
  h: number;
  w: number;
  c: number;
}

/**
 * Reads two `[H, W, C]` or `[N, H, W, C]` tensors of equal shape (float32 or int32) without
 * disposing them.
 */
export function readImagePair(a: tf.Tensor, b: tf.Tensor): ImagePair {
  for (const [name, x] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (!(x instanceof tf.Tensor))
      throw new ConfigError(name, x, 'a tf.Tensor3D [H, W, C] or tf.Tensor4D [N, H, W, C]');
    if (x.rank !== 3 && x.rank !== 4) throw new ShapeError(name, x.shape, 'rank 3 [H, W, C] or rank 4 [N, H, W, C]');
    if (x.dtype !== 'float32' && x.dtype !== 'int32')
      throw new ConfigError(`${name}.dtype`, x.dtype, "'float32' or 'int32'");
  }
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new ShapeError('b', b.shape, `[${a.shape.join(',')}], the shape of a`);
  }
  const [n, h, w, c] = (a.rank === 3 ? [1, ...a.shape] : a.shape) as [number, number, number, number];
  if (n === 0 || h === 0 || w === 0 || c === 0)
    throw new ShapeError(
      'a',
      a.shape,
      'images of at least 1×1 pixel with at least 1 channel (a metric of no pixels is undefined)',
    );
  const pair = { a: Float64Array.from(a.dataSync()), b: Float64Array.from(b.dataSync()), n, h, w, c };
  assertFinitePixels('a', pair.a, a.shape);
  assertFinitePixels('b', pair.b, b.shape);
  return pair;
}

/**
 * Throws a `ConfigError` naming the first non-finite value of an image tensor by its index
 * (`a[0][3][2][1]`): a NaN or ±Infinity pixel would make the metric NaN or infinite.
 */
function assertFinitePixels(argument: string, data: Float64Array, shape: readonly number[]): void {
  for (let k = 0; k < data.length; k++) {
    if (Number.isFinite(data[k])) continue;
    const index: number[] = [];
    let rest = k;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      index.unshift(rest % (shape[axis] as number));
      rest = Math.floor(rest / (shape[axis] as number));
    }
    throw new ConfigError(`${argument}${index.map((i) => `[${i}]`).join('')}`, data[k], 'a finite pixel value');
  }
}

/** The channel plane (image i, channel ch) of an NHWC array as a row-major h×w Float64Array. */
export function plane(data: Float64Array, p: ImagePair, i: number, ch: number): Float64Array {
  const out = new Float64Array(p.h * p.w);
  const base = i * p.h * p.w * p.c + ch;
  for (let k = 0; k < p.h * p.w; k++) out[k] = data[base + k * p.c] as number;
  return out;
}
