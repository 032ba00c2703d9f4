import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';

/** The leading `sizes` block of `t` (prefix slice on every axis); `t` itself when nothing is cut. */
export function prefix<T extends tf.Tensor>(t: T, sizes: readonly number[]): T {
  if (sizes.every((s, i) => s === t.shape[i])) return t;
  return tf.slice<tf.Rank, T>(
    t,
    sizes.map(() => 0),
    sizes as number[],
  );
}

/** `perm` expanded to blocks of `m` consecutive entries (channel `i` → entries `i·m … i·m + m − 1`). */
export function expandPermutation(perm: readonly number[], m: number): number[] {
  if (m === 1) return [...perm];
  const out: number[] = [];
  for (const p of perm) for (let j = 0; j < m; j++) out.push(p * m + j);
  return out;
}

/** Throws unless `perm` is a permutation of `0 … n − 1`. */
export function checkPermutation(argument: string, perm: readonly number[], n: number): void {
  const seen = new Uint8Array(n);
  const ok =
    perm.length === n &&
    perm.every((p) => Number.isInteger(p) && p >= 0 && p < n && seen[p] === 0 && (seen[p] = 1) === 1);
  if (!ok)
    throw new ConfigError(
      argument,
      perm.length > 12 ? `${perm.length} entries` : perm,
      `a permutation of 0 … ${n - 1}`,
    );
}

/**
 * Re-orders axis `axis` of a weight by `perm` (blocks of `block` entries move together). No
 * gradient is recorded. The permutation is done on the host: tfjs's wasm backend keeps the 4-D
 * shape of a gather's internal result for a 1-D output, which later breaks fused ops reading it.
 */
export function permuteWeight(variable: tfl.LayerVariable, axis: number, perm: readonly number[], block = 1): void {
  const value = variable.read();
  const shape = value.shape as number[];
  const full = expandPermutation(perm, block);
  checkPermutation(`${variable.name} permutation`, full, shape[axis] as number);
  const src = value.dataSync();
  const dst = new Float32Array(src.length);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const size = shape[axis] as number;
  const outer = src.length / (inner * size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < size; i++) {
      const from = (o * size + (full[i] as number)) * inner;
      dst.set(src.subarray(from, from + inner), (o * size + i) * inner);
    }
  }
  tf.tidy(() => {
    variable.write(tf.tensor(dst, shape, 'float32'));
  });
}

/** L1 norm of `t` summed over every axis but `axis` (length `t.shape[axis] / block`, blocks summed). */
export function l1PerIndex(t: tf.Tensor, axis: number, block = 1): Float32Array {
  const sums = tf.tidy(() => {
    const others = t.shape.map((_, i) => i).filter((i) => i !== axis);
    const perEntry = tf.sum(tf.abs(t), others);
    return block === 1 ? perEntry : tf.sum(tf.reshape(perEntry, [-1, block]), 1);
  });
  const data = sums.dataSync() as Float32Array;
  sums.dispose();
  return Float32Array.from(data);
}

/**
 * Fills a static layer with copies of the tensors `compute` makes inside a tidy (slices of an
 * elastic layer's variables) and frees the copies: `setWeights` keeps its own.
 */
export function fillWeights(layer: tfl.layers.Layer, compute: () => tf.Tensor[]): void {
  const values = tf.tidy(() => compute().map((t) => tf.clone(t)));
  layer.setWeights(values);
  tf.dispose(values);
}
