import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../util/index.js';

/** Throws unless `x` is a float tensor (a loss on int or bool tensors is a caller's mistake). */
export function assertFloatTensor(argument: string, x: unknown): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new ConfigError(argument, x, 'a tf.Tensor');
  if (x.isDisposed) throw new ConfigError(argument, 'a disposed tensor', 'a live tf.Tensor');
  if (x.dtype !== 'float32') throw new ConfigError(`${argument}.dtype`, x.dtype, "'float32'");
}

/** Throws unless `a` and `b` are float tensors of one shape (the pairs a loss compares). */
export function assertSameShape(nameA: string, a: unknown, nameB: string, b: unknown): void {
  assertFloatTensor(nameA, a);
  assertFloatTensor(nameB, b);
  if (!tf.util.arraysEqual(a.shape, b.shape))
    throw new ShapeError(nameB, b.shape, `the shape of ${nameA}, [${a.shape.join(',')}]`);
}

/** Throws unless `value` is a finite number ≥ 0 (a loss weight: 0 switches a term off). */
export function assertWeight(argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new ConfigError(argument, value, 'a finite number >= 0');
}

/** Throws unless `value` is a plain object (an options argument), naming the keys it may have. */
export function assertOptions(argument: string, value: unknown, known: readonly string[]): void {
  if (value == null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor)
    throw new ConfigError(argument, value, `an object with some of ${known.join(', ')}`);
  for (const key of Object.keys(value))
    if (!known.includes(key))
      throw new ConfigError(
        `${argument}.${key}`,
        (value as Record<string, unknown>)[key],
        `no such option (known: ${known.join(', ')})`,
      );
}
