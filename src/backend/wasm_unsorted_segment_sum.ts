import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../util/index.js';
import {
  assertShape,
  copyRuns,
  fill,
  free,
  runWasmKernel,
  sizeOf,
  unpack,
  view,
  type KernelArgs,
} from './wasm_kernel_utils.js';

/**
 * UnsortedSegmentSum for the wasm backend (the gradient of `tf.gather`): out[s] = Σ x[i] over
 * the i with segmentIds[i] = s, by the ScatterNd kernel, which adds duplicate indices. Ids outside
 * [0, numSegments) contribute nothing, as on the cpu backend: they are redirected to an extra
 * segment that is dropped.
 */
export function unsortedSegmentSumWasm(args: KernelArgs): tf.TensorInfo {
  const { backend, attrs, input } = unpack<tf.UnsortedSegmentSumAttrs>(args);
  const { numSegments } = attrs;
  const x = input('x');
  const segmentIds = input('segmentIds');
  if (!Number.isInteger(numSegments) || numSegments < 0)
    throw new ConfigError('UnsortedSegmentSum: numSegments', numSegments, 'an integer >= 0');
  const inner = x.shape.slice(segmentIds.shape.length);
  assertShape(
    'UnsortedSegmentSum',
    'segmentIds',
    segmentIds.shape,
    x.shape.slice(0, segmentIds.shape.length),
    'the leading dimensions of x',
  );
  const n = sizeOf(segmentIds.shape);
  const d = sizeOf(inner);
  const outShape = [numSegments, ...inner];
  if (n === 0 || d === 0 || numSegments === 0) return fill(backend, outShape, 0, x.dtype);
  const ids = view(segmentIds, [n]);
  const zero = fill(backend, [], 0, 'int32');
  const count = fill(backend, [], numSegments, 'int32');
  const notNegative = runWasmKernel('GreaterEqual', backend, { a: ids, b: zero });
  const inRange = runWasmKernel('Less', backend, { a: ids, b: count });
  const valid = runWasmKernel('LogicalAnd', backend, { a: notNegative, b: inRange });
  const dropped = fill(backend, [n], numSegments, 'int32');
  const safeIds = runWasmKernel('Select', backend, { condition: valid, t: ids, e: dropped });
  free(backend, zero, count, notNegative, inRange, valid, dropped);
  const summed = runWasmKernel(
    'ScatterNd',
    backend,
    { indices: view(safeIds, [n, 1]), updates: view(x, [n, d]) },
    { shape: [numSegments + 1, d] },
  );
  free(backend, safeIds);
  const out = backend.makeOutput(outShape, x.dtype);
  copyRuns(backend, summed, out, {
    length: numSegments * d,
    srcOffset: 0,
    dstOffset: 0,
    counts: [],
    srcStrides: [],
    dstStrides: [],
  });
  free(backend, summed);
  return out;
}
