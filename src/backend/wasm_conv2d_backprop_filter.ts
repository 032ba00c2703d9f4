import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, type ConvGeometry } from './wasm_conv_geometry.js';
import {
  assertShape,
  concatParts,
  copyRuns,
  extractWindow,
  fill,
  free,
  reshape,
  runWasmKernel,
  sizeOf,
  transpose,
  unpack,
  view,
  type KernelArgs,
  type WasmBackend,
} from './wasm_kernel_utils.js';
import { phasedInput } from './wasm_phases.js';

/**
 * Largest im2col block (elements) multiplied at once; bigger filters go in groups of taps, which
 * share the packed output gradient (XNNPACK caches it per tensor). Small blocks stay in cache:
 * per-tap matmuls measured as fast as one big one, with a ninth of the memory.
 */
const MAX_PATCH_ELEMENTS = 1 << 21;

/** Consecutive tap ranges whose im2col block stays under {@link MAX_PATCH_ELEMENTS}. */
function tapGroups(taps: number, elementsPerTap: number): [number, number][] {
  const per = Math.max(1, Math.floor(MAX_PATCH_ELEMENTS / Math.max(1, elementsPerTap)));
  const groups: [number, number][] = [];
  for (let t0 = 0; t0 < taps; t0 += per) groups.push([t0, Math.min(taps, t0 + per)]);
  return groups;
}

/**
 * Conv2DBackpropFilter for the wasm backend: dW[i,j,ci,co] = Σ x[b, oy·s+i−top, ox·s+j−left, ci]
 * · dy[b, oy, ox, co]. The input goes channel-major and phase-split, each tap's patch rows are
 * copied as whole runs (im2col, one memmove per channel and image), and XNNPACK matmuls
 * [taps·Ci, B·outH·Wq] × [B·outH·Wq, Co] (one per group of taps) give the gradient in the
 * filter's own layout.
 */
export function conv2dBackpropFilterWasm(args: KernelArgs): tf.TensorInfo {
  const { backend, attrs, input } = unpack<tf.Conv2DBackpropFilterAttrs>(args);
  const filterShape = [...attrs.filterShape];
  let x = input('x');
  let dy = input('dy');
  const g = convGeometry(x.shape, filterShape, attrs, false);
  const nchw = attrs.dataFormat === 'NCHW';
  if (nchw) {
    x = transpose(backend, x, [0, 2, 3, 1]);
    dy = transpose(backend, dy, [0, 2, 3, 1]);
  }
  try {
    assertShape(
      'Conv2DBackpropFilter',
      'dy (NHWC)',
      dy.shape,
      [g.batch, g.outH, g.outW, g.outC],
      'the conv output for x, filterShape and the attributes',
    );
    return filterGradient(backend, x, dy, g, filterShape);
  } finally {
    if (nchw) free(backend, x, dy);
  }
}

function filterGradient(
  backend: WasmBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: ConvGeometry,
  filterShape: number[],
): tf.TensorInfo {
  const ci = g.inC;
  const co = g.outC;
  if (sizeOf(x.shape) === 0 || sizeOf(dy.shape) === 0) return fill(backend, filterShape, 0);
  const phased = phasedInput(backend, x, g, true);
  const { hq, wq } = phased;
  const dyp = extractWindow(backend, dy, [0, g.outH], [0, wq]);
  const run = g.outH * wq;
  const cols = g.batch * run;
  const taps = g.kH * g.kW;
  const parts: tf.TensorInfo[] = [];
  for (const [t0, t1] of tapGroups(taps, ci * cols)) {
    const patches = backend.makeOutput([1, (t1 - t0) * ci, cols], 'float32');
    for (let t = t0; t < t1; t++) {
      copyRuns(backend, phased.phases, patches, {
        length: run,
        srcOffset: (phased.phaseOf[t] as number) * ci * g.batch * hq * wq + (phased.shiftOf[t] as number),
        dstOffset: (t - t0) * ci * cols,
        counts: [ci, g.batch],
        srcStrides: [g.batch * hq * wq, hq * wq],
        dstStrides: [cols, run],
      });
    }
    const part = runWasmKernel(
      'BatchMatMul',
      backend,
      { a: patches, b: view(dyp, [1, cols, co]) },
      { transposeA: false, transposeB: false },
    );
    free(backend, patches);
    parts.push(reshape(backend, part, [(t1 - t0) * ci, co]));
    free(backend, part);
  }
  free(backend, phased.phases, dyp);
  const all = concatParts(backend, parts);
  const out = reshape(backend, all, filterShape);
  free(backend, all);
  return out;
}
