import * as tf from '@tensorflow/tfjs-core';
import { convGeometry } from './wasm_conv_geometry.js';
import {
  assertShape,
  concatParts,
  copyRuns,
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
 * Spatial sums of NHWC products with XNNPACK average pooling, which reduces over pixels with
 * channels innermost, so the products need no transpose (the Sum kernel would transpose first).
 * Stage one averages each row: [N, H, W, C] → [N, H, 1, C].
 */
export function rowMeans(backend: WasmBackend, x: tf.TensorInfo): tf.TensorInfo {
  const w = x.shape[2] as number;
  return runWasmKernel('AvgPool', backend, { x }, { filterSize: [1, w], strides: [1, w], pad: 'valid' });
}

/** Stage two: the row means of {@link rowMeans} [N, H, 1, C] → sums over the H·W pixels, [N, C]. */
export function sumsFromRowMeans(backend: WasmBackend, means: tf.TensorInfo, pixelsPerRow: number): tf.TensorInfo {
  const [n, h, , c] = means.shape as [number, number, number, number];
  const mean = runWasmKernel('AvgPool', backend, { x: means }, { filterSize: [h, 1], strides: [h, 1], pad: 'valid' });
  const count = fill(backend, [], h * pixelsPerRow);
  const sums = runWasmKernel('Multiply', backend, { a: view(mean, [n, c]), b: count });
  free(backend, mean, count);
  return sums;
}

/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend: dW[i,j,c,m] = Σ x[b, oy·s+i·d−top,
 * ox·s+j·d−left, c] · dy[b, oy, ox, c·M+m]. For each tap, the input pixels it reads are copied
 * out of the phase-split padded input as whole rows, multiplied by the output gradient with
 * XNNPACK and summed over pixels by pooling ({@link rowMeans}). One tap at a time keeps the working set
 * in cache, which measured faster than one large product over all taps.
 */
export function depthwiseBackpropFilterWasm(args: KernelArgs): tf.TensorInfo {
  const { backend, attrs, input } = unpack<tf.DepthwiseConv2dNativeBackpropFilterAttrs>(args);
  const filterShape = [...attrs.filterShape];
  const x = input('x');
  const dy = input('dy');
  const g = convGeometry(x.shape, filterShape, attrs, true);
  assertShape(
    'DepthwiseConv2dNativeBackpropFilter',
    'dy',
    dy.shape,
    [g.batch, g.outH, g.outW, g.outC],
    'the depthwise conv output for x, filterShape and the attributes',
  );
  if (sizeOf(x.shape) === 0 || sizeOf(dy.shape) === 0) return fill(backend, filterShape, 0);
  const c = g.inC;
  const m = filterShape[3] as number;
  const phased = phasedInput(backend, x, g, false);
  const { hq, wq } = phased;
  const pixels = g.batch * g.outH * g.outW;
  // Multiplier m of every channel as its own plane, so products broadcast over a leading axis
  // only (XNNPACK's fast broadcast; broadcasting the innermost axis is ~50× slower).
  const dyByM = m > 1 ? transpose(backend, view(dy, [pixels, c, m]), [2, 0, 1]) : reshape(backend, dy, [1, pixels, c]);
  const taps = g.kH * g.kW;
  const parts: tf.TensorInfo[] = [];
  for (let t = 0; t < taps; t++) {
    const shifted = backend.makeOutput([1, pixels, c], 'float32');
    copyRuns(backend, phased.phases, shifted, {
      length: g.outW * c,
      srcOffset: ((phased.phaseOf[t] as number) * g.batch * hq * wq + (phased.shiftOf[t] as number)) * c,
      dstOffset: 0,
      counts: [g.batch, g.outH],
      srcStrides: [hq * wq * c, wq * c],
      dstStrides: [g.outH * g.outW * c, g.outW * c],
    });
    const products = runWasmKernel('Multiply', backend, { a: shifted, b: dyByM });
    free(backend, shifted);
    parts.push(rowMeans(backend, view(products, [m, g.batch * g.outH, g.outW, c])));
    free(backend, products);
  }
  free(backend, phased.phases, dyByM);
  // One second-stage pool for all taps: per-tap calls on these small tensors cost more than the data.
  const means = concatParts(backend, parts); // [taps·m, rows, 1, c]
  const all = sumsFromRowMeans(backend, means, g.outW); // [taps·m, c]
  free(backend, means);
  let out: tf.TensorInfo;
  if (m > 1) {
    const perTap = transpose(backend, view(all, [taps, m, c]), [0, 2, 1]);
    out = reshape(backend, perTap, filterShape);
    free(backend, perTap);
  } else {
    out = reshape(backend, all, filterShape);
  }
  free(backend, all);
  return out;
}
