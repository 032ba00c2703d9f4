import type * as tf from '@tensorflow/tfjs-core';
import { tapPhases, type ConvGeometry } from './wasm_conv_geometry.js';
import { copyRuns, extractWindow, free, reshape, transpose, view, type WasmBackend } from './wasm_kernel_utils.js';

// A strided conv reads its input on a grid: splitting the input into its sH·sW phases
// (x[u·sH + ry, v·sW + rx] → phase (ry, rx)) turns every tap into a stride-1 read of one phase,
// and the input gradient of each phase into a stride-1 correlation. Both directions are a few
// 3-D transposes, which the wasm Transpose kernel does as block copies (its 5-D and 6-D paths
// are an order of magnitude slower).

/**
 * Splits an NHWC tensor [B, Hq·sH, Wq·sW, C] into its phases. The result is laid out
 * [sW, sH, B, Hq, Wq, C] (phase (ry, rx) is block `rx·sH + ry`), or, with `channelMajor`,
 * [sW, sH, C, B, Hq, Wq], where every (phase, channel, image) plane is contiguous.
 */
export function splitPhases(
  backend: WasmBackend,
  x: tf.TensorInfo,
  sH: number,
  sW: number,
  channelMajor: boolean,
): tf.TensorInfo {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const hq = h / sH;
  const wq = w / sW;
  let t = reshape(backend, x, x.shape);
  const step = (shape: number[], perm: number[]): void => {
    const next = transpose(backend, view(t, shape), perm);
    free(backend, t);
    t = next;
  };
  if (sH > 1) step([b * hq, sH, wq * sW * c], [1, 0, 2]);
  if (sW > 1) step([sH * b * hq * wq, sW, c], [1, 0, 2]);
  if (channelMajor && c > 1) step([sW * sH, b * hq * wq, c], [0, 2, 1]);
  return t;
}

/**
 * Inverse of {@link splitPhases} for the input gradient: `phases[rx·sH + ry]` is phase (ry, rx)
 * as [B, Uq, Vq, C]; the result is [B, Uq·sH, Vq·sW, C]. The phase tensors are not freed.
 */
export function interleavePhases(backend: WasmBackend, phases: tf.TensorInfo[], sH: number, sW: number): tf.TensorInfo {
  const [b, uq, vq, c] = (phases[0] as tf.TensorInfo).shape as [number, number, number, number];
  const block = b * uq * vq * c;
  let t = backend.makeOutput([sW * sH * block], 'float32');
  phases.forEach((p, i) =>
    copyRuns(backend, p, t, {
      length: block,
      srcOffset: 0,
      dstOffset: i * block,
      counts: [],
      srcStrides: [],
      dstStrides: [],
    }),
  );
  const step = (shape: number[], perm: number[]): void => {
    const next = transpose(backend, view(t, shape), perm);
    free(backend, t);
    t = next;
  };
  // [rx, ry, b, u, v, c] → [ry, b, u, v, rx, c] → [b, u, ry, v, rx, c]
  if (sW > 1) step([sW, sH * b * uq * vq, c], [1, 0, 2]);
  if (sH > 1) step([sH, b * uq, vq * sW * c], [1, 0, 2]);
  const out = reshape(backend, t, [b, uq * sH, vq * sW, c]);
  free(backend, t);
  return out;
}

/**
 * The input padded and split into stride phases, plus where each filter tap reads it: tap
 * (i, j) reads phase `phaseOf[i·kW + j]` from flat offset `shiftOf[i·kW + j]` (in pixels) of each
 * Hq×Wq phase plane. The conv filter gradient copies each tap's pixels as single runs of
 * `outH·Wq` pixels (columns past outW are garbage that meets zero output gradient), the
 * depthwise one row by row.
 */
export interface PhasedInput {
  phases: tf.TensorInfo;
  hq: number;
  wq: number;
  phaseOf: number[];
  shiftOf: number[];
}

/** Zero-pads `x` (NHWC) to whole phases and splits it; see {@link PhasedInput}. */
export function phasedInput(
  backend: WasmBackend,
  x: tf.TensorInfo,
  g: ConvGeometry,
  channelMajor: boolean,
): PhasedInput {
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
