import * as tf from '@tensorflow/tfjs-core';
import { BackendError, ShapeError } from '../util/index.js';

/**
 * The members of the wasm backend (`BackendWasm` of @tensorflow/tfjs-backend-wasm) the training
 * kernels use. Declared structurally so that the optional wasm package is never imported here.
 */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  incRef(dataId: tf.DataId): void;
  getMemoryOffset(dataId: tf.DataId): number;
  /**
   * The emscripten module: its memory is exported as `asm.memory` by the single-threaded builds
   * and kept as `wasmMemory` by the threaded one (which imports it).
   */
  wasm: { HEAPU8: Uint8Array; asm?: { memory?: unknown }; wasmMemory?: unknown };
}

/** The backend's WebAssembly memory, or null where the module exposes none. */
export function wasmMemoryOf(backend: WasmBackend): WebAssembly.Memory | null {
  const candidate = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  return candidate instanceof WebAssembly.Memory ? candidate : null;
}

/**
 * The backend's heap as bytes, read afresh: growing the memory replaces its buffer, and with
 * the threaded build another thread may have grown it since `HEAPU8` was last updated.
 */
export function heapBytes(backend: WasmBackend): Uint8Array {
  const memory = wasmMemoryOf(backend);
  return memory != null ? new Uint8Array(memory.buffer) : backend.wasm.HEAPU8;
}

/** What tfjs passes to a kernel function. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** A kernel's backend (as {@link WasmBackend}), attributes and named inputs. */
export function unpack<A>(args: KernelArgs): {
  backend: WasmBackend;
  attrs: A;
  input: (name: string) => tf.TensorInfo;
} {
  return {
    backend: args.backend as WasmBackend,
    attrs: (args.attrs ?? {}) as unknown as A,
    input: (name) => args.inputs[name] as tf.TensorInfo,
  };
}

/** Runs one of the wasm backend's own kernels directly (no tape, no engine bookkeeping). */
export function runWasmKernel(
  kernelName: string,
  backend: WasmBackend,
  inputs: tf.NamedTensorInfoMap | tf.TensorInfo[],
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config == null) {
    throw new BackendError(
      `the wasm backend has no '${kernelName}' kernel; import @tensorflow/tfjs-backend-wasm (4.22 or later) before training on wasm`,
    );
  }
  return config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs }) as tf.TensorInfo;
}

/** Frees intermediates made inside a kernel (a reshaped view only drops one reference). */
export function free(backend: WasmBackend, ...infos: (tf.TensorInfo | null | undefined)[]): void {
  for (const info of infos) if (info != null) backend.disposeData(info.dataId);
}

/**
 * The same data seen with another shape, to pass as a kernel input. It is not a new reference:
 * never free it (free the tensor it views).
 */
export function view(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, dtype: info.dtype, shape };
}

/** An owned reference to the same data with another shape (free it like any intermediate). */
export function reshape(backend: WasmBackend, info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return runWasmKernel('Reshape', backend, { x: info }, { shape });
}

/** A tensor of the given shape filled with `value`. */
export function fill(
  backend: WasmBackend,
  shape: number[],
  value: number,
  dtype: tf.DataType = 'float32',
): tf.TensorInfo {
  return runWasmKernel('Fill', backend, [], { shape, value, dtype });
}

/** Concatenates along axis 0 and frees the parts. */
export function concatParts(backend: WasmBackend, parts: tf.TensorInfo[]): tf.TensorInfo {
  if (parts.length === 1) return parts[0] as tf.TensorInfo;
  const out = runWasmKernel('Concat', backend, parts, { axis: 0 });
  free(backend, ...parts);
  return out;
}

/** Transposes with the wasm backend's Transpose kernel. */
export function transpose(backend: WasmBackend, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runWasmKernel('Transpose', backend, { x }, { perm });
}

/**
 * A batch of equally long runs copied between two tensors on the wasm heap, in elements of 4
 * bytes (float32 or int32). Runs are indexed by up to three nested counters; run (i, j, k)
 * starts at `srcOffset + i·srcStrides[0] + j·srcStrides[1] + k·srcStrides[2]` in `src` and at
 * the matching `dst` offset.
 */
export interface CopyRuns {
  length: number;
  srcOffset: number;
  dstOffset: number;
  counts: number[];
  srcStrides: number[];
  dstStrides: number[];
}

/**
 * Bulk-copies runs of elements between two wasm tensors with `copyWithin` on the heap (a
 * memmove per run, as the backend's own Slice and Concat kernels do with typed-array sets), so
 * rearranging data costs one pass over memory and no per-element JavaScript.
 */
export function copyRuns(backend: WasmBackend, src: tf.TensorInfo, dst: tf.TensorInfo, runs: CopyRuns): void {
  if (runs.length <= 0) return;
  // Re-read the heap after every allocation: growing wasm memory replaces the buffer.
  const heap = new Int32Array(heapBytes(backend).buffer);
  const srcBase = backend.getMemoryOffset(src.dataId) / 4 + runs.srcOffset;
  const dstBase = backend.getMemoryOffset(dst.dataId) / 4 + runs.dstOffset;
  const [n0 = 1, n1 = 1, n2 = 1] = runs.counts;
  const [s0 = 0, s1 = 0, s2 = 0] = runs.srcStrides;
  const [d0 = 0, d1 = 0, d2 = 0] = runs.dstStrides;
  const len = runs.length;
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      let s = srcBase + i * s0 + j * s1;
      let d = dstBase + i * d0 + j * d1;
      for (let k = 0; k < n2; k++, s += s2, d += d2) heap.copyWithin(d, s, s + len);
    }
  }
}

/**
 * Rows `[r0, r1)` and columns `[c0, c1)` of an NHWC tensor, with zeros where the window leaves
 * the tensor: a pure zero-padding goes through the PadV2 kernel, anything that crops is a
 * zero-filled tensor plus one run copy per image row.
 */
export function extractWindow(
  backend: WasmBackend,
  x: tf.TensorInfo,
  rows: [number, number],
  cols: [number, number],
): tf.TensorInfo {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const [r0, r1] = rows;
  const [c0, c1] = cols;
  if (r0 === 0 && r1 === h && c0 === 0 && c1 === w) return reshape(backend, x, x.shape);
  if (r0 <= 0 && r1 >= h && c0 <= 0 && c1 >= w) {
    const paddings = [
      [0, 0],
      [-r0, r1 - h],
      [-c0, c1 - w],
      [0, 0],
    ];
    return runWasmKernel('PadV2', backend, { x }, { paddings, constantValue: 0 });
  }
  const out = fill(backend, [b, r1 - r0, c1 - c0, c], 0, x.dtype);
  const y0 = Math.max(r0, 0);
  const y1 = Math.min(r1, h);
  const x0 = Math.max(c0, 0);
  const x1 = Math.min(c1, w);
  if (y1 > y0 && x1 > x0 && b > 0) {
    const outRow = (c1 - c0) * c;
    copyRuns(backend, x, out, {
      length: (x1 - x0) * c,
      srcOffset: (y0 * w + x0) * c,
      dstOffset: ((y0 - r0) * (c1 - c0) + (x0 - c0)) * c,
      counts: [b, y1 - y0],
      srcStrides: [h * w * c, w * c],
      dstStrides: [(r1 - r0) * outRow, outRow],
    });
  }
  return out;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Throws a {@link ShapeError} unless a kernel input has the shape its attributes imply. The
 * tfjs ops check this before calling kernels; a direct `runKernel` call may not, and a wrong
 * shape would make the heap copies read other tensors' memory.
 */
export function assertShape(
  kernel: string,
  argument: string,
  shape: readonly number[],
  expected: readonly number[],
  what: string,
): void {
  if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${kernel}: ${argument}`, shape, `[${expected.join(',')}] (${what})`);
  }
}
