import * as tf from '@tensorflow/tfjs-core';
import { normKernelsOver } from './instance_norm_wasm_module.js';
import { original } from './wasm_copy_kernels.js';
import { free, heapBytes, sizeOf, unpack, wasmMemoryOf, type KernelArgs } from './wasm_kernel_utils.js';

/** Rows summed in float32 before their partial sums go into the float64 totals. */
const BLOCK_ROWS = 64;

/**
 * Sum for the wasm backend. The package's kernel moves the reduced axes innermost with a full
 * transpose first; a sum over the leading axes — the bias gradients of every conv (axes 0–2 of
 * NHWC) — is a sum of rows instead, done here in one pass by the SIMD module of the instance
 * norm (float32 over blocks of rows, then float64). Other sums go to the package's kernel.
 */
export function sumWasm(args: KernelArgs): tf.TensorInfo {
  const { backend, attrs, input } = unpack<tf.SumAttrs>(args);
  const x = input('x');
  const shape = x.shape;
  const axes = tf.util.parseAxisParam(attrs.axis, [...shape]).sort((a, b) => a - b);
  const k = axes.length;
  const leading = k > 0 && k < shape.length && axes.every((a, i) => a === i);
  const cols = sizeOf(shape.slice(k));
  const memory = wasmMemoryOf(backend);
  const kernels = memory == null ? null : normKernelsOver(memory);
  if (x.dtype !== 'float32' || !leading || cols < 4 || kernels == null) return original('Sum', args);
  const rows = sizeOf(shape.slice(0, k));
  const outShape = attrs.keepDims ? [...shape.map((d, i) => (i < k ? 1 : d))] : shape.slice(k);
  const out = backend.makeOutput(outShape, 'float32');
  // Scratch: float64 totals, then float32 block partials (one value per column each).
  const scratch = backend.makeOutput([3 * cols + 1], 'float32');
  const offset = backend.getMemoryOffset(scratch.dataId);
  const acc = offset % 8 === 0 ? offset : offset + 4;
  const heap = heapBytes(backend).buffer;
  const f64 = new Float64Array(heap, acc, cols);
  f64.fill(0);
  if (rows > 0) kernels.sum_x(backend.getMemoryOffset(x.dataId), rows, 4 * cols, BLOCK_ROWS, acc + 8 * cols, acc);
  new Float32Array(heap, backend.getMemoryOffset(out.dataId), cols).set(f64);
  free(backend, scratch);
  return out;
}
