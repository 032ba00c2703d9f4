import type * as tf from '@tensorflow/tfjs-core';
import { copyRuns, free, reshape, transpose, view, type WasmBackend } from './wasm_kernel_utils.js';

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
export function splitPhases(backend: WasmBackend, x: tf.TensorInfo, sH: number, sW: number, channelMajor: boolean): tf.TensorInfo {
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
  phases.forEach((p, i) => copyRuns(backend, p, t, { length: block, srcOffset: 0, dstOffset: i * block, counts: [], srcStrides: [], dstStrides: [] }));
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
