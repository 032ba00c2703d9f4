/**
 * JavaScript twin of tests/fixtures/scripts/metrics_generator.py: the same integer hash, so the
 * features the Python fixtures were computed from are rebuilt here bit for bit.
 */

function hash32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

const streamKey = (seed: number): number => Math.imul(seed, 0x9e3779b9) >>> 0;

/** `count` values in [-1, 1), multiples of 2⁻²³. */
export function uniform(seed: number, count: number): Float64Array {
  const key = streamKey(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = (hash32((i + key) >>> 0) >>> 8) / 2 ** 23 - 1;
  return out;
}

/** `count` integers in [-amplitude, amplitude]. */
export function intNoise(seed: number, count: number, amplitude: number): Int32Array {
  const key = streamKey(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = (hash32((i + key) >>> 0) % (2 * amplitude + 1)) - amplitude;
  return out;
}

/** n×d features (row-major) as metrics_generator.features. */
export function features(seed: number, n: number, d: number, rank: number, wSeed = seed + 1): Float64Array {
  const z = uniform(seed, n * rank);
  const w = uniform(wSeed, rank * d);
  const e = uniform(seed + 2, n * d);
  const offset = uniform(seed + 3, d);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = out.subarray(i * d, (i + 1) * d);
    for (let t = 0; t < rank; t++) {
      const zt = z[i * rank + t] as number;
      const wt = w.subarray(t * d, (t + 1) * d);
      for (let j = 0; j < d; j++) row[j]! += zt * (wt[j] as number);
    }
    for (let j = 0; j < d; j++) row[j]! += (e[i * d + j] as number) * 2 ** -(j % 3) + (offset[j] as number) * 0.5;
  }
  return out;
}

/** One generated feature set as the fixtures record it. */
export interface FeatureSetSpec {
  seed: number;
  n: number;
  rank: number;
  /** Seed of the latent directions (shared between sets built with the same one); default seed + 1. */
  wSeed?: number;
}

/** A pair of generated sets of dimension d: the common part of the FID and KID fixture cases. */
export interface FeaturePairSpec {
  name: string;
  d: number;
  a: FeatureSetSpec;
  b: FeatureSetSpec;
}

/** The features of a fixture set. */
export function featureSet(spec: FeatureSetSpec, d: number): Float64Array {
  return features(spec.seed, spec.n, d, spec.rank, spec.wSeed);
}

/** Row-major flat array → number[][]. */
export function toRows(flat: Float64Array | Float32Array, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * d, (i + 1) * d)));
}
