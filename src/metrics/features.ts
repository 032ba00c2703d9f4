import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../util/index.js';

/** Feature vectors, one row per sample: a `[n, d]` tensor or an array of n equal-length arrays. */
export type FeatureInput = tf.Tensor2D | number[][];

/** Features read into a flat row-major array. */
export interface FeatureRows {
  data: Float64Array | Float32Array | Int32Array;
  n: number;
  d: number;
}

/**
 * Reads features (`tf.Tensor2D` or `number[][]`) without disposing them, checking shape and that
 * every value is finite. `dim`, when given, is the dimension the rows must have.
 */
export function readFeatures(argument: string, features: FeatureInput, dim?: number): FeatureRows {
  let rows: FeatureRows;
  if (features instanceof tf.Tensor) {
    if (features.rank !== 2) throw new ShapeError(argument, features.shape, 'rank 2: [samples, dimensions]');
    if (features.dtype !== 'float32' && features.dtype !== 'int32')
      throw new ConfigError(`${argument}.dtype`, features.dtype, "'float32' or 'int32'");
    const [n, d] = features.shape;
    rows = { data: features.dataSync() as Float32Array | Int32Array, n, d };
  } else if (Array.isArray(features)) {
    const n = features.length;
    const first = features[0];
    const d = Array.isArray(first) ? first.length : 0;
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const row = features[i];
      if (!Array.isArray(row)) throw new ConfigError(`${argument}[${i}]`, row, 'an array of numbers');
      if (row.length !== d) throw new ShapeError(`${argument}[${i}]`, [row.length], `[${d}] like ${argument}[0]`);
      for (let j = 0; j < d; j++) {
        const v: unknown = row[j];
        // A string would be coerced silently ('0.5' → 0.5, 'a' → NaN).
        if (typeof v !== 'number') throw new ConfigError(`${argument}[${i}][${j}]`, v, 'a number');
        data[i * d + j] = v;
      }
    }
    rows = { data, n, d };
  } else {
    throw new ConfigError(argument, features, 'a tf.Tensor2D or number[][] of features [samples, dimensions]');
  }
  if (rows.d === 0 && rows.n > 0) throw new ShapeError(argument, [rows.n, 0], 'at least one feature dimension');
  if (dim !== undefined && rows.n > 0 && rows.d !== dim)
    throw new ShapeError(argument, [rows.n, rows.d], `[n, ${dim}] (the dimension of the statistics)`);
  assertFiniteRows(argument, rows);
  return rows;
}

/**
 * The largest feature magnitude the statistics take: squared deviations summed over any number of
 * rows (up to 2^53) stay finite in float64. Float32 tensors (≤ 3.4e38) never come near it.
 */
export const FEATURE_LIMIT = 1e100;

/** The largest covariance entry features within ±{@link FEATURE_LIMIT} can give: (2·FEATURE_LIMIT)². */
export const COVARIANCE_LIMIT = (2 * FEATURE_LIMIT) ** 2;

/** What {@link assertFeatureValue} expects, for messages. */
export const FEATURE_EXPECTED = `a finite number of magnitude at most ${FEATURE_LIMIT} (larger ones overflow the float64 statistics)`;

/** Throws a `ConfigError` naming `argument` unless `v` is a finite number within ±{@link FEATURE_LIMIT}. */
export function assertFeatureValue(argument: string, v: number): void {
  if (!(Math.abs(v) <= FEATURE_LIMIT)) {
    throw new ConfigError(
      argument,
      v,
      Number.isFinite(v)
        ? FEATURE_EXPECTED
        : 'a finite number (NaN or Inf features usually mean the feature extractor diverged)',
    );
  }
}

function assertFiniteRows(argument: string, { data, d }: FeatureRows): void {
  for (let k = 0; k < data.length; k++)
    assertFeatureValue(`${argument}[${Math.floor(k / d)}][${k % d}]`, data[k] as number);
}

/**
 * A vector argument (`Float64Array | number[]`) of length `d`, as a Float64Array (a copy).
 */
export function readVector(argument: string, v: unknown, d?: number): Float64Array {
  if (!(v instanceof Float64Array) && !(v instanceof Float32Array) && !Array.isArray(v)) {
    throw new ConfigError(argument, v, 'a Float64Array or number[]');
  }
  if (Array.isArray(v)) {
    const bad = v.findIndex((x) => typeof x !== 'number');
    if (bad >= 0) throw new ConfigError(`${argument}[${bad}]`, v[bad], 'a number');
  }
  const out = Float64Array.from(v as ArrayLike<number>);
  if (d !== undefined && out.length !== d) throw new ShapeError(argument, [out.length], `[${d}]`);
  for (let i = 0; i < out.length; i++) assertFeatureValue(`${argument}[${i}]`, out[i] as number);
  return out;
}

/**
 * A symmetric d×d matrix argument (`Float64Array` row-major of d·d or `number[][]`) as a
 * row-major Float64Array, symmetrised exactly ((S + Sᵀ)/2) after checking that it is symmetric
 * up to rounding (|s_ij − s_ji| ≤ 1e-8 · max |s|).
 */
export function readSymmetric(argument: string, m: unknown, d: number): Float64Array {
  let out: Float64Array;
  if (Array.isArray(m) && (m.length === 0 || Array.isArray(m[0]))) {
    const rows = m as unknown[];
    if (rows.length !== d) throw new ShapeError(argument, [rows.length], `${d} rows of ${d}`);
    out = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      const row = rows[i];
      if (!Array.isArray(row) || row.length !== d)
        throw new ShapeError(`${argument}[${i}]`, [Array.isArray(row) ? row.length : 0], `[${d}]`);
      for (let j = 0; j < d; j++) {
        const v: unknown = row[j];
        if (typeof v !== 'number') throw new ConfigError(`${argument}[${i}][${j}]`, v, 'a number');
        out[i * d + j] = v;
      }
    }
  } else if (m instanceof Float64Array || m instanceof Float32Array || Array.isArray(m)) {
    if (m.length !== d * d) throw new ShapeError(argument, [m.length], `${d * d} values (${d}×${d}, row-major)`);
    const bad = Array.isArray(m) ? m.findIndex((x) => typeof x !== 'number') : -1;
    if (bad >= 0) throw new ConfigError(`${argument}[${bad}]`, (m as unknown[])[bad], 'a number');
    out = Float64Array.from(m as ArrayLike<number>);
  } else {
    throw new ConfigError(argument, m, `a row-major Float64Array of ${d}×${d} values or a number[][]`);
  }
  let max = 0;
  for (let k = 0; k < out.length; k++) {
    const v = out[k] as number;
    if (!(Math.abs(v) <= COVARIANCE_LIMIT))
      throw new ConfigError(
        `${argument}[${Math.floor(k / d)}][${k % d}]`,
        v,
        `a finite number of magnitude at most ${COVARIANCE_LIMIT} (the covariance of features within ±${FEATURE_LIMIT})`,
      );
    max = Math.max(max, Math.abs(v));
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const a = out[i * d + j] as number;
      const b = out[j * d + i] as number;
      if (Math.abs(a - b) > 1e-8 * max) {
        throw new ConfigError(
          `${argument}[${i}][${j}]`,
          a,
          `${b} like ${argument}[${j}][${i}] (a covariance matrix is symmetric)`,
        );
      }
      out[i * d + j] = out[j * d + i] = 0.5 * (a + b);
    }
  }
  return out;
}
