import * as tf from '@tensorflow/tfjs-core';
import { assertInt, assertRank } from '../../util/index.js';

/**
 * The source index of each of `outSize` output positions under PyTorch's `'nearest'` rule
 * (`F.interpolate(mode='nearest')`, `nn.Upsample`): the identity at equal sizes, `i >> 1` when
 * doubling, otherwise `min(floor(i · (in / out)), in − 1)` computed in float32 as PyTorch does (so
 * the few ratios where float32 rounding moves the floor give PyTorch's index, not the exact one).
 *
 * @example
 * ```ts
 * nearestIndices(8, 4); // [0, 2, 4, 6]
 * nearestIndices(2, 4); // [0, 0, 1, 1]
 * ```
 */
export function nearestIndices(inSize: number, outSize: number): number[] {
  assertInt('inSize', inSize, 1);
  assertInt('outSize', outSize, 1, 65536); // an array of outSize indices
  if (inSize === outSize) return Array.from({ length: outSize }, (_, i) => i);
  if (outSize === 2 * inSize) return Array.from({ length: outSize }, (_, i) => i >> 1);
  const scale = Math.fround(inSize / outSize);
  return Array.from({ length: outSize }, (_, i) => Math.min(Math.floor(Math.fround(i * scale)), inSize - 1));
}

/**
 * Nearest-neighbour resizing of an NHWC batch to `[height, width]` with PyTorch's index rule
 * ({@link nearestIndices}), as `F.interpolate(x, size, mode='nearest')`: SPADE resizes its
 * segmentation map to each feature map with it, GauGAN downsamples the map to its latent size,
 * MUNIT's decoder upsamples ×2. Written as two gathers, so its gradient (a scatter-add) exists on
 * every backend.
 *
 * @example
 * ```ts
 * const seg = tf.oneHot(tf.zeros([1, 256, 512], 'int32'), 36) as tf.Tensor4D;
 * const small = resizeNearest(seg, [4, 8]); // [1, 4, 8, 36]
 * ```
 */
export function resizeNearest(x: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  assertRank('x', x, 4);
  const [h, w] = size;
  assertInt('size[0]', h, 1);
  assertInt('size[1]', w, 1);
  const [, inH, inW] = x.shape;
  if (x.size === 0) return tf.zeros([x.shape[0], h, w, x.shape[3]]); // tfjs-wasm's gather mis-shapes empty tensors
  return tf.tidy(() => {
    let y: tf.Tensor4D = x;
    if (inH !== h) y = tf.gather(y, tf.tensor1d(nearestIndices(inH, h), 'int32'), 1);
    if (inW !== w) y = tf.gather(y, tf.tensor1d(nearestIndices(inW, w), 'int32'), 2);
    return y === x ? tf.clone(x) : y;
  });
}
