import * as tf from '@tensorflow/tfjs-core';
import { assertIntList, ConfigError, ShapeError } from '../../util/index.js';

/** One OFA kernel transformation: `from`×`from` → `to`×`to`, a `to²×to²` matrix named `${from}to${to}`. */
export interface KernelTransformPair {
  name: string;
  from: number;
  to: number;
}

/**
 * The transformation matrices an elastic kernel with these kernel sizes needs: one per
 * consecutive pair, largest first (`[3, 5, 7]` → `7to5` (25×25), `5to3` (9×9)). The sizes must be
 * strictly increasing and of one parity (each a centred window of the next); a `ConfigError`
 * names `choices` otherwise.
 *
 * @example
 * ```ts
 * kernelTransformPairs([3, 5, 7]); // [{ name: '7to5', from: 7, to: 5 }, { name: '5to3', from: 5, to: 3 }]
 * ```
 */
export function kernelTransformPairs(choices: readonly number[]): KernelTransformPair[] {
  assertIntList('choices', choices, { min: 1, minLength: 1, increasing: true });
  const largest = choices[choices.length - 1] as number;
  if (choices.some((k) => (largest - k) % 2 !== 0))
    throw new ConfigError('choices', choices, 'kernel sizes of one parity (each a centred window of the next)');
  const pairs: KernelTransformPair[] = [];
  for (let i = choices.length - 1; i > 0; i--) {
    const from = choices[i] as number;
    const to = choices[i - 1] as number;
    pairs.push({ name: `${from}to${to}`, from, to });
  }
  return pairs;
}

/** The centred `k`×`k` window of a `[K, K, ...]` kernel (rows `[K//2 − k//2, K//2 − k//2 + k)`). */
export function centreCrop(kernel: tf.Tensor4D, k: number): tf.Tensor4D {
  const [kh, kw, a, b] = kernel.shape;
  if (kh !== kw || k > kh || (kh - k) % 2 !== 0)
    throw new ShapeError('kernel', kernel.shape, `a square kernel that a centred ${k}×${k} window fits`);
  if (k === kh) return kernel;
  const start = Math.floor(kh / 2) - Math.floor(k / 2);
  return tf.slice(kernel, [start, start, 0, 0], [k, k, a, b]);
}

/**
 * OFA's elastic kernel: from the full `[K, K, a, b]` kernel down to `k`×`k`, repeatedly
 * centre-crop to the next smaller size `t` and multiply every `t×t` patch, flattened row-major,
 * by that step's matrix (`y = M·x`, one matrix shared by all channels), until `t = k`. With
 * identity matrices this is the plain centre crop. `matrices` maps pair names (`'7to5'`) to
 * `[t², t²]` tensors; matrices copied from OFA's PyTorch weights need no transpose.
 *
 * @example
 * ```ts
 * const kernel7 = tf.randomNormal([7, 7, 16, 32]) as tf.Tensor4D;
 * // identity matrices give the plain centre crop; a trained OnceForAllConv holds learned ones
 * const k3 = elasticKernel(kernel7, 3, [3, 5, 7], { '7to5': tf.eye(25), '5to3': tf.eye(9) });
 * console.log(k3.shape); // [3, 3, 16, 32]
 * ```
 */
export function elasticKernel(
  kernel: tf.Tensor4D,
  k: number,
  choices: readonly number[],
  matrices: Record<string, tf.Tensor>,
): tf.Tensor4D {
  const max = choices[choices.length - 1];
  if (kernel.shape[0] !== max)
    throw new ShapeError('kernel', kernel.shape, `a ${max}×${max} kernel (the largest choice)`);
  if (!choices.includes(k)) throw new ConfigError('k', k, `one of ${JSON.stringify(choices)}`);
  if (k === max) return kernel;
  return tf.tidy(() => {
    let current = kernel;
    for (const pair of kernelTransformPairs(choices)) {
      const m = matrices[pair.name];
      const t2 = pair.to * pair.to;
      if (m == null || m.rank !== 2 || m.shape[0] !== t2 || m.shape[1] !== t2) {
        throw new ShapeError(`matrices['${pair.name}']`, m?.shape ?? [], `[${t2},${t2}]`);
      }
      const [, , a, b] = current.shape;
      const flat = tf.reshape(centreCrop(current, pair.to), [t2, a * b]);
      current = tf.reshape(tf.matMul(m as tf.Tensor2D, flat), [pair.to, pair.to, a, b]);
      if (pair.to === k) break;
    }
    return current;
  });
}
