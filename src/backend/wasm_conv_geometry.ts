import * as tf from '@tensorflow/tfjs-core';

/** The attributes every conv backprop kernel receives, as tfjs passes them. */
export interface ConvAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: tf.Conv2DBackpropFilterAttrs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

/** Sizes of one 2-D convolution in NHWC terms (tfjs' own `computeConv2DInfo`, reduced). */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  dH: number;
  dW: number;
  /** Zero rows above / columns left of the input the forward conv reads. */
  top: number;
  left: number;
}

/**
 * The geometry of the forward conv whose gradient a backprop kernel computes, computed exactly
 * as the forward kernels compute it (padding modes, explicit pads, dimRoundingMode), so the
 * gradient matches the forward op's output size in every case.
 */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
  depthwise: boolean,
): ConvGeometry {
  const dataFormat = attrs.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast';
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    dataFormat,
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    dH: info.dilationHeight,
    dW: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/**
 * How the taps of one spatial axis read a strided input (filter-gradient direction). Output
 * position o of tap k reads padded input `o·s + k·d`, which is element `o + shift[k]` of phase
 * `phase[k]` when the padded input is split into its s phases (`u·s + r` → phase r, element u).
 * `length` is the phase length to allocate: every tap's reads fit, and so does the whole input.
 */
export interface TapPhases {
  phase: number[];
  shift: number[];
  length: number;
}

/** {@link TapPhases} of an axis with kernel size k, stride s, dilation d. */
export function tapPhases(
  k: number,
  s: number,
  d: number,
  padBefore: number,
  inSize: number,
  outSize: number,
): TapPhases {
  const phase: number[] = [];
  const shift: number[] = [];
  for (let i = 0; i < k; i++) {
    phase.push((i * d) % s);
    shift.push(Math.floor((i * d) / s));
  }
  const length = Math.max(outSize + Math.max(...shift), Math.ceil((padBefore + inSize) / s));
  return { phase, shift, length };
}

/**
 * One output phase of the input gradient along an axis: input positions `u·s + r` receive
 * contributions from the taps k with `(r + padBefore − k·d) ≡ 0 (mod s)`, from output position
 * `u + (r + padBefore − k·d)/s`. Listed with k descending, the offsets ascend by a constant
 * `dilation`, so the phase is a plain correlation of the output gradient with the flipped
 * sub-filter `taps`, starting at offset `start`.
 */
export interface OutputPhase {
  /** Filter taps, in the order of the flipped sub-filter (k descending). */
  taps: number[];
  /** Output-gradient position read by phase element 0 through sub-filter tap 0. */
  start: number;
  dilation: number;
}

/** Output phases (null when no tap reaches a phase) and the common phase length. */
export function outputPhases(
  k: number,
  s: number,
  d: number,
  padBefore: number,
  inSize: number,
): { phases: (OutputPhase | null)[]; length: number } {
  const phases: (OutputPhase | null)[] = [];
  for (let r = 0; r < s; r++) {
    const taps: number[] = [];
    for (let i = k - 1; i >= 0; i--) if ((((r + padBefore - i * d) % s) + s) % s === 0) taps.push(i);
    if (taps.length === 0) {
      phases.push(null);
      continue;
    }
    const offset = (i: number): number => (r + padBefore - i * d) / s;
    const first = taps[0] as number;
    const dilation = taps.length > 1 ? offset(taps[1] as number) - offset(first) : 1;
    phases.push({ taps, start: offset(first), dilation });
  }
  return { phases, length: Math.ceil(inSize / s) };
}
