import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, haarDwt, haarIdwt, ShapeError } from '../../src/index.js';
import { setWasmHaarChoice, wasmHaarImplementation, type WasmHaarChoice } from '../../src/wavelet/haar_kernel_wasm.js';
import {
  HAAR_KERNEL_BACKENDS,
  HAAR_KERNEL_NAMES,
  registerHaarKernels,
  runHaarKernel,
} from '../../src/wavelet/haar_kernels.js';
import { haarPass } from '../../src/wavelet/haar_pass.js';
import { haarAnalysis, haarSynthesis, preferredStrategy } from '../../src/wavelet/haar_transform.js';
import { haarKernelOver, haarModuleBytes, kernelArguments } from '../../src/wavelet/haar_wasm_module.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { expectWithinRounding, loopDwt, loopIdwt, termMagnitudes } from './reference.js';

const DWT = HAAR_KERNEL_NAMES.analysis;
const IDWT = HAAR_KERNEL_NAMES.synthesis;

/** Image shapes: a single 2×2 block, odd C, C = 4k ± 1 (vector loop plus scalar tail), batch > 1. */
const SHAPES: number[][] = [
  [1, 2, 2, 1],
  [1, 2, 2, 3],
  [2, 4, 10, 1],
  [1, 4, 8, 2],
  [2, 4, 6, 3],
  [1, 6, 10, 5],
  [3, 2, 30, 7],
  [1, 4, 4, 4],
  [2, 8, 8, 12],
  [1, 4, 8, 9],
  [2, 6, 4, 64],
];

/** Pseudo-random values in [-1, 1) from a hash of the index (no tensors, so no backend memory). */
function hashValues(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => {
    const v = Math.sin(i * 12.9898 + seed * 78.233) * 43758.5453;
    return 2 * (v - Math.floor(v)) - 1;
  });
}

/** Values spanning many magnitudes (2^±8), so that the order of the float32 sums shows in the results. */
function wideTensor(shape: number[], seed: number): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  const [base, scale] = [hashValues(n, seed), hashValues(n, seed + 1000)];
  return tf.tensor4d(
    base.map((v, i) => v * 2 ** (8 * (scale[i] as number))),
    shape as [number, number, number, number],
  );
}

/** Float32 rounding of the float64 reference, the exact result of the JavaScript loop's arithmetic. */
const rounded = (v: Float64Array): number[] => Array.from(Float32Array.from(v));

/** Number of buffers the wasm backend holds (kernel intermediates included, unlike tf.memory()). */
const backendBuffers = (): number => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();

describe('the WebAssembly SIMD module', () => {
  it('is valid, small enough to compile synchronously in browsers, and compiles here (plain and shared memory)', () => {
    for (const shared of [false, true]) {
      const bytes = haarModuleBytes(shared);
      expect(WebAssembly.validate(bytes)).toBe(true);
      expect(bytes.length).toBeLessThan(4096);
    }
  });

  it('transforms between arbitrary (unaligned) offsets of a plain or shared memory and writes nothing else (C = 1…9, 1…5 blocks a row)', () => {
    // every channel count around the 4-lane width, with and without full groups, against every row length
    const grid: number[][] = [];
    for (let c = 1; c <= 9; c++)
      for (let cols = 1; cols <= 5; cols++)
        for (const [n, h] of [
          [1, 2],
          [2, 4],
        ])
          grid.push([n as number, h as number, 2 * cols, c]);
    const memories = [
      new WebAssembly.Memory({ initial: 1 }),
      new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true }),
    ];
    for (const memory of memories) {
      const kernel = haarKernelOver(memory);
      expect(kernel).not.toBeNull();
      expect(haarKernelOver(memory)).toBe(kernel); // one instance per memory
      for (const shape of grid) {
        const heap = new Float32Array(memory.buffer);
        heap.fill(Number.NaN);
        const x = hashValues(
          shape.reduce((a, b) => a * b, 1),
          5,
        );
        const [src, dst] = [5, 14 + x.length]; // element offsets, deliberately not 16-byte aligned, 9 apart
        heap.set(x, src);
        const dwt = haarPass('analysis', shape);
        kernel?.(...kernelArguments(dwt, 4 * src, 4 * dst));
        const y = heap.slice(dst, dst + x.length);
        expectWithinRounding(y, loopDwt(x, shape), termMagnitudes(x, shape, 'dwt'), 2 ** -22, `dwt ${shape}`);
        const guards = (at: number): number[] => [-4, -3, -2, -1, 0, 1, 2, 3].map((i) => at + i);
        const untouched = (...elements: number[]): boolean => elements.every((i) => Number.isNaN(heap[i] as number));
        expect(
          untouched(...guards(dst - 4), ...guards(dst + x.length + 4)),
          'four elements either side of the output',
        ).toBe(true);
        // and back, over the input's place
        kernel?.(...kernelArguments(haarPass('synthesis', dwt.outShape), 4 * dst, 4 * src));
        expectWithinRounding(
          heap.slice(src, src + x.length),
          loopIdwt(y, dwt.outShape),
          termMagnitudes(y, dwt.outShape, 'idwt'),
          2 ** -22,
          `idwt ${shape}`,
        );
        expect(untouched(0, 1, 2, 3, 4, ...guards(src + x.length + 4)), 'four elements either side of the input').toBe(
          true,
        );
      }
    }
  });

  it('finds the memory of single-threaded (asm.memory) and threaded (wasmMemory) wasm builds, else falls back to JavaScript', () => {
    const plain = new WebAssembly.Memory({ initial: 1 });
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    const heap = { HEAPU8: new Uint8Array(plain.buffer) };
    expect(wasmHaarImplementation({ wasm: { ...heap, asm: { memory: plain } } })).toBe('simd');
    expect(wasmHaarImplementation({ wasm: { ...heap, wasmMemory: shared } })).toBe('simd');
    expect(wasmHaarImplementation({ wasm: heap })).toBe('js');
    const previous = setWasmHaarChoice('js');
    try {
      expect(wasmHaarImplementation({ wasm: { ...heap, asm: { memory: plain } } })).toBe('js');
    } finally {
      setWasmHaarChoice(previous);
    }
  });
});

describe('registerHaarKernels', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('registers both directions for cpu and wasm only, at module load', () => {
    expect(HAAR_KERNEL_BACKENDS).toEqual(['cpu', 'wasm']);
    for (const name of [DWT, IDWT]) {
      for (const backend of HAAR_KERNEL_BACKENDS)
        expect(tf.getKernel(name, backend), `${name}/${backend}`).toBeDefined();
      for (const backend of ['webgl', 'webgpu', 'tensorflow'])
        expect(tf.getKernel(name, backend), `${name}/${backend}`).toBeUndefined();
    }
  });

  it('is idempotent: a second call registers nothing, keeps the same kernels and makes tfjs warn about no duplicate', () => {
    const warn = vi.spyOn(console, 'warn');
    const before = HAAR_KERNEL_BACKENDS.flatMap((b) => [tf.getKernel(DWT, b), tf.getKernel(IDWT, b)]);
    expect(registerHaarKernels()).toEqual([]);
    expect(HAAR_KERNEL_BACKENDS.flatMap((b) => [tf.getKernel(DWT, b), tf.getKernel(IDWT, b)])).toEqual(before);
    expect(warn).not.toHaveBeenCalled();
  });

  it('adds its two kernels and touches no other kernel of any backend; keeps a kernel someone else registered under its name', () => {
    const ours = HAAR_KERNEL_BACKENDS.flatMap<tf.KernelConfig>((b) => [tf.getKernel(DWT, b), tf.getKernel(IDWT, b)]);
    for (const k of ours) tf.unregisterKernel(k.kernelName, k.backendName);
    const snapshot = new Map(HAAR_KERNEL_BACKENDS.map((b) => [b, tf.getKernelsForBackend(b)]));
    const someoneElses: tf.KernelConfig = {
      kernelName: IDWT,
      backendName: 'cpu',
      kernelFunc: () => ({ dataId: {}, shape: [], dtype: 'float32' }),
    };
    tf.registerKernel(someoneElses);
    try {
      expect(registerHaarKernels().sort()).toEqual([`${DWT}/cpu`, `${DWT}/wasm`, `${IDWT}/wasm`].sort());
      expect(tf.getKernel(IDWT, 'cpu')).toBe(someoneElses);
      for (const [backend, kernels] of snapshot) {
        const now = tf.getKernelsForBackend(backend);
        expect(now.length, backend).toBe(kernels.length + 2);
        for (const k of kernels) expect(tf.getKernel(k.kernelName, backend), `${k.kernelName}/${backend}`).toBe(k);
      }
    } finally {
      for (const k of [...ours, someoneElses])
        if (tf.getKernel(k.kernelName, k.backendName) != null) tf.unregisterKernel(k.kernelName, k.backendName);
      for (const k of ours) tf.registerKernel(k);
    }
  });
});

describeBackends('Haar kernels', (backend) => {
  const implementations: WasmHaarChoice[] = backend === 'wasm' ? ['auto', 'js'] : ['auto'];

  it('haarDwt and haarIdwt run the kernels on this backend', async () => {
    expect(tf.getKernel(DWT, backend)).toBeDefined();
    if (backend === 'wasm') expect(wasmHaarImplementation(tf.backend())).toBe('simd');
    const x = seededTensor([1, 4, 4, 2], 1) as tf.Tensor4D;
    const info = await tf.profile(() => tf.tidy(() => haarIdwt(haarDwt(x))));
    expect(info.kernelNames).toEqual(expect.arrayContaining([DWT, IDWT]));
    x.dispose();
  });

  for (const choice of implementations) {
    const exact = backend === 'cpu' || choice === 'js';
    const what = exact
      ? 'the float64 sums rounded once, bit for bit'
      : 'the float64 reference within float32 rounding (2⁻²² · ½Σ|terms|)';
    it(`${backend === 'wasm' ? `${choice === 'js' ? 'JavaScript fallback' : 'SIMD'}: ` : ''}both directions give ${what}`, () => {
      const previous = setWasmHaarChoice(choice);
      try {
        for (const [s, shape] of SHAPES.entries()) {
          const x = wideTensor(shape, 40 + s);
          const xv = x.dataSync() as Float32Array;
          const c = wideTensor(haarPass('analysis', shape).outShape, 60 + s);
          const cv = c.dataSync() as Float32Array;
          const y = runHaarKernel('analysis', x) as tf.Tensor4D;
          const back = runHaarKernel('synthesis', c) as tf.Tensor4D;
          expect(y.shape).toEqual([
            shape[0],
            (shape[1] as number) / 2,
            (shape[2] as number) / 2,
            4 * (shape[3] as number),
          ]);
          expect(back.shape).toEqual(shape);
          if (exact) {
            expect(Array.from(y.dataSync()), `dwt ${shape}`).toEqual(rounded(loopDwt(xv, shape)));
            expect(Array.from(back.dataSync()), `idwt ${shape}`).toEqual(rounded(loopIdwt(cv, c.shape)));
          } else {
            expectWithinRounding(
              y.dataSync(),
              loopDwt(xv, shape),
              termMagnitudes(xv, shape, 'dwt'),
              2 ** -22,
              `dwt ${shape}`,
            );
            expectWithinRounding(
              back.dataSync(),
              loopIdwt(cv, c.shape),
              termMagnitudes(cv, c.shape, 'idwt'),
              2 ** -22,
              `idwt ${shape}`,
            );
          }
          tf.dispose([x, c, y, back]);
        }
      } finally {
        setWasmHaarChoice(previous);
      }
    });
  }

  it(`the kernels and the whole-tensor formulation agree (${backend === 'cpu' ? 'bit for bit' : 'within float32 rounding'})`, () => {
    for (const [s, shape] of SHAPES.entries()) {
      const x = wideTensor(shape, 80 + s);
      const y = haarDwt(x);
      const composed = haarAnalysis(x, preferredStrategy());
      const back = haarIdwt(y);
      const recomposed = haarSynthesis(y, preferredStrategy());
      if (backend === 'cpu') {
        expect(Array.from(y.dataSync()), `dwt ${shape}`).toEqual(Array.from(composed.dataSync()));
        expect(Array.from(back.dataSync()), `idwt ${shape}`).toEqual(Array.from(recomposed.dataSync()));
      } else {
        // each is within 2⁻²² · ½Σ|terms| of the exact value, so they are within twice that of each other
        expectWithinRounding(
          y.dataSync(),
          composed.dataSync(),
          termMagnitudes(x.dataSync() as Float32Array, shape, 'dwt'),
          2 ** -21,
          `dwt ${shape}`,
        );
        expectWithinRounding(
          back.dataSync(),
          recomposed.dataSync(),
          termMagnitudes(y.dataSync() as Float32Array, y.shape, 'idwt'),
          2 ** -21,
          `idwt ${shape}`,
        );
      }
      tf.dispose([x, y, composed, back, recomposed]);
    }
  });

  it('without a kernel for the backend, haarDwt / haarIdwt run the whole-tensor formulation', () => {
    const saved = [tf.getKernel(DWT, backend), tf.getKernel(IDWT, backend)] as tf.KernelConfig[];
    const x = wideTensor([2, 4, 6, 3], 99);
    const c = wideTensor([2, 2, 3, 12], 98);
    for (const k of saved) tf.unregisterKernel(k.kernelName, backend);
    try {
      expect(runHaarKernel('analysis', x)).toBeNull();
      const [y, back] = [haarDwt(x), haarIdwt(c)];
      const [expectedY, expectedBack] = [haarAnalysis(x), haarSynthesis(c)];
      expect(Array.from(y.dataSync())).toEqual(Array.from(expectedY.dataSync()));
      expect(Array.from(back.dataSync())).toEqual(Array.from(expectedBack.dataSync()));
      tf.dispose([y, back, expectedY, expectedBack]);
    } finally {
      for (const k of saved) if (tf.getKernel(k.kernelName, backend) == null) tf.registerKernel(k);
      tf.dispose([x, c]);
    }
    expect(tf.getKernel(DWT, backend)).toBe(saved[0]);
  });

  it('empty tensors keep their shapes', () => {
    for (const shape of [
      [0, 2, 2, 3],
      [1, 0, 4, 2],
      [1, 2, 2, 0],
    ] as [number, number, number, number][]) {
      const x = tf.zeros<tf.Rank.R4>(shape);
      const y = haarDwt(x);
      const back = haarIdwt(y);
      expect(y.shape).toEqual(haarPass('analysis', shape).outShape);
      expect(back.shape).toEqual(shape);
      tf.dispose([x, y, back]);
    }
  });

  it('int32 and bool inputs are transformed as float32, like the cpu composition does', () => {
    const values = Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => ((i * 7) % 11) - 5);
    const xi = tf.tensor4d(values, [2, 4, 4, 3], 'int32');
    const xf = tf.tensor4d(values, [2, 4, 4, 3], 'float32');
    const [yi, yf] = [haarDwt(xi), haarDwt(xf)];
    expect(yi.dtype).toBe('float32');
    expect(Array.from(yi.dataSync())).toEqual(Array.from(yf.dataSync()));
    const ci = tf.tensor4d(values, [2, 2, 3, 8], 'int32');
    const cf = tf.tensor4d(values, [2, 2, 3, 8], 'float32');
    const [bi, bf] = [haarIdwt(ci), haarIdwt(cf)];
    expect(Array.from(bi.dataSync())).toEqual(Array.from(bf.dataSync()));
    const mask = tf.tensor4d([1, 0, 0, 1], [1, 2, 2, 1], 'bool');
    const ym = haarDwt(mask);
    expect(Array.from(ym.dataSync())).toEqual([1, 0, 0, 1]);
    tf.dispose([xi, xf, yi, yf, ci, cf, bi, bf, mask, ym]);
  });

  it('leave no tensors and no backend buffers behind, forward, backward and with casts', async () => {
    const x = seededTensor([2, 4, 8, 3], 31) as tf.Tensor4D;
    const xi = tf.cast(x, 'int32');
    const c = seededTensor([2, 2, 4, 12], 32) as tf.Tensor4D;
    const buffers = backendBuffers();
    await expectNoLeak(() => {
      const y = haarDwt(x);
      tf.dispose([y, haarIdwt(y), haarDwt(xi), haarIdwt(c)]);
      tf.dispose(tf.grad((p: tf.Tensor) => tf.sum(tf.square(haarIdwt(haarDwt(p as tf.Tensor4D)))))(x));
      tf.dispose(tf.grad((p: tf.Tensor) => tf.sum(tf.sin(haarDwt(p as tf.Tensor4D))))(x));
    });
    expect(backendBuffers() - buffers, 'backend buffers').toBe(0);
    tf.dispose([x, xi, c]);
  });

  it('direct runKernel calls with bad inputs get clear errors instead of reading stray memory', () => {
    const run = (name: string, x: tf.Tensor): tf.Tensor => tf.engine().runKernel<tf.Tensor>(name, { x });
    const odd = tf.zeros([1, 3, 4, 2]);
    const rank3 = tf.zeros([4, 4, 2]);
    const six = tf.zeros([1, 2, 2, 6]);
    const ints = tf.zeros([1, 2, 2, 4], 'int32');
    expect(() => run(DWT, odd)).toThrow(ShapeError);
    expect(() => run(DWT, odd)).toThrow(`${DWT}: x: got shape [1,3,4,2], expected NHWC with even height and width`);
    expect(() => run(DWT, rank3)).toThrow(`${DWT}: x: got shape [4,4,2]`);
    expect(() => run(IDWT, six)).toThrow(`${IDWT}: x: got shape [1,2,2,6], expected NHWC with 4·C channels`);
    expect(() => run(IDWT, ints)).toThrow(ConfigError);
    expect(() => run(IDWT, ints)).toThrow(`${IDWT}: x.dtype: got 'int32', expected 'float32'`);
    tf.dispose([odd, rank3, six, ints]);
  });

  if (backend === 'wasm') {
    for (const choice of ['auto', 'js'] as const) {
      it(`${choice === 'js' ? 'JavaScript fallback' : 'SIMD'}: stays correct when allocating the output grows the backend's memory`, () => {
        const previous = setWasmHaarChoice(choice);
        const heap = (): ArrayBuffer =>
          (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer as ArrayBuffer;
        try {
          // An input as large as the whole heap: the output cannot fit into the memory left.
          const c = Math.max(4, Math.ceil(heap().byteLength / 4 / (2 * 256 * 256)));
          const shape = [1, 256, 256, 2 * c];
          const x = wideTensor(shape, 7);
          const before = heap();
          const y = haarDwt(x);
          expect(heap() !== before, 'the memory grew during the call').toBe(true);
          const xv = x.dataSync() as Float32Array;
          const yv = y.dataSync();
          // spot-check the first and the last block rows (two image rows in, as many values out)
          const rowLen = 2 * 256 * 2 * c;
          for (const start of [0, xv.length - rowLen]) {
            const rows = xv.slice(start, start + rowLen);
            const part = [1, 2, 256, 2 * c];
            const expected = loopDwt(rows, part);
            const actual = yv.slice(start, start + rowLen);
            if (choice === 'js') expect(Array.from(actual)).toEqual(rounded(expected));
            else
              expectWithinRounding(
                actual,
                expected,
                termMagnitudes(rows, part, 'dwt'),
                2 ** -22,
                `grown heap at ${start}`,
              );
          }
          tf.dispose([x, y]);
        } finally {
          setWasmHaarChoice(previous);
        }
      });
    }
  }
});
