import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../util/index.js';
import { float32, transposeArray } from './permute.js';
import type { TorchTensor } from './torch_tensor.js';

/**
 * A checkpoint tensor as a tfjs tensor (the caller disposes it): floating-point dtypes become
 * float32, integer ones int32 (refusing values outside int32's range), bool stays bool.
 * `perm`, when given, transposes it on the way (`[0, 2, 3, 1]` turns an NCHW activation or
 * constant into NHWC). For model weights, {@link loadTorchWeights} does all of this by name.
 *
 * @example
 * ```ts
 * const tensors = await readTorchCheckpoint('mobilestylegan.ckpt');
 * const styleMean = tensorFromTorch(tensors['style_mean'] as TorchTensor); // [1, 23, 512] float32
 * ```
 */
export function tensorFromTorch(t: TorchTensor, perm?: readonly number[]): tf.Tensor {
  if (t == null || typeof t !== 'object' || !Array.isArray(t.shape) || t.data == null)
    throw new ConfigError('t', t, 'a checkpoint tensor { shape, dtype, data }');
  if (perm != null && (perm.length !== t.shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)))
    throw new ConfigError('perm', perm, `a permutation of 0 … ${t.shape.length - 1}`);
  const shape = perm == null ? t.shape : perm.map((p) => t.shape[p] as number);
  if (t.data instanceof Float32Array || t.data instanceof Float64Array) {
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    return tf.tensor(perm == null ? data : transposeArray(data, t.shape, perm, float32), shape, 'float32');
  }
  let ints: Int32Array;
  if (t.data instanceof BigInt64Array) {
    ints = new Int32Array(t.data.length);
    t.data.forEach((v, i) => {
      if (v < -2147483648n || v > 2147483647n)
        throw new ConfigError(`t.data[${i}]`, `${v}n`, 'an integer in int32 range (tfjs has no int64)');
      ints[i] = Number(v);
    });
  } else ints = Int32Array.from(t.data as ArrayLike<number>);
  const values = perm == null ? ints : transposeArray(ints, t.shape, perm, (n) => new Int32Array(n));
  return t.dtype === 'bool' ? tf.tensor(Uint8Array.from(values), shape, 'bool') : tf.tensor(values, shape, 'int32');
}
