import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

type Numeric = tf.Tensor | ArrayLike<number> | number;

function toArray(x: Numeric): { values: Float64Array; shape: number[] | null } {
  if (x instanceof tf.Tensor) return { values: Float64Array.from(x.dataSync()), shape: x.shape };
  if (typeof x === 'number') return { values: Float64Array.of(x), shape: null };
  return { values: Float64Array.from(x), shape: null };
}

/** Largest |a − b| over all elements (shapes must match when both are tensors). */
export function maxAbsDiff(actual: Numeric, expected: Numeric): number {
  const a = toArray(actual);
  const b = toArray(expected);
  if (a.shape != null && b.shape != null) expect(a.shape, 'shape').toEqual(b.shape);
  expect(a.values.length, 'element count').toBe(b.values.length);
  let max = 0;
  for (let i = 0; i < a.values.length; i++) {
    const d = Math.abs((a.values[i] as number) - (b.values[i] as number));
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    if (d > max) max = d;
  }
  return max;
}

/** Largest |value|. */
export function maxAbs(x: Numeric): number {
  return toArray(x).values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/**
 * Asserts element-wise closeness: max |a − b| <= atol + rtol · max |b|. The failure message
 * shows the worst element.
 */
export function expectClose(actual: Numeric, expected: Numeric, atol = 1e-5, rtol = 0, label = ''): void {
  const a = toArray(actual);
  const b = toArray(expected);
  if (a.shape != null && b.shape != null) expect(a.shape, `${label} shape`).toEqual(b.shape);
  expect(a.values.length, `${label} element count`).toBe(b.values.length);
  const tol = atol + rtol * maxAbs(expected);
  let worst = -1;
  let worstDiff = 0;
  for (let i = 0; i < a.values.length; i++) {
    const d = Math.abs((a.values[i] as number) - (b.values[i] as number));
    if (!(d <= worstDiff)) {
      worstDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      worst = i;
    }
  }
  if (worstDiff > tol) {
    throw new Error(
      `${label} not close: max |diff| ${worstDiff} > ${tol} at flat index ${worst} (actual ${a.values[worst]}, expected ${b.values[worst]})`,
    );
  }
}

/**
 * Runs `fn` and asserts it leaves `tf.memory().numTensors` unchanged (what it returns must be
 * disposed by `fn` itself or returned as plain data).
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  expect(after - before, 'tensors leaked').toBe(0);
  return result;
}

/** Deterministic pseudo-random float32 tensor in [-1, 1) (no tfjs RNG involved). */
export function seededTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    data[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return tf.tensor(data, shape);
}
