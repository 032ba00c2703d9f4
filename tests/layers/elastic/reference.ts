/**
 * Slow, obviously-correct float64 reference implementations (plain loops over NHWC arrays) that
 * the elastic-layer tests compare tfjs outputs against.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface Arr {
  shape: number[];
  data: Float64Array;
}

export function arr(t: tf.Tensor): Arr {
  return { shape: [...t.shape], data: Float64Array.from(t.dataSync()) };
}

function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (shape[i + 1] as number);
  return s;
}

/** The leading block `sizes` of `a`. */
export function slicePrefix(a: Arr, sizes: number[]): Arr {
  const out = new Float64Array(sizes.reduce((p, q) => p * q, 1));
  const src = strides(a.shape);
  const dst = strides(sizes);
  for (let i = 0; i < out.length; i++) {
    let rem = i;
    let off = 0;
    for (let d = 0; d < sizes.length; d++) {
      const idx = Math.floor(rem / (dst[d] as number));
      rem -= idx * (dst[d] as number);
      off += idx * (src[d] as number);
    }
    out[i] = a.data[off] as number;
  }
  return { shape: sizes, data: out };
}

/** OFA's elastic kernel on a [K, K, a, b] kernel, with matrices given row-major by name. */
export function elasticKernelRef(kernel: Arr, k: number, choices: number[], matrices: Record<string, Arr>): Arr {
  let cur = kernel;
  const sorted = [...choices].sort((p, q) => p - q);
  for (let i = sorted.length - 1; i > 0 && (cur.shape[0] as number) > k; i--) {
    const from = sorted[i] as number;
    const t = sorted[i - 1] as number;
    const [, , a, b] = cur.shape as [number, number, number, number];
    const start = Math.floor(from / 2) - Math.floor(t / 2);
    const m = matrices[`${from}to${t}`] as Arr;
    const next = new Float64Array(t * t * a * b);
    for (let ch = 0; ch < a * b; ch++) {
      const patch: number[] = [];
      for (let r = 0; r < t; r++)
        for (let c = 0; c < t; c++) patch.push(cur.data[((start + r) * from + (start + c)) * a * b + ch] as number);
      for (let row = 0; row < t * t; row++) {
        let s = 0;
        for (let col = 0; col < t * t; col++) s += (m.data[row * t * t + col] as number) * (patch[col] as number);
        next[row * a * b + ch] = s;
      }
    }
    cur = { shape: [t, t, a, b], data: next };
  }
  return cur;
}

export interface ConvOptions {
  strides?: [number, number];
  dilation?: [number, number];
  pads?: [number, number, number, number];
  padMode?: 'zeros' | 'reflect';
}

function sample(x: Arr, n: number, i: number, j: number, c: number, mode: 'zeros' | 'reflect'): number {
  const [, h, w, ch] = x.shape as [number, number, number, number];
  if (mode === 'reflect') {
    if (i < 0) i = -i;
    if (i >= h) i = 2 * (h - 1) - i;
    if (j < 0) j = -j;
    if (j >= w) j = 2 * (w - 1) - j;
  } else if (i < 0 || i >= h || j < 0 || j >= w) return 0;
  return x.data[((n * h + i) * w + j) * ch + c] as number;
}

function outSize(
  x: Arr,
  kh: number,
  kw: number,
  o: ConvOptions,
): [number, number, number, number, number, number, number, number] {
  const [sh, sw] = o.strides ?? [1, 1];
  const [dh, dw] = o.dilation ?? [1, 1];
  const [t, b, l, r] = o.pads ?? [0, 0, 0, 0];
  const oh = Math.floor(((x.shape[1] as number) + t + b - (dh * (kh - 1) + 1)) / sh) + 1;
  const ow = Math.floor(((x.shape[2] as number) + l + r - (dw * (kw - 1) + 1)) / sw) + 1;
  return [oh, ow, sh, sw, dh, dw, t, l];
}

/** Regular conv, kernel [kh, kw, cin, cout]. */
export function conv2dRef(x: Arr, w: Arr, bias: Arr | null, o: ConvOptions = {}): Arr {
  const [n, , , cin] = x.shape as [number, number, number, number];
  const [kh, kw, wcin, cout] = w.shape as [number, number, number, number];
  if (wcin !== cin) throw new Error(`conv2dRef: kernel in ${wcin} vs input ${cin}`);
  const [oh, ow, sh, sw, dh, dw, t, l] = outSize(x, kh, kw, o);
  const out = new Float64Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let co = 0; co < cout; co++) {
          let s = bias == null ? 0 : (bias.data[co] as number);
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++)
              for (let ci = 0; ci < cin; ci++)
                s +=
                  sample(x, b, i * sh + u * dh - t, j * sw + v * dw - l, ci, o.padMode ?? 'zeros') *
                  (w.data[((u * kw + v) * cin + ci) * cout + co] as number);
          out[((b * oh + i) * ow + j) * cout + co] = s;
        }
  return { shape: [n, oh, ow, cout], data: out };
}

/** Depthwise conv, kernel [kh, kw, C, m], output channel c·m + j. */
export function depthwiseRef(x: Arr, w: Arr, bias: Arr | null, o: ConvOptions = {}): Arr {
  const [n, , , c] = x.shape as [number, number, number, number];
  const [kh, kw, wc, m] = w.shape as [number, number, number, number];
  if (wc !== c) throw new Error(`depthwiseRef: kernel C ${wc} vs input ${c}`);
  const [oh, ow, sh, sw, dh, dw, t, l] = outSize(x, kh, kw, o);
  const out = new Float64Array(n * oh * ow * c * m);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ci = 0; ci < c; ci++)
          for (let q = 0; q < m; q++) {
            let s = bias == null ? 0 : (bias.data[ci * m + q] as number);
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++)
                s +=
                  sample(x, b, i * sh + u * dh - t, j * sw + v * dw - l, ci, o.padMode ?? 'zeros') *
                  (w.data[((u * kw + v) * c + ci) * m + q] as number);
            out[((b * oh + i) * ow + j) * c * m + ci * m + q] = s;
          }
  return { shape: [n, oh, ow, c * m], data: out };
}

/** PyTorch ConvTranspose2d, kernel [kh, kw, cout, cin]: out[i] += x[j]·w[t] where i = j·s − p + t·d. */
export function convTransposeRef(
  x: Arr,
  w: Arr,
  bias: Arr | null,
  s: [number, number],
  p: [number, number],
  op: [number, number],
  d: [number, number] = [1, 1],
): Arr {
  const [n, h, wd, cin] = x.shape as [number, number, number, number];
  const [kh, kw, cout] = w.shape as [number, number, number, number];
  const oh = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op[0] + 1;
  const ow = (wd - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op[1] + 1;
  const out = new Float64Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let co = 0; co < cout; co++)
          out[((b * oh + i) * ow + j) * cout + co] = bias == null ? 0 : (bias.data[co] as number);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < wd; j++)
        for (let u = 0; u < kh; u++)
          for (let v = 0; v < kw; v++) {
            const oi = i * s[0] - p[0] + u * d[0];
            const oj = j * s[1] - p[1] + v * d[1];
            if (oi < 0 || oi >= oh || oj < 0 || oj >= ow) continue;
            for (let co = 0; co < cout; co++) {
              let acc = 0;
              for (let ci = 0; ci < cin; ci++)
                acc +=
                  (x.data[((b * h + i) * wd + j) * cin + ci] as number) *
                  (w.data[((u * kw + v) * cout + co) * cin + ci] as number);
              out[((b * oh + oi) * ow + oj) * cout + co]! += acc;
            }
          }
  return { shape: [n, oh, ow, cout], data: out };
}

/** Per-channel statistics over every axis but the last: mean and biased variance. */
export function channelMoments(x: Arr, perSample = false): { mean: Float64Array; variance: Float64Array } {
  const c = x.shape[x.shape.length - 1] as number;
  const groups = perSample ? (x.shape[0] as number) : 1;
  const per = x.data.length / c / groups;
  const mean = new Float64Array(groups * c);
  const variance = new Float64Array(groups * c);
  for (let g = 0; g < groups; g++)
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let i = 0; i < per; i++) s += x.data[(g * per + i) * c + ch] as number;
      const mu = s / per;
      let v = 0;
      for (let i = 0; i < per; i++) v += ((x.data[(g * per + i) * c + ch] as number) - mu) ** 2;
      mean[g * c + ch] = mu;
      variance[g * c + ch] = v / per;
    }
  return { mean, variance };
}

/** (x − mean)/sqrt(var + eps)·gamma + beta with given per-channel (or per-sample-channel) stats. */
export function normalizeRef(
  x: Arr,
  mean: Float64Array,
  variance: Float64Array,
  eps: number,
  gamma: Arr | null,
  beta: Arr | null,
  perSample = false,
): Arr {
  const c = x.shape[x.shape.length - 1] as number;
  const per = perSample ? x.data.length / (x.shape[0] as number) : x.data.length;
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const ch = i % c;
    const k = perSample ? Math.floor(i / per) * c + ch : ch;
    let y = ((x.data[i] as number) - (mean[k] as number)) / Math.sqrt((variance[k] as number) + eps);
    if (gamma) y *= gamma.data[ch] as number;
    if (beta) y += beta.data[ch] as number;
    out[i] = y;
  }
  return { shape: x.shape, data: out };
}

export function instanceNormRef(x: Arr, eps = 1e-5, gamma: Arr | null = null, beta: Arr | null = null): Arr {
  const { mean, variance } = channelMoments(x, true);
  return normalizeRef(x, mean, variance, eps, gamma, beta, true);
}
