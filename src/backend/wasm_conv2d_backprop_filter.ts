import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, tapPhases, type ConvAttrs, type ConvGeometry } from './wasm_conv_geometry.js';
import { assertShape, copyRuns, extractWindow, fill, free, reshape, runWasmKernel, sizeOf, transpose, view, type WasmBackend } from './wasm_kernel_utils.js';
import { splitPhases } from './wasm_phases.js';

/**
 * Largest im2col block (elements) multiplied at once; bigger filters go in groups of taps, which
 * share the packed output gradient (XNNPACK caches it per tensor). Small blocks stay in cache:
 * per-tap matmuls measured as fast as one big one, with a ninth of the memory.
 */
const MAX_PATCH_ELEMENTS = 1 << 21;

/**
 * The input padded and split into stride phases, plus where each filter tap reads it: tap
 * (i, j) reads phase `phaseOf[i·kW + j]` from flat offset `shiftOf[i·kW + j]` (in pixels) of each
 * Hq×Wq phase plane, so that its im2col rows are single runs of `outH·Wq` pixels (columns past
 * outW are garbage that meets zero output gradient).
 */
export interface PhasedInput {
  phases: tf.TensorInfo;
  hq: number;
  wq: number;
  phaseOf: number[];
  shiftOf: number[];
}

/** Pads/crops `x` (NHWC) to whole phases and splits it; see {@link PhasedInput}. */
export function phasedInput(backend: WasmBackend, x: tf.TensorInfo, g: ConvGeometry, channelMajor: boolean): PhasedInput {
  const rows = tapPhases(g.kH, g.sH, g.dH, g.top, g.inH, g.outH);
  const cols = tapPhases(g.kW, g.sW, g.dW, g.left, g.inW, g.outW);
  const wq = cols.length;
  // A run that starts mid-row spills into the row after the last one read.
  const hq = Math.max(rows.length, g.outH + Math.max(...rows.shift) + (Math.max(...cols.shift) > 0 ? 1 : 0));
  const padded = extractWindow(backend, x, [-g.top, hq * g.sH - g.top], [-g.left, wq * g.sW - g.left]);
  const phases = splitPhases(backend, padded, g.sH, g.sW, channelMajor);
  free(backend, padded);
  const phaseOf: number[] = [];
  const shiftOf: number[] = [];
  for (let i = 0; i < g.kH; i++) {
    for (let j = 0; j < g.kW; j++) {
      phaseOf.push((cols.phase[j] as number) * g.sH + (rows.phase[i] as number));
      shiftOf.push((rows.shift[i] as number) * wq + (cols.shift[j] as number));
    }
  }
  return { phases, hq, wq, phaseOf, shiftOf };
}

/** Consecutive tap ranges whose im2col block stays under {@link MAX_PATCH_ELEMENTS}. */
export function tapGroups(taps: number, elementsPerTap: number): [number, number][] {
  const per = Math.max(1, Math.floor(MAX_PATCH_ELEMENTS / Math.max(1, elementsPerTap)));
  const groups: [number, number][] = [];
  for (let t0 = 0; t0 < taps; t0 += per) groups.push([t0, Math.min(taps, t0 + per)]);
  return groups;
}

/** Concatenates along axis 0 and frees the parts. */
export function concatParts(backend: WasmBackend, parts: tf.TensorInfo[]): tf.TensorInfo {
  if (parts.length === 1) return parts[0] as tf.TensorInfo;
  const out = runWasmKernel('Concat', backend, parts, { axis: 0 });
  free(backend, ...parts);
  return out;
}

/**
 * Conv2DBackpropFilter for the wasm backend: dW[i,j,ci,co] = Σ x[b, oy·s+i−top, ox·s+j−left, ci]
 * · dy[b, oy, ox, co]. The input goes channel-major and phase-split, each tap's patch rows are
 * copied as whole runs (im2col, one memmove per channel and image), and one XNNPACK matmul
 * [taps·Ci, B·outH·Wq] × [B·outH·Wq, Co] gives the gradient in the filter's own layout.
 */
export function conv2dBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const filterShape = [...attrs.filterShape];
  let x = args.inputs['x'] as tf.TensorInfo;
  let dy = args.inputs['dy'] as tf.TensorInfo;
  const g = convGeometry(x.shape, filterShape, attrs as ConvAttrs, false);
  const nchw = attrs.dataFormat === 'NCHW';
  if (nchw) {
    x = transpose(backend, x, [0, 2, 3, 1]);
    dy = transpose(backend, dy, [0, 2, 3, 1]);
  }
  try {
    assertShape('Conv2DBackpropFilter', 'dy (NHWC)', dy.shape, [g.batch, g.outH, g.outW, g.outC], 'the conv output for x, filterShape and the attributes');
    return filterGradient(backend, x, dy, g, filterShape);
  } finally {
    if (nchw) free(backend, x, dy);
  }
}

function filterGradient(backend: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, filterShape: number[]): tf.TensorInfo {
  const ci = g.inC;
  const co = g.outC;
  if (sizeOf(x.shape) === 0 || sizeOf(dy.shape) === 0) return fill(backend, filterShape, 0);
  const input = phasedInput(backend, x, g, true);
  const { hq, wq } = input;
  const dyp = extractWindow(backend, dy, [0, g.outH], [0, wq]);
  const run = g.outH * wq;
  const cols = g.batch * run;
  const taps = g.kH * g.kW;
  const parts: tf.TensorInfo[] = [];
  for (const [t0, t1] of tapGroups(taps, ci * cols)) {
    const patches = backend.makeOutput([1, (t1 - t0) * ci, cols], 'float32');
    for (let t = t0; t < t1; t++) {
      copyRuns(backend, input.phases, patches, {
        length: run,
        srcOffset: (input.phaseOf[t] as number) * ci * g.batch * hq * wq + (input.shiftOf[t] as number),
        dstOffset: (t - t0) * ci * cols,
        counts: [ci, g.batch],
        srcStrides: [g.batch * hq * wq, hq * wq],
        dstStrides: [cols, run],
      });
    }
    const part = runWasmKernel('BatchMatMul', backend, { a: patches, b: view(dyp, [1, cols, co]) }, { transposeA: false, transposeB: false });
    free(backend, patches);
    parts.push(reshape(backend, part, [(t1 - t0) * ci, co]));
    free(backend, part);
  }
  free(backend, input.phases, dyp);
  const all = concatParts(backend, parts);
  const out = reshape(backend, all, filterShape);
  free(backend, all);
  return out;
}
