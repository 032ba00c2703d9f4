/**
 * Slow float64 references for the modulated convs, written in the per-sample-weight form the
 * papers use (W′[n] = scale·W ⊙ s[n], demodulated, one conv per sample) with plain loops over
 * NHWC arrays — a different formulation from the library's input-scaling one.
 */
import { arr, slicePrefix, type Arr } from '../elastic/reference.js';

export { arr, slicePrefix, type Arr };

export type Demod = 'style' | 'styleinv' | 'none';

export interface ModConvRefOptions {
  scale: number;
  demodulation: Demod;
  styleInv?: Arr;
  upsample?: boolean;
}

/** `s = w·A·mul + b` for styles `w` `[N, D]`, `A` `[D, C]`, `b` `[C]`. */
export function affineRef(w: Arr, a: Arr, b: Arr, mul = 1): Arr {
  const [n, d] = w.shape as [number, number];
  const c = a.shape[1] as number;
  const out = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (w.data[i * d + k] as number) * (a.data[k * c + j] as number);
      out[i * c + j] = s * mul + (b.data[j] as number);
    }
  }
  return { shape: [n, c], data: out };
}

/** The dense kernel of a separable conv: `K[kh, kw, i, o] = dw[kh, kw, i] · pw[i, o]`. */
export function combinedRef(dw: Arr, pw: Arr): Arr {
  const [k, , c] = dw.shape as [number, number, number, number];
  const o = pw.shape[3] as number;
  const out = new Float64Array(k * k * c * o);
  for (let t = 0; t < k * k; t++)
    for (let i = 0; i < c; i++)
      for (let j = 0; j < o; j++)
        out[(t * c + i) * o + j] = (dw.data[t * c + i] as number) * (pw.data[i * o + j] as number);
  return { shape: [k, k, c, o], data: out };
}

/** A modulated conv by per-sample weights: `[N, H, W, C]` → `[N, H, W, O]` (or `2H × 2W` up-sampled). */
export function modConvRef(x: Arr, s: Arr, kernel: Arr, o: ModConvRefOptions): Arr {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [k, , , co] = kernel.shape as [number, number, number, number];
  const up = o.upsample === true;
  const oh = up ? 2 * h : h;
  const ow = up ? 2 * w : w;
  const out = new Float64Array(n * oh * ow * co);
  for (let b = 0; b < n; b++) {
    const wn = new Float64Array(kernel.data.length);
    for (let t = 0; t < k * k; t++)
      for (let i = 0; i < c; i++)
        for (let j = 0; j < co; j++) {
          const idx = (t * c + i) * co + j;
          wn[idx] = o.scale * (kernel.data[idx] as number) * (s.data[b * c + i] as number);
        }
    const d = new Float64Array(co).fill(1);
    if (o.demodulation !== 'none') {
      for (let j = 0; j < co; j++) {
        let e = 0;
        for (let t = 0; t < k * k; t++)
          for (let i = 0; i < c; i++) {
            const v =
              o.demodulation === 'style'
                ? (wn[(t * c + i) * co + j] as number)
                : o.scale * (o.styleInv?.data[i] as number) * (kernel.data[(t * c + i) * co + j] as number);
            e += v * v;
          }
        d[j] = 1 / Math.sqrt(e + 1e-8);
      }
    }
    const y = up ? transposedBlur(x, b, wn, k, c, co) : sameConv(x, b, wn, k, c, co);
    for (let p = 0; p < oh * ow; p++)
      for (let j = 0; j < co; j++) out[(b * oh * ow + p) * co + j] = (y[p * co + j] as number) * (d[j] as number);
  }
  return { shape: [n, oh, ow, co], data: out };
}

function sameConv(x: Arr, b: number, wn: Float64Array, k: number, c: number, co: number): Float64Array {
  const [, h, w] = x.shape as [number, number, number, number];
  const r = (k - 1) / 2;
  const y = new Float64Array(h * w * co);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let ki = 0; ki < k; ki++)
        for (let kj = 0; kj < k; kj++) {
          const yi = i + ki - r;
          const xj = j + kj - r;
          if (yi < 0 || yi >= h || xj < 0 || xj >= w) continue;
          for (let ch = 0; ch < c; ch++) {
            const v = x.data[((b * h + yi) * w + xj) * c + ch] as number;
            for (let q = 0; q < co; q++)
              y[(i * w + j) * co + q]! += v * (wn[((ki * k + kj) * c + ch) * co + q] as number);
          }
        }
  return y;
}

/** Stride-2 transposed conv (output `2h + k − 2`) then the [1, 3, 3, 1] blur (gain 4) back to `2h`. */
function transposedBlur(x: Arr, b: number, wn: Float64Array, k: number, c: number, co: number): Float64Array {
  const [, h, w] = x.shape as [number, number, number, number];
  const th = 2 * h + k - 2;
  const tw = 2 * w + k - 2;
  const t = new Float64Array(th * tw * co);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let ch = 0; ch < c; ch++) {
        const v = x.data[((b * h + i) * w + j) * c + ch] as number;
        for (let ki = 0; ki < k; ki++)
          for (let kj = 0; kj < k; kj++)
            for (let q = 0; q < co; q++) {
              t[((2 * i + ki) * tw + 2 * j + kj) * co + q]! += v * (wn[((ki * k + kj) * c + ch) * co + q] as number);
            }
      }
  const p = 3 - k;
  const p0 = Math.floor((p + 1) / 2) + 1;
  return fir(t, th, tw, co, p0, 2 * h, 2 * w, 4);
}

const FIR = [1, 3, 3, 1];

/** The 4×4 [1, 3, 3, 1] FIR (normalised, times `gain`) over a zero-padded map, output `oh × ow`. */
function fir(
  t: Float64Array,
  th: number,
  tw: number,
  co: number,
  p0: number,
  oh: number,
  ow: number,
  gain: number,
): Float64Array {
  const y = new Float64Array(oh * ow * co);
  for (let i = 0; i < oh; i++)
    for (let j = 0; j < ow; j++)
      for (let a = 0; a < 4; a++)
        for (let bb = 0; bb < 4; bb++) {
          const si = i + a - p0;
          const sj = j + bb - p0;
          if (si < 0 || si >= th || sj < 0 || sj >= tw) continue;
          const f = ((FIR[a] as number) * (FIR[bb] as number) * gain) / 64;
          for (let q = 0; q < co; q++) y[(i * ow + j) * co + q]! += f * (t[(si * tw + sj) * co + q] as number);
        }
  return y;
}

/** StyleGAN2's ×2 FIR up-sampling of one NHWC array (zero insertion, pads (2, 1), gain 4). */
export function firUpsampleRef(x: Arr): Arr {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const out = new Float64Array(n * 4 * h * w * c);
  for (let b = 0; b < n; b++) {
    const z = new Float64Array(4 * h * w * c);
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let q = 0; q < c; q++)
          z[(2 * i * 2 * w + 2 * j) * c + q] = x.data[((b * h + i) * w + j) * c + q] as number;
    out.set(fir(z, 2 * h, 2 * w, c, 2, 2 * h, 2 * w, 4), b * 4 * h * w * c);
  }
  return { shape: [n, 2 * h, 2 * w, c], data: out };
}

/** `act(y + strength·noise + bias)` with leaky ReLU 0.2 times `gain` (noise `[1, H, W, 1]`). */
export function styledTailRef(
  y: Arr,
  strength: number,
  noise: Arr | null,
  bias: Arr | null,
  gain: number,
  activation = true,
): Arr {
  const [n, h, w, c] = y.shape as [number, number, number, number];
  const out = new Float64Array(y.data.length);
  for (let b = 0; b < n; b++)
    for (let p = 0; p < h * w; p++)
      for (let q = 0; q < c; q++) {
        const idx = (b * h * w + p) * c + q;
        let v =
          (y.data[idx] as number) +
          (noise == null ? 0 : strength * (noise.data[p] as number)) +
          (bias == null ? 0 : (bias.data[q] as number));
        if (activation) v = (v >= 0 ? v : 0.2 * v) * gain;
        out[idx] = v;
      }
  return { shape: [...y.shape], data: out };
}
