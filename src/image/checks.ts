import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../util/index.js';

/**
 * Throws unless `x` is a float32 image `[H, W, C]` or batch `[N, H, W, C]` with non-empty axes
 * (and, when given, `channels` channels).
 */
export function assertImages(argument: string, x: unknown, channels?: number): asserts x is tf.Tensor3D | tf.Tensor4D {
  const expected = `a float32 tf.Tensor3D [H, W, ${channels ?? 'C'}] or tf.Tensor4D [N, H, W, ${channels ?? 'C'}]`;
  if (!(x instanceof tf.Tensor)) throw new ConfigError(argument, x, expected);
  const t = x as tf.Tensor;
  if (t.rank !== 3 && t.rank !== 4) throw new ShapeError(argument, t.shape, `rank 3 or 4 (${expected})`);
  if (t.shape.some((d) => d === 0)) throw new ShapeError(argument, t.shape, 'no empty axis');
  if (channels !== undefined && t.shape[t.rank - 1] !== channels) {
    throw new ShapeError(argument, t.shape, `${channels} channels on the last axis (${expected})`);
  }
  if (t.dtype !== 'float32') {
    throw new ConfigError(`${argument}.dtype`, t.dtype, "'float32' (convert with tf.cast(x, 'float32'))");
  }
}
