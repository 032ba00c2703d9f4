import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/index.js';
import { copySlice } from '../../src/backend/wasm_copy_kernels.js';
import { WASM_REPLACED_KERNELS } from '../../src/backend/wasm_package_kernels.js';
import { replacedWasmKernel } from '../../src/backend/wasm_kernel_registry.js';
import { expectNoLeak } from '../helpers/tensors.js';

/** The block [begin, begin + size) of a row-major array, element by element (the reference). */
function sliceReference(values: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const total = size.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let at = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = rest % (size[d] as number);
      rest = Math.floor(rest / (size[d] as number));
      at += ((begin[d] as number) + i) * stride;
      stride *= shape[d] as number;
    }
    out.push(values[at] as number);
  }
  return out;
}

/** A shape of rank 1–6 and a block inside it (any mix of whole, partial and empty axes). */
const sliceCase = fc
  .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 })
  .chain((shape) =>
    fc
      .tuple(
        ...shape.map((d) =>
          fc.integer({ min: 0, max: d }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))),
        ),
      )
      .map((axes) => ({ shape, begin: axes.map(([b]) => b), size: axes.map(([, s]) => s) })),
  );

describe('copySlice (the heap copy of the wasm Slice kernel)', () => {
  it('copies any block of any row-major array of rank 1–6, as element-by-element indexing does', () => {
    fc.assert(
      fc.property(sliceCase, fc.constantFrom(1, 4), ({ shape, begin, size }, bytes) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const values = Array.from({ length: n }, (_, i) => (i * 7 + 3) % 251);
        const heap = new Uint8Array(16 + n * bytes + size.reduce((a, b) => a * b, 1) * bytes + 16);
        const src = 16;
        const dst = src + n * bytes;
        const view = bytes === 4 ? new Int32Array(heap.buffer) : heap;
        values.forEach((v, i) => (view[src / bytes + i] = v));
        copySlice(heap, src, dst, shape, begin, size, bytes);
        const got = Array.from(view.subarray(dst / bytes, dst / bytes + size.reduce((a, b) => a * b, 1)));
        expect(got).toEqual(sliceReference(values, shape, begin, size));
        expect(Array.from(heap.subarray(0, 16))).toEqual(new Array<number>(16).fill(0)); // nothing written before the source
      }),
      { seed: 15, numRuns: 300 },
    );
  });
});

describe('Slice, Identity and Cast on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('replaces the kernels of the wasm package and keeps them', () => {
    for (const name of WASM_REPLACED_KERNELS) expect(replacedWasmKernel(name), name).toBeDefined();
  });

  it('tf.slice equals indexing for float32, int32 and bool tensors of rank 1–6', () => {
    fc.assert(
      fc.property(sliceCase, fc.constantFrom('float32', 'int32', 'bool'), ({ shape, begin, size }, dtype) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const values = Array.from({ length: n }, (_, i) =>
          dtype === 'bool' ? ((i * 5) % 3 === 0 ? 1 : 0) : i * 1.5 - 7,
        );
        const x = tf.tensor(dtype === 'int32' ? values.map(Math.round) : values, shape, dtype);
        const y = tf.slice(x, begin, size);
        expect(y.shape).toEqual(size);
        expect(y.dtype).toBe(dtype);
        expect(Array.from(y.dataSync())).toEqual(sliceReference(x.dataSync(), shape, begin, size));
        tf.dispose([x, y]);
      }),
      { seed: 16, numRuns: 200 },
    );
  });

  it('the slices model.predict and elastic layers take: the whole batch, a batch range, leading channels', () => {
    const x = tf.tensor4d(
      Float32Array.from({ length: 3 * 4 * 5 * 6 }, (_, i) => i),
      [3, 4, 5, 6],
    );
    const cases: [number[], number[]][] = [
      [
        [0, 0, 0, 0],
        [3, 4, 5, 6],
      ],
      [
        [1, 0, 0, 0],
        [2, 4, 5, 6],
      ],
      [
        [0, 0, 0, 0],
        [3, 4, 5, 2],
      ],
      [
        [2, 1, 3, 4],
        [1, 2, 2, 2],
      ],
    ];
    for (const [begin, size] of cases) {
      const y = tf.slice(x, begin, size);
      expect(Array.from(y.dataSync()), `${begin} ${size}`).toEqual(sliceReference(x.dataSync(), x.shape, begin, size));
      y.dispose();
    }
    x.dispose();
  });

  it('a slice of the whole tensor, a clone and a same-dtype cast share the data, which lives until both are disposed', async () => {
    await expectNoLeak(() => {
      const buffers = tf.memory().numDataBuffers;
      const x = tf.tensor2d([
        [1, 2],
        [3, 4],
      ]);
      const views = [tf.slice(x, [0, 0], [2, 2]), tf.clone(x), tf.cast(x, 'float32'), tf.concat([x], 0)];
      for (const v of views) expect(v.dataId).toBe(x.dataId);
      expect(tf.memory().numDataBuffers).toBe(buffers + 1);
      x.dispose();
      for (const v of views) expect(Array.from(v.dataSync())).toEqual([1, 2, 3, 4]);
      tf.dispose(views);
      expect(tf.memory().numDataBuffers).toBe(buffers);
    });
  });

  it('model.predict of one batch allocates only the conv output: its Slice and its concat share', () => {
    const input = tfl.input({ shape: [8, 8, 4] });
    const output = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const x = tf.randomNormal([1, 8, 8, 4]);
    const backend = tf.backend() as unknown as { makeOutput: (shape: number[], dtype: tf.DataType) => unknown };
    const made = vi.spyOn(backend, 'makeOutput');
    const predicted = model.predict(x) as tf.Tensor;
    const allocated = made.mock.calls.map(([shape]) => shape);
    made.mockRestore();
    expect(allocated).toEqual([[1, 8, 8, 2]]); // with copies: [1,8,8,4] (the slice) and a second [1,8,8,2]
    const direct = model.execute(x, output.name) as tf.Tensor;
    expect(Array.from(predicted.dataSync())).toEqual(Array.from(direct.dataSync()));
    tf.dispose([x, direct, predicted]);
    model.dispose();
  });

  it('a cast to another dtype and string tensors still go to the package kernels', () => {
    const x = tf.tensor1d([1.7, -2.2, 3]);
    const y = tf.cast(x, 'int32');
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    const s = tf.tensor1d(['a', 'bc', 'd'], 'string');
    expect(tf.slice(s, [1], [2]).arraySync()).toEqual(['bc', 'd']);
    expect(tf.clone(s).arraySync()).toEqual(['a', 'bc', 'd']);
    tf.dispose([x, y, s]);
  });

  it('gradients through slice and concat still flow (Slice in the forward and backward pass)', () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.slice(v, [0, 1], [2, 2]), tf.scalar(3))))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 3, 3, 0, 3, 3]);
    tf.dispose([x, g]);
  });
});
