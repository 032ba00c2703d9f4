/**
 * Slow float64 references (plain loops over NHWC arrays) for the conditional ops: instance norm,
 * MUNIT's layer norm and AdaIN, written from their definitions.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** An NHWC tensor's values as float64 with its shape. */
export interface Nhwc {
  n: number;
  h: number;
  w: number;
  c: number;
  data: Float64Array;
}

export function nhwc(t: tf.Tensor): Nhwc {
  const [n, h, w, c] = t.shape as [number, number, number, number];
  return { n, h, w, c, data: Float64Array.from(t.dataSync()) };
}

const at = (x: Nhwc, b: number, i: number, j: number, k: number): number =>
  x.data[((b * x.h + i) * x.w + j) * x.c + k] as number;

/** Per sample and channel: (x − mean)/sqrt(biased var + eps). */
export function instanceNormRef(x: Nhwc, eps = 1e-5): Float64Array {
  const out = new Float64Array(x.data.length);
  const hw = x.h * x.w;
  for (let b = 0; b < x.n; b++)
    for (let k = 0; k < x.c; k++) {
      let mean = 0;
      for (let i = 0; i < x.h; i++) for (let j = 0; j < x.w; j++) mean += at(x, b, i, j, k);
      mean /= hw;
      let v = 0;
      for (let i = 0; i < x.h; i++) for (let j = 0; j < x.w; j++) v += (at(x, b, i, j, k) - mean) ** 2;
      v /= hw;
      for (let i = 0; i < x.h; i++)
        for (let j = 0; j < x.w; j++)
          out[((b * x.h + i) * x.w + j) * x.c + k] = (at(x, b, i, j, k) - mean) / Math.sqrt(v + eps);
    }
  return out;
}

/** MUNIT's LayerNorm: per sample (x − mean)/(unbiased std + eps), then gamma/beta per channel. */
export function munitLayerNormRef(
  x: Nhwc,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  eps = 1e-5,
): Float64Array {
  const out = new Float64Array(x.data.length);
  const per = x.h * x.w * x.c;
  for (let b = 0; b < x.n; b++) {
    const s = x.data.subarray(b * per, (b + 1) * per);
    const mean = s.reduce((p, q) => p + q, 0) / per;
    const std = Math.sqrt(s.reduce((p, q) => p + (q - mean) ** 2, 0) / (per - 1));
    for (let e = 0; e < per; e++) {
      const k = e % x.c;
      out[b * per + e] = (((s[e] as number) - mean) / (std + eps)) * (gamma[k] as number) + (beta[k] as number);
    }
  }
  return out;
}

/** AdaIN: std[b, k] · IN(x) + mean[b, k]. */
export function adainRef(x: Nhwc, mean: ArrayLike<number>, std: ArrayLike<number>, eps = 1e-5): Float64Array {
  const normalized = instanceNormRef(x, eps);
  const out = new Float64Array(x.data.length);
  for (let e = 0; e < out.length; e++) {
    const k = e % x.c;
    const b = Math.floor(e / (x.h * x.w * x.c));
    out[e] = (normalized[e] as number) * (std[b * x.c + k] as number) + (mean[b * x.c + k] as number);
  }
  return out;
}
