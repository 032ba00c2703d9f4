import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index.js';
import { expectClose } from '../helpers/tensors.js';

/** Σ over `axes` in float64, element by element. */
function sumReference(
  values: ArrayLike<number>,
  shape: number[],
  axes: number[],
): { values: number[]; shape: number[] } {
  const keep = shape.map((_, i) => !axes.includes(i));
  const outShape = shape.filter((_, i) => keep[i]);
  const out = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let at = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = rest % (shape[d] as number);
      rest = Math.floor(rest / (shape[d] as number));
      if (keep[d]) {
        at += i * stride;
        stride *= shape[d] as number;
      }
    }
    out[at]! += values[flat] as number;
  }
  return { values: out, shape: outShape };
}

describe('Sum on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('equals a float64 sum for any axes of float32 tensors of rank 1–5 (leading axes take the row-sum path)', () => {
    const sumCase = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        axes: fc.oneof(
          fc.integer({ min: 1, max: shape.length }).map((k) => Array.from({ length: k }, (_, i) => i)), // leading
          fc.subarray(
            shape.map((_, i) => i),
            { minLength: 1 },
          ),
        ),
        keepDims: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(sumCase, ({ shape, axes, keepDims }) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 10 + 3);
        const x = tf.tensor(values, shape);
        const y = tf.sum(x, axes, keepDims);
        const want = sumReference(values, shape, axes);
        expect(y.shape).toEqual(keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : want.shape);
        expectClose(y.dataSync(), want.values, 1e-4, 1e-6);
        tf.dispose([x, y]);
      }),
      { seed: 17, numRuns: 200 },
    );
  });

  it('a conv bias gradient (axes 0–2 of NHWC) over 65 536 rows stays accurate (float64 totals)', () => {
    const x = tf.add(tf.zeros([4, 128, 128, 8]), tf.tensor1d([1e3, 0.1, -3, 7, 1e-3, 2, 5, 9]));
    const y = tf.sum(x, [0, 1, 2]);
    expectClose(
      y,
      [1e3, 0.1, -3, 7, 1e-3, 2, 5, 9].map((v) => Math.fround(v) * 65536),
      0,
      1e-6,
    );
    tf.dispose([x, y]);
  });

  it('int32 sums, full reductions and empty tensors still go through the package kernel', () => {
    const a = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
      ],
      undefined,
      'int32',
    );
    expect(Array.from(tf.sum(a, 0).dataSync())).toEqual([4, 6]);
    expect(tf.sum(tf.ones([3, 5])).dataSync()[0]).toBe(15);
    expect(Array.from(tf.sum(tf.zeros([0, 5]), 0).dataSync())).toEqual([0, 0, 0, 0, 0]);
    a.dispose();
  });
});
