import * as tf from '@tensorflow/tfjs-core';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';

/** pywt's four single-level bands. */
export interface PywtBands {
  cA: FixtureTensor;
  cH: FixtureTensor;
  cV: FixtureTensor;
  cD: FixtureTensor;
}

/** tests/fixtures/wavelet_reference.json (written by tests/fixtures/scripts/wavelet_reference.py). */
export interface WaveletFixture {
  dwt2: PywtBands & { x: FixtureTensor };
  wavedec2: {
    x: FixtureTensor;
    levels: number;
    cA: FixtureTensor;
    details: { cH: FixtureTensor; cV: FixtureTensor; cD: FixtureTensor }[];
  };
  pyramid: {
    image: FixtureTensor;
    levels: number;
    bilinear: (PywtBands & { image: FixtureTensor })[];
    haar: (PywtBands & { image: FixtureTensor })[];
  };
  idwtUpsample: {
    x: FixtureTensor;
    style: FixtureTensor;
    kernel: FixtureTensor;
    bias: FixtureTensor;
    y: FixtureTensor;
  };
}

export const fixture = readFixture<WaveletFixture>('wavelet_reference');

export function t4(e: FixtureTensor): tf.Tensor4D {
  return fromFixture(e) as tf.Tensor4D;
}

/** pywt's bands stacked along channels in the given order (band-major). */
export function concatBands(...bands: FixtureTensor[]): tf.Tensor4D {
  return tf.tidy(() => tf.concat(bands.map(t4), 3));
}

/**
 * Direct loop evaluation of the ±½ formulas (independent of the library's matrix and layout
 * code): band-major `[LL | LH | HL | HH]` of a plain NHWC array.
 */
export function loopDwt(x: Float32Array | number[], [n, h2, w2, c]: number[]): Float64Array {
  const [h, w] = [(h2 as number) / 2, (w2 as number) / 2];
  const out = new Float64Array(x.length);
  for (let b = 0; b < (n as number); b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        for (let ch = 0; ch < (c as number); ch++) {
          const at = (dy: number, dx: number): number =>
            x[((b * (h2 as number) + 2 * i + dy) * (w2 as number) + 2 * j + dx) * (c as number) + ch] as number;
          const [a, bb, cc, d] = [at(0, 0), at(0, 1), at(1, 0), at(1, 1)];
          const o = ((b * h + i) * w + j) * 4 * (c as number) + ch;
          out[o] = (a + bb + cc + d) / 2;
          out[o + (c as number)] = (a + bb - cc - d) / 2;
          out[o + 2 * (c as number)] = (a - bb + cc - d) / 2;
          out[o + 3 * (c as number)] = (a - bb - cc + d) / 2;
        }
      }
    }
  }
  return out;
}

/**
 * Direct loop evaluation of the inverse formulas: band-major `[LL | LH | HL | HH]` coefficients
 * `[n, h, w, 4C]` of a plain array back to the `[n, 2h, 2w, C]` image.
 */
export function loopIdwt(y: Float32Array | number[], [n, h, w, c4]: number[]): Float64Array {
  const c = (c4 as number) / 4;
  const [h2, w2] = [2 * (h as number), 2 * (w as number)];
  const out = new Float64Array(y.length);
  for (let b = 0; b < (n as number); b++) {
    for (let i = 0; i < (h as number); i++) {
      for (let j = 0; j < (w as number); j++) {
        for (let ch = 0; ch < c; ch++) {
          const band = (k: number): number =>
            y[((b * (h as number) + i) * (w as number) + j) * (c4 as number) + k * c + ch] as number;
          const [ll, lh, hl, hh] = [band(0), band(1), band(2), band(3)];
          const at = (dy: number, dx: number): number => ((b * h2 + 2 * i + dy) * w2 + 2 * j + dx) * c + ch;
          out[at(0, 0)] = (ll + lh + hl + hh) / 2;
          out[at(0, 1)] = (ll + lh - hl - hh) / 2;
          out[at(1, 0)] = (ll - lh + hl - hh) / 2;
          out[at(1, 1)] = (ll - lh - hl + hh) / 2;
        }
      }
    }
  }
  return out;
}

/**
 * For every output of the transform of `values` (`'dwt'` of an image, `'idwt'` of
 * coefficients), ½ Σ |terms| of its 4-term sum: float32 evaluation of a ±½ sum of four float32
 * values errs by at most 2⁻²³ times this (three roundings of partial sums).
 */
export function termMagnitudes(values: Float32Array, shape: number[], direction: 'dwt' | 'idwt'): Float64Array {
  const abs = Float32Array.from(values, Math.abs);
  // With all terms non-negative, the all-plus output of each block (LL, or x00) is ½ Σ |terms|;
  // spread it to the block's four outputs.
  const sums = direction === 'dwt' ? loopDwt(abs, shape) : loopIdwt(abs, shape);
  const out = new Float64Array(sums.length);
  const [n, h, w, c] = shape as [number, number, number, number];
  if (direction === 'dwt') {
    const block = 4 * c;
    for (let p = 0; p < sums.length; p += block)
      for (let k = 0; k < c; k++) for (let band = 0; band < 4; band++) out[p + band * c + k] = sums[p + k] as number;
  } else {
    const cOut = c / 4;
    for (let b = 0; b < n; b++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++)
          for (let k = 0; k < cOut; k++) {
            const at = (dy: number, dx: number): number => ((b * 2 * h + 2 * i + dy) * 2 * w + 2 * j + dx) * cOut + k;
            const m = sums[at(0, 0)] as number;
            for (const [dy, dx] of [
              [0, 0],
              [0, 1],
              [1, 0],
              [1, 1],
            ] as const)
              out[at(dy, dx)] = m;
          }
  }
  return out;
}

/** Asserts |actual − expected| ≤ factor · magnitude elementwise, naming the worst element. */
export function expectWithinRounding(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  magnitude: ArrayLike<number>,
  factor: number,
  label: string,
): void {
  let worst = -1;
  let worstExcess = 0;
  if (actual.length !== expected.length)
    throw new Error(`${label}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs((actual[i] as number) - (expected[i] as number)) - factor * (magnitude[i] as number);
    if (!(excess <= worstExcess)) {
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${label}: |diff| exceeds ${factor} · magnitude at flat index ${worst} (actual ${actual[worst]}, expected ${expected[worst]}, magnitude ${magnitude[worst]})`,
    );
  }
}
