import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the op gradients
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BackendError,
  ConfigError,
  initBackend,
  registerWasmTrainingKernels,
  ShapeError,
  WASM_TRAINING_KERNELS,
} from '../../src/index.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';

// The kernels every other backend has, captured before the wasm backend is set up.
const CPU_KERNELS = new Map(WASM_TRAINING_KERNELS.map((name) => [name, tf.getKernel(name, 'cpu')]));
const OTHER_BACKEND_KERNELS = tf.getKernelsForBackend('cpu').length;

/** Number of buffers the wasm backend holds (kernel intermediates included, unlike tf.memory()). */
const wasmBuffers = (): number => (tf.findBackend('wasm') as unknown as { numDataIds(): number }).numDataIds();

beforeAll(async () => {
  await initBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('registerWasmTrainingKernels', () => {
  it("initBackend('wasm') registers every training kernel for wasm, marked as this library's", () => {
    for (const name of WASM_TRAINING_KERNELS) {
      const config = tf.getKernel(name, 'wasm');
      expect(config, name).toBeDefined();
      expect(
        (config?.kernelFunc as unknown as Record<symbol, unknown>)[Symbol.for('gancompress.wasmTrainingKernel')],
        name,
      ).toBe(true);
    }
  });

  it('is idempotent: a second call registers nothing and tfjs warns about no duplicate', () => {
    const warn = vi.spyOn(console, 'warn');
    const before = WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm'));
    expect(registerWasmTrainingKernels()).toEqual([]);
    expect(WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm'))).toEqual(before);
    expect(warn).not.toHaveBeenCalled();
  });

  it('leaves the other backends untouched', () => {
    for (const [name, config] of CPU_KERNELS) expect(tf.getKernel(name, 'cpu'), name).toBe(config);
    expect(tf.getKernelsForBackend('cpu').length).toBe(OTHER_BACKEND_KERNELS);
  });

  it('says what to import when the wasm backend is not loaded', () => {
    const conv = tf.getKernel('Conv2D', 'wasm');
    tf.unregisterKernel('Conv2D', 'wasm');
    try {
      expect(() => registerWasmTrainingKernels()).toThrow(BackendError);
      expect(() => registerWasmTrainingKernels()).toThrow(/import @tensorflow\/tfjs-backend-wasm/);
    } finally {
      tf.registerKernel(conv);
    }
  });
});

describe('bad kernel inputs get clear errors instead of reading stray memory', () => {
  it('an output gradient whose shape does not match the attributes', async () => {
    await tf.setBackend('wasm');
    const x = seededTensor([1, 8, 8, 3], 1);
    const dy = seededTensor([1, 5, 4, 4], 2); // 'same', stride 2 gives [1, 4, 4, 4]
    const filter = seededTensor([3, 3, 3, 4], 3);
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
    const call = (name: string, inputs: tf.NamedTensorMap, extra: Record<string, unknown>) => () =>
      tf.engine().runKernel(name, inputs, { ...attrs, ...extra });
    expect(call('Conv2DBackpropFilter', { x, dy }, { filterShape: [3, 3, 3, 4] })).toThrow(ShapeError);
    expect(call('Conv2DBackpropFilter', { x, dy }, { filterShape: [3, 3, 3, 4] })).toThrow(
      'Conv2DBackpropFilter: dy (NHWC): got shape [1,5,4,4], expected [1,4,4,4]',
    );
    expect(call('Conv2DBackpropInput', { dy, filter }, { inputShape: [1, 8, 8, 3] })).toThrow(
      'Conv2DBackpropInput: dy (NHWC): got shape [1,5,4,4], expected [1,4,4,4]',
    );
    expect(call('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { filterShape: [3, 3, 3, 1] })).toThrow(
      /DepthwiseConv2dNativeBackpropFilter: dy: got shape \[1,5,4,4\], expected \[1,4,4,3\]/,
    );
    expect(call('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { inputShape: [1, 8, 8, 5] })).toThrow(
      /filter: got shape \[3,3,3,4\], expected \[3,3,5,4\]/,
    );
    expect(() =>
      tf.engine().runKernel('UnsortedSegmentSum', { x, segmentIds: tf.tensor1d([0, 1], 'int32') }, { numSegments: 2 }),
    ).toThrow(/segmentIds: got shape \[2\], expected \[1\]/);
    expect(() =>
      tf.engine().runKernel('UnsortedSegmentSum', { x, segmentIds: tf.tensor1d([0], 'int32') }, { numSegments: -1 }),
    ).toThrow(ConfigError);
    tf.dispose([x, dy, filter]);
  });
});

describe('no leaks', () => {
  it('conv, depthwise and transposed-conv gradients balance tf.memory() and the wasm buffers', async () => {
    await tf.setBackend('wasm');
    const x = seededTensor([2, 9, 8, 3], 1) as tf.Tensor4D;
    const w = seededTensor([3, 3, 3, 4], 2) as tf.Tensor4D;
    const dw = seededTensor([5, 5, 3, 2], 3) as tf.Tensor4D;
    const tw = seededTensor([3, 3, 3, 3], 4) as tf.Tensor4D;
    const losses = [
      (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
      (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, [
            [0, 0],
            [2, 1],
            [1, 3],
            [0, 0],
          ]),
        ),
      (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 19, 17, 3], 2, 'valid')),
    ];
    const filters = [w, dw, tw];
    const buffers = wasmBuffers();
    for (const [i, loss] of losses.entries()) {
      await expectNoLeak(() => {
        const grads = tf.grads(loss)([x, filters[i] as tf.Tensor]);
        tf.dispose(grads);
      });
    }
    expect(wasmBuffers(), 'wasm buffers left behind by kernel intermediates').toBe(buffers);
    tf.dispose([x, w, dw, tw]);
  });
});

describe('UnsortedSegmentSum and the gradient of tf.gather on wasm', () => {
  it('sums rows by segment id and drops ids outside [0, numSegments), as hand-derived', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
      [9, 10],
    ]);
    const ids = tf.tensor1d([2, 0, 2, -1, 3], 'int32');
    const buffers = wasmBuffers();
    const out = await expectNoLeak(() => {
      const s = tf.unsortedSegmentSum(x, ids, 3);
      const values = s.arraySync();
      s.dispose();
      return values;
    });
    // segment 0: row 1; segment 1: nothing; segment 2: rows 0 and 2; ids −1 and 3 are dropped
    expect(out).toEqual([
      [3, 4],
      [0, 0],
      [6, 8],
    ]);
    expect(wasmBuffers()).toBe(buffers);
    // ids of rank 2: x [2, 2, 3] grouped by ids [[1, 0], [1, 1]]
    const x3 = tf.tensor3d([
      [
        [1, 2, 3],
        [10, 20, 30],
      ],
      [
        [100, 200, 300],
        [1000, 2000, 3000],
      ],
    ]);
    // rank-2 ids are outside the op's typing (and break the cpu kernel) but valid for the kernel
    const ids3 = tf.tensor2d([1, 0, 1, 1], [2, 2], 'int32');
    const s3 = tf.unsortedSegmentSum(x3, ids3 as unknown as tf.Tensor1D, 2);
    expect(s3.arraySync()).toEqual([
      [10, 20, 30],
      [1101, 2202, 3303],
    ]);
    const xi = tf.tensor1d([5, -2, 7, 1], 'int32');
    const idsi = tf.tensor1d([1, 1, 0, 1], 'int32');
    const si = tf.unsortedSegmentSum(xi, idsi, 2);
    expect(si.dtype).toBe('int32');
    expect(si.arraySync()).toEqual([7, 4]);
    tf.dispose([x, ids, x3, ids3, s3, xi, idsi, si]);
  });

  it('equals the cpu backend for trailing dims and many duplicates', async () => {
    const run = (): number[][] =>
      tf.tidy(() => {
        const x = seededTensor([24, 3, 2], 5);
        const ids = tf.tensor1d([0, 5, 2, 2, 2, 9, 1, 0, 3, 3, 2, 4, 4, 4, 0, 5, 1, 1, 2, 2, 7, 0, 0, 3], 'int32');
        return [Array.from(tf.unsortedSegmentSum(x, ids, 6).dataSync())];
      });
    await tf.setBackend('cpu');
    const cpu = run();
    await tf.setBackend('wasm');
    expectClose(run()[0] as number[], cpu[0] as number[], 0, 1e-6, 'unsortedSegmentSum');
  });

  it('tf.gather gradients (embedding lookups with repeats) equal the cpu backend', async () => {
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const table = seededTensor([7, 5], 6);
        const indices = tf.tensor2d([3, 1, 3, 6, 0, 3, 1, 2], [2, 4], 'int32');
        const r = seededTensor([2, 4, 5], 7);
        const g0 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, indices, 0), r)))(table);
        const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([4, 0, 4], 'int32'), 1))))(
          table,
        );
        return [g0.dataSync() as Float32Array, g1.dataSync() as Float32Array];
      });
    await tf.setBackend('cpu');
    const cpu = run();
    await tf.setBackend('wasm');
    const wasm = run();
    expectClose(wasm[0] as Float32Array, cpu[0] as Float32Array, 0, 1e-6, 'gather axis 0');
    expectClose(wasm[1] as Float32Array, cpu[1] as Float32Array, 0, 1e-6, 'gather axis 1');
  });
});
