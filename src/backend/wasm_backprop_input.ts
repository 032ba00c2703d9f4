import type * as tf from '@tensorflow/tfjs-core';
import { outputPhases, type ConvGeometry, type OutputPhase } from './wasm_conv_geometry.js';
import {
  assertShape,
  copyRuns,
  extractWindow,
  fill,
  free,
  reshape,
  runWasmKernel,
  sizeOf,
  transpose,
  view,
  type WasmBackend,
} from './wasm_kernel_utils.js';
import { interleavePhases } from './wasm_phases.js';

/**
 * Input gradient of a conv (`depthwise` false: filter [kH,kW,Ci,Co]) or depthwise conv (filter
 * [kH,kW,C,M]) as forward convolutions on XNNPACK. Each stride phase of the input gradient is
 * the output gradient correlated with the flipped sub-filter of the taps that reach it, so the
 * work equals the forward conv's (no zero-inserted output gradient); the phases are then
 * interleaved. Returns [B, inH, inW, inC].
 */
export function backpropInput(
  backend: WasmBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  depthwise: boolean,
): tf.TensorInfo {
  const outShape = [g.batch, g.inH, g.inW, g.inC];
  const kernel = depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput';
  if (filter.shape[2] !== g.inC)
    assertShape(
      kernel,
      'filter',
      filter.shape,
      [g.kH, g.kW, g.inC, filter.shape[3] as number],
      'input channels of inputShape',
    );
  assertShape(
    kernel,
    'dy (NHWC)',
    dy.shape,
    [g.batch, g.outH, g.outW, g.outC],
    'the conv output for inputShape, the filter and the attributes',
  );
  if (sizeOf(outShape) === 0) return fill(backend, outShape, 0);
  if (sizeOf(dy.shape) === 0) return fill(backend, outShape, 0);
  const rows = outputPhases(g.kH, g.sH, g.dH, g.top, g.inH);
  const cols = outputPhases(g.kW, g.sW, g.dW, g.left, g.inW);
  const phases: tf.TensorInfo[] = [];
  for (let rx = 0; rx < g.sW; rx++) {
    for (let ry = 0; ry < g.sH; ry++) {
      phases.push(
        phaseGradient(
          backend,
          dy,
          filter,
          g,
          rows.phases[ry] ?? null,
          cols.phases[rx] ?? null,
          rows.length,
          cols.length,
          depthwise,
        ),
      );
    }
  }
  let full: tf.TensorInfo;
  if (phases.length === 1) {
    full = phases[0] as tf.TensorInfo;
  } else {
    full = interleavePhases(backend, phases, g.sH, g.sW);
    free(backend, ...phases);
  }
  if (full.shape[1] === g.inH && full.shape[2] === g.inW) return full;
  const cropped = extractWindow(backend, full, [0, g.inH], [0, g.inW]);
  free(backend, full);
  return cropped;
}

function phaseGradient(
  backend: WasmBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  row: OutputPhase | null,
  col: OutputPhase | null,
  uq: number,
  vq: number,
  depthwise: boolean,
): tf.TensorInfo {
  const shape = [g.batch, uq, vq, g.inC];
  if (row == null || col == null) return fill(backend, shape, 0);
  const sub = subFilter(backend, filter, row.taps, col.taps, depthwise);
  // Output-gradient rows [start, start + span) feed the uq phase rows.
  const spanH = uq + (row.taps.length - 1) * row.dilation;
  const spanW = vq + (col.taps.length - 1) * col.dilation;
  const rowsR: [number, number] = [row.start, row.start + spanH];
  const colsR: [number, number] = [col.start, col.start + spanW];
  let input = dy;
  let pad: number[][] | 'valid' = 'valid';
  let owned: tf.TensorInfo | null = null;
  if (rowsR[0] <= 0 && rowsR[1] >= g.outH && colsR[0] <= 0 && colsR[1] >= g.outW) {
    // The window only adds zeros around the output gradient: let XNNPACK pad implicitly.
    pad = [
      [0, 0],
      [-rowsR[0], rowsR[1] - g.outH],
      [-colsR[0], colsR[1] - g.outW],
      [0, 0],
    ];
  } else {
    owned = extractWindow(backend, dy, rowsR, colsR);
    input = owned;
  }
  const dilations = [row.dilation, col.dilation];
  let out: tf.TensorInfo;
  if (depthwise) {
    const [nh, nw, c, m] = sub.shape as [number, number, number, number];
    const perChannel = runWasmKernel(
      'DepthwiseConv2dNative',
      backend,
      { x: input, filter: view(sub, [nh, nw, c * m, 1]) },
      { strides: [1, 1], pad, dilations },
    );
    if (m > 1) {
      out = runWasmKernel('Sum', backend, { x: view(perChannel, [...shape, m]) }, { axis: [4], keepDims: false });
      free(backend, perChannel);
    } else {
      out = perChannel;
    }
  } else {
    out = runWasmKernel(
      'Conv2D',
      backend,
      { x: input, filter: sub },
      { strides: [1, 1], pad, dilations, dataFormat: 'NHWC' },
    );
  }
  free(backend, sub, owned);
  return out;
}

/**
 * The filter taps `rowTaps × colTaps` in the given (flipped) order; for a conv also with its
 * channel axes swapped to [nh, nw, Co, Ci], the filter of the transposed correlation.
 */
function subFilter(
  backend: WasmBackend,
  filter: tf.TensorInfo,
  rowTaps: number[],
  colTaps: number[],
  depthwise: boolean,
): tf.TensorInfo {
  const [, kW, a, b] = filter.shape as [number, number, number, number];
  const nh = rowTaps.length;
  const nw = colTaps.length;
  const block = a * b;
  const sub = backend.makeOutput([nh, nw, a, b], 'float32');
  rowTaps.forEach((i, mh) => {
    colTaps.forEach((j, mw) => {
      copyRuns(backend, filter, sub, {
        length: block,
        srcOffset: (i * kW + j) * block,
        dstOffset: (mh * nw + mw) * block,
        counts: [],
        srcStrides: [],
        dstStrides: [],
      });
    });
  });
  if (depthwise) return sub;
  const swapped = transpose(backend, view(sub, [nh * nw, a, b]), [0, 2, 1]);
  free(backend, sub);
  const out = reshape(backend, swapped, [nh, nw, b, a]);
  free(backend, swapped);
  return out;
}
