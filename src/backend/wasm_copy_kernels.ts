import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../util/index.js';
import { replacedWasmKernel } from './wasm_kernel_registry.js';
import { heapBytes, sizeOf, unpack, type KernelArgs, type WasmBackend } from './wasm_kernel_utils.js';

/*
 * Copies the wasm package makes where none is needed, or makes through JavaScript memory:
 *
 * - Its Slice starts with `backend.readSync(x)`, which copies the WHOLE input out of the wasm
 *   heap into a fresh ArrayBuffer (zero-filled and page-faulted by V8, 12–14 ms per 4 MB
 *   measured) before copying the slice back in. `model.predict` slices every input to split the
 *   batch, even a batch of one, so it paid that on every call; elastic layers slice their
 *   weights on every call too. Here a slice is one memmove per contiguous run inside the heap,
 *   and a slice of the whole tensor shares its data (as Reshape does).
 * - Its Identity (tf.clone, tf.concat of one tensor — predict's output — and every tensor the
 *   tape saves for a gradient) and its same-dtype Cast (tf.moments casts its input) copy the
 *   data; tensors are immutable, so they share it here.
 */

/** The replaced kernel of the wasm package, for the cases these kernels leave to it. */
export function original(name: string, args: KernelArgs): tf.TensorInfo {
  const config = replacedWasmKernel(name);
  if (config == null) throw new BackendError(`the wasm backend's own '${name}' kernel is not available`);
  return config.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

/** The same data under a new reference (freed when both references are). */
function share(backend: WasmBackend, x: tf.TensorInfo, shape: number[], dtype = x.dtype): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype };
}

/** Identity for the wasm backend: shares the data. */
export function identityWasm(args: KernelArgs): tf.TensorInfo {
  const { backend, input } = unpack(args);
  const x = input('x');
  if (x.dtype === 'string') return original('Identity', args);
  return share(backend, x, [...x.shape]);
}

/** Cast for the wasm backend: a cast to the same dtype shares the data. */
export function castWasm(args: KernelArgs): tf.TensorInfo {
  const { backend, attrs, input } = unpack<tf.CastAttrs>(args);
  const x = input('x');
  if (x.dtype !== attrs.dtype || x.dtype === 'string') return original('Cast', args);
  return share(backend, x, [...x.shape]);
}

/** Slice for the wasm backend: see the note at the top of this file. */
export function sliceWasm(args: KernelArgs): tf.TensorInfo {
  const { backend, attrs, input } = unpack<tf.SliceAttrs>(args);
  const x = input('x');
  if (x.dtype === 'string') return original('Slice', args);
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
  tf.slice_util.assertParamsValid(x, begin, size);
  const shape = x.shape;
  if (begin.every((b) => b === 0) && size.every((d, i) => d === shape[i])) return share(backend, x, size);
  const out = backend.makeOutput(size, x.dtype);
  if (sizeOf(size) === 0) return out;
  const bytes = x.dtype === 'bool' ? 1 : 4;
  copySlice(
    heapBytes(backend),
    backend.getMemoryOffset(x.dataId),
    backend.getMemoryOffset(out.dataId),
    shape,
    begin,
    size,
    bytes,
  );
  return out;
}

/**
 * Copies the block `[begin, begin + size)` of a row-major array of `shape` at byte `src` to a
 * packed array at byte `dst`, one `copyWithin` per contiguous run: the trailing axes taken
 * whole, plus the innermost axis that is not, form one run; the axes before it are counted.
 */
export function copySlice(
  heap: Uint8Array,
  src: number,
  dst: number,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  bytesPerElement: number,
): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  let stride = bytesPerElement;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i] as number;
  }
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) inner--;
  const runBytes = (size[inner] as number) * (strides[inner] as number);
  let base = src;
  for (let i = 0; i <= inner; i++) base += (begin[i] as number) * (strides[i] as number);
  // An odometer over the axes before `inner`.
  const counter = new Array<number>(inner).fill(0);
  let from = base;
  let to = dst;
  for (;;) {
    heap.copyWithin(to, from, from + runBytes);
    to += runBytes;
    let axis = inner - 1;
    while (axis >= 0) {
      from += strides[axis] as number;
      if (++(counter[axis] as number) < (size[axis] as number)) break;
      from -= (size[axis] as number) * (strides[axis] as number);
      counter[axis] = 0;
      axis--;
    }
    if (axis < 0) return;
  }
}
