import { assertFinite, assertKnownKeys, ConfigError, GanCompressError, ShapeError } from '../util/index.js';
import { FeatureStats, type GaussianStats } from './feature_stats.js';
import { readSymmetric, readVector, type FeatureInput } from './features.js';
import { traceSqrtProduct } from './linalg/trace_sqrt.js';

/** Options of {@link frechetDistance}. */
export interface FrechetOptions {
  /**
   * Offset added to both covariance diagonals when the first attempt is not finite, as
   * pytorch-fid does. Default 1e-6.
   */
  eps?: number;
}

/** The parts of a Fréchet distance (see {@link frechetDistanceTerms}). */
export interface FrechetTerms {
  /** d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr √(Σ₁Σ₂). */
  distance: number;
  /** ‖μ₁ − μ₂‖². */
  meanTerm: number;
  /** tr Σ₁ and tr Σ₂. */
  traceA: number;
  traceB: number;
  /** tr √(Σ₁Σ₂): Σ √λ over the positive eigenvalues λ of Σ₁Σ₂. */
  traceSqrt: number;
  /** Σ √(−λ) over negative eigenvalues of Σ₁Σ₂ (rounding noise of singular covariances; scipy's dropped imaginary part). */
  imaginaryTrace: number;
  /** Whether the eps offset was needed. */
  offsetApplied: boolean;
}

interface Gaussian {
  mu: Float64Array;
  sigma: Float64Array;
}

/**
 * Fréchet distance between two Gaussians fitted to feature sets — the FID when the features
 * are Inception-v3 pool features:
 * d² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2·(Σ₁Σ₂)^½).
 *
 * Matches pytorch-fid's `calculate_frechet_distance` (scipy.linalg.sqrtm of Σ₁Σ₂, retried with
 * `eps` on both diagonals if not finite, real part kept) to ~1e-9 relative, in float64
 * JavaScript: only the trace of the square root enters the distance, and it equals Σ √λᵢ over
 * the eigenvalues of Σ₁Σ₂, which a pivoted Cholesky factor L of Σ₁ turns into the eigenvalues
 * of the symmetric LᵀΣ₂L. Eigenvalues that are negative by rounding (singular covariances,
 * fewer samples than dimensions) contribute nothing, as their imaginary square roots do in
 * pytorch-fid; if they are large enough that pytorch-fid's imaginary-component check would
 * certainly fail (mean imaginary diagonal > 1e-3), this throws too. d = 2048 takes under 3 s
 * with WebAssembly SIMD on a 2-core server (see docs/benchmarks.md); without WebAssembly SIMD a
 * JavaScript fallback runs, about 3× slower.
 *
 * @param a statistics of the first set: a {@link FeatureStats} or `{ mu, sigma }`
 * @param b statistics of the second set
 * @example
 * ```ts
 * const real = FeatureStats.fromBinary(fs.readFileSync('real.bin'));
 * const fake = FeatureStats.fromFeatures(fakeFeatures);
 * frechetDistance(real, fake);                       // FID
 * // pytorch-fid's .npz statistics, written from Python as JSON {mu: mu.tolist(), sigma: sigma.tolist()}
 * const published = JSON.parse(fs.readFileSync('fid_stats.json', 'utf8')) as { mu: number[]; sigma: number[][] };
 * frechetDistance(published, fake);
 * ```
 */
export function frechetDistance(
  a: FeatureStats | GaussianStats,
  b: FeatureStats | GaussianStats,
  options: FrechetOptions = {},
): number {
  return frechetDistanceTerms(a, b, options).distance;
}

/**
 * {@link frechetDistance} with its parts: the mean term, both traces, the trace of the square
 * root and the dropped imaginary part — for diagnosing a surprising score.
 *
 * @example
 * ```ts
 * const t = frechetDistanceTerms(FeatureStats.fromFeatures(realFeatures), FeatureStats.fromFeatures(fakeFeatures));
 * console.log(t.distance, t.meanTerm, t.traceA + t.traceB - 2 * t.traceSqrt);
 * ```
 */
export function frechetDistanceTerms(
  a: FeatureStats | GaussianStats,
  b: FeatureStats | GaussianStats,
  options: FrechetOptions = {},
): FrechetTerms {
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, 'an object { eps? }');
  assertKnownKeys('options', options as Record<string, unknown>, ['eps'], 'an option of frechetDistance');
  const eps = options.eps ?? 1e-6;
  assertFinite('options.eps', eps, { positive: true });
  const g1 = readGaussian('a', a);
  const g2 = readGaussian('b', b, g1.mu.length);
  const d = g1.mu.length;
  let meanTerm = 0;
  let traceA = 0;
  let traceB = 0;
  for (let i = 0; i < d; i++) {
    meanTerm += ((g1.mu[i] as number) - (g2.mu[i] as number)) ** 2;
    traceA += g1.sigma[i * d + i] as number;
    traceB += g2.sigma[i * d + i] as number;
  }
  let product = traceSqrtProduct(g1.sigma, g2.sigma, d);
  let offsetApplied = false;
  if (!Number.isFinite(product.trace)) {
    offsetApplied = true;
    const s1 = Float64Array.from(g1.sigma);
    const s2 = Float64Array.from(g2.sigma);
    for (let i = 0; i < d; i++) {
      s1[i * d + i]! += eps;
      s2[i * d + i]! += eps;
    }
    product = traceSqrtProduct(s1, s2, d);
    if (!Number.isFinite(product.trace))
      throw new GanCompressError(
        `Fréchet distance: tr √(Σ₁Σ₂) is ${product.trace} even with eps = ${eps} on the diagonals (do the covariances overflow?)`,
      );
  }
  // The imaginary diagonal of pytorch-fid's covmean sums to Σ√(−λ); its largest entry is at least the mean.
  if (product.imaginaryTrace / d > 1e-3) {
    throw new GanCompressError(
      `Fréchet distance: Σ₁Σ₂ has negative eigenvalues (imaginary part of tr √(Σ₁Σ₂) = ${product.imaginaryTrace.toPrecision(4)}, ${(product.imaginaryTrace / d).toPrecision(3)} per dimension > 1e-3, where pytorch-fid raises "Imaginary component"); the covariances are not positive semi-definite`,
    );
  }
  const traceSqrt = product.trace;
  const distance = meanTerm + traceA + traceB - 2 * traceSqrt;
  if (!Number.isFinite(distance))
    throw new GanCompressError(
      `Fréchet distance: ${distance} (‖μ₁ − μ₂‖² = ${meanTerm}, tr Σ₁ = ${traceA}, tr Σ₂ = ${traceB}, tr √(Σ₁Σ₂) = ${traceSqrt}): the statistics are too large for float64`,
    );
  return {
    distance,
    meanTerm,
    traceA,
    traceB,
    traceSqrt,
    imaginaryTrace: product.imaginaryTrace,
    offsetApplied,
  };
}

function readGaussian(argument: string, s: FeatureStats | GaussianStats, d?: number): Gaussian {
  if (s instanceof FeatureStats) {
    if (d !== undefined && s.dim !== d)
      throw new ShapeError(`${argument}.dim`, [s.dim], `${d} like the first statistics`);
    if (s.count < 2)
      throw new ConfigError(
        `${argument}.count`,
        s.count,
        'at least 2 feature vectors (a covariance needs two samples)',
      );
    return { mu: s.mean(), sigma: s.covariance() };
  }
  if (s == null || typeof s !== 'object' || !('mu' in s) || !('sigma' in s)) {
    throw new ConfigError(argument, s, 'a FeatureStats or { mu, sigma }');
  }
  const mu = readVector(`${argument}.mu`, s.mu, d);
  if (mu.length === 0) throw new ShapeError(`${argument}.mu`, [0], 'at least one dimension');
  return { mu, sigma: readSymmetric(`${argument}.sigma`, s.sigma, mu.length) };
}

/**
 * Fréchet distance between the Gaussians fitted to two feature sets (the FID for Inception
 * features): {@link FeatureStats.fromFeatures} on each, then {@link frechetDistance}. Each set
 * needs at least two vectors; with fewer vectors than dimensions the covariances are singular
 * and the value is still defined (and matches pytorch-fid), but it is biased — use ≥ d samples.
 *
 * @example
 * ```ts
 * const score = fid(realFeatures, fakeFeatures); // tf.Tensor2D [n, d] or number[][]
 * ```
 */
export function fid(featuresA: FeatureInput, featuresB: FeatureInput): number {
  const a = FeatureStats.fromFeatures(featuresA, 'featuresA');
  const b = FeatureStats.fromFeatures(featuresB, 'featuresB');
  if (b.dim !== a.dim) throw new ShapeError('featuresB', [b.count, b.dim], `[n, ${a.dim}] like featuresA`);
  if (a.count < 2)
    throw new ConfigError('featuresA', `${a.count} row`, 'at least 2 feature vectors (a covariance needs two samples)');
  if (b.count < 2)
    throw new ConfigError('featuresB', `${b.count} row`, 'at least 2 feature vectors (a covariance needs two samples)');
  return frechetDistance(a, b);
}
