import * as tf from '@tensorflow/tfjs-core';
import { fromFixture, readFixture, type FixtureTensor } from '../layers/common/fixtures.js';

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
  wavedec2: { x: FixtureTensor; levels: number; cA: FixtureTensor; details: { cH: FixtureTensor; cV: FixtureTensor; cD: FixtureTensor }[] };
  pyramid: {
    image: FixtureTensor;
    levels: number;
    bilinear: (PywtBands & { image: FixtureTensor })[];
    haar: (PywtBands & { image: FixtureTensor })[];
  };
  idwtUpsample: { x: FixtureTensor; style: FixtureTensor; kernel: FixtureTensor; bias: FixtureTensor; y: FixtureTensor };
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
          const at = (dy: number, dx: number): number => x[((b * (h2 as number) + 2 * i + dy) * (w2 as number) + 2 * j + dx) * (c as number) + ch] as number;
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
