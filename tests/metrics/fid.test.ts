import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  FeatureStats,
  fid,
  frechetDistance,
  frechetDistanceTerms,
  GanCompressError,
  ShapeError,
} from '../../src/index.js';
import { setKernelChoice } from '../../src/metrics/linalg/heap.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeak } from '../helpers/tensors.js';
import { featureSet, toRows, type FeaturePairSpec } from './generator.js';

// Written by tests/fixtures/scripts/metrics_fid.py: pytorch-fid's formula with scipy 1.10's sqrtm.
interface FidCase extends FeaturePairSpec {
  fid: number;
  traceSqrt: number;
  traceSqrtNuclear: number;
  fidNuclear: number;
  traceSigmaA: number;
  traceSigmaB: number;
  meanDiffSq: number;
  sumA: number;
  sumB: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/metrics_fid.json', import.meta.url), 'utf8')) as {
  cases: FidCase[];
  float32: { fid: number };
};

function statsOf(data: Float64Array, n: number, d: number): FeatureStats {
  // Uneven chunks exercise the streaming path (buffer flushes at 256 rows, merges of partial blocks).
  const stats = new FeatureStats(d);
  for (let start = 0, chunk = 1; start < n; start += chunk, chunk = chunk * 3 + 1) {
    const end = Math.min(n, start + chunk);
    stats.updateRows(data.subarray(start * d, end * d), end - start);
  }
  return stats;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

for (const kernels of ['wasm', 'js'] as const) {
  describe(`frechetDistance equals pytorch-fid (scipy sqrtm) [${kernels} kernels]`, () => {
    const previous = setKernelChoice(kernels);
    afterAll(() => void setKernelChoice(previous));
    // The JavaScript fallback takes ~10 s at d = 2048; it runs the d ≤ 512 cases.
    const cases = fixture.cases.filter((c) => kernels === 'wasm' || c.d <= 512);
    for (const c of cases) {
      it(`${c.name}: within 1e-6 relative`, () => {
        setKernelChoice(kernels);
        const xa = featureSet(c.a, c.d);
        const xb = featureSet(c.b, c.d);
        // The generator is exact in float64: the sums equal Python's bit for bit (up to the summation order of the checksum).
        expect(sum(xa)).toBeCloseTo(c.sumA, 6);
        expect(sum(xb)).toBeCloseTo(c.sumB, 6);
        const terms = frechetDistanceTerms(statsOf(xa, c.a.n, c.d), statsOf(xb, c.b.n, c.d));
        expect(Math.abs(terms.distance - c.fid) / c.fid).toBeLessThan(1e-6);
        expect(Math.abs(terms.traceA - c.traceSigmaA) / c.traceSigmaA).toBeLessThan(1e-12);
        expect(Math.abs(terms.traceB - c.traceSigmaB) / c.traceSigmaB).toBeLessThan(1e-12);
        expect(Math.abs(terms.meanTerm - c.meanDiffSq) / c.meanDiffSq).toBeLessThan(1e-12);
        // Against the exact value (the nuclear norm of X₁X₂ᵀ, from numpy's SVD) the agreement is far
        // tighter than against sqrtm, which turns the zero eigenvalues of singular products into
        // ±1e-13 noise and adds the square roots of the positive ones (up to 7.6e-7 relative here).
        expect(Math.abs(terms.traceSqrt - c.traceSqrtNuclear) / c.traceSqrtNuclear).toBeLessThan(1e-10);
        expect(Math.abs(terms.distance - c.fidNuclear) / c.fidNuclear).toBeLessThan(1e-10);
        expect(terms.offsetApplied).toBe(false);
      });
    }
  });
}

describe('fid from feature arrays', () => {
  it('number[][] input gives the same value as streamed statistics', () => {
    const c = fixture.cases[0] as FidCase;
    const xa = featureSet(c.a, c.d);
    const xb = featureSet(c.b, c.d);
    const value = fid(toRows(xa, c.a.n, c.d), toRows(xb, c.b.n, c.d));
    expect(Math.abs(value - c.fid) / c.fid).toBeLessThan(1e-6);
  });

  it('is symmetric, and 0 (to rounding) for identical sets', () => {
    const c = fixture.cases[1] as FidCase;
    const a = statsOf(featureSet(c.a, c.d), c.a.n, c.d);
    const b = statsOf(featureSet(c.b, c.d), c.b.n, c.d);
    expect(Math.abs(frechetDistance(a, b) - frechetDistance(b, a))).toBeLessThan(1e-11 * c.fid);
    const self = frechetDistanceTerms(a, a);
    // tr Σ is ~200 here; the cancellation leaves rounding of that order times 1e-13.
    expect(Math.abs(self.distance)).toBeLessThan(1e-9 * (self.traceA + self.traceB));
  });

  it('accepts { mu, sigma } as Float64Array, number[] and number[][]', () => {
    const c = fixture.cases[0] as FidCase;
    const a = statsOf(featureSet(c.a, c.d), c.a.n, c.d);
    const b = statsOf(featureSet(c.b, c.d), c.b.n, c.d);
    const ga = a.toGaussian();
    const json = b.toJSON();
    const value = frechetDistance({ mu: Array.from(ga.mu), sigma: ga.sigma }, { mu: json.mu, sigma: json.sigma });
    expect(value).toBeCloseTo(frechetDistance(a, b), 9);
  });
});

describeBackends('fid from tensors', () => {
  it('reads float32 tensors [n, d] (the d64 features rounded to float32) and leaks nothing', async () => {
    const c = fixture.cases[0] as FidCase;
    const ta = tf.tensor2d(Float32Array.from(featureSet(c.a, c.d)), [c.a.n, c.d]);
    const tb = tf.tensor2d(Float32Array.from(featureSet(c.b, c.d)), [c.b.n, c.d]);
    const value = await expectNoLeak(() => fid(ta, tb));
    expect(Math.abs(value - fixture.float32.fid) / fixture.float32.fid).toBeLessThan(1e-6);
    tf.dispose([ta, tb]);
  });
});

describe('frechetDistance input errors', () => {
  const good = {
    mu: [0, 0],
    sigma: [
      [1, 0],
      [0, 1],
    ],
  };
  it('names NaN / Inf features with their position', () => {
    expect(() =>
      fid(
        [
          [0, 1],
          [1, NaN],
          [2, 2],
        ],
        [
          [0, 1],
          [1, 1],
        ],
      ),
    ).toThrow(/featuresA\[1\]\[1\]: got NaN, expected a finite number/);
    expect(() =>
      fid(
        [
          [0, 1],
          [1, 2],
        ],
        [
          [0, Infinity],
          [1, 1],
        ],
      ),
    ).toThrow(/featuresB\[0\]\[1\]: got Infinity/);
    expect(() => new FeatureStats(2).updateRows([0, 1, NaN, 2], 2)).toThrow(/data\[2\] \(row 1, column 0\): got NaN/);
  });
  it('rejects mismatched dimensions', () => {
    expect(() =>
      fid(
        [
          [0, 1],
          [1, 2],
        ],
        [
          [0, 1, 2],
          [1, 1, 2],
        ],
      ),
    ).toThrow(ShapeError);
    expect(() =>
      fid(
        [
          [0, 1],
          [1, 2],
        ],
        [
          [0, 1, 2],
          [1, 1, 2],
        ],
      ),
    ).toThrow(/featuresB: got shape \[2,3\], expected \[n, 2\] like featuresA/);
    expect(() =>
      frechetDistance(good, {
        mu: [0, 0, 0],
        sigma: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      }),
    ).toThrow(/b.mu: got shape \[3\], expected \[2\]/);
    expect(() =>
      frechetDistance(good, {
        mu: [0, 0],
        sigma: [
          [1, 0, 0],
          [0, 1, 0],
        ],
      }),
    ).toThrow(/b.sigma\[0\]: got shape \[3\], expected \[2\]/);
    expect(() => new FeatureStats(3).update([[1, 2]])).toThrow(/features: got shape \[1,2\], expected \[n, 3\]/);
    expect(() => new FeatureStats(2).merge(new FeatureStats(3))).toThrow(/other.dim: got 3, expected 2/);
  });
  it('needs at least two samples per set', () => {
    expect(() =>
      fid(
        [[0, 1]],
        [
          [0, 1],
          [1, 1],
        ],
      ),
    ).toThrow(/featuresA: got '1 row', expected at least 2 feature vectors/);
    const one = new FeatureStats(2).update([[1, 2]]);
    expect(() => frechetDistance(good, one)).toThrow(/b.count: got 1, expected at least 2/);
    expect(() => one.covariance()).toThrow(ConfigError);
  });
  it('rejects asymmetric, non-finite and indefinite covariances', () => {
    expect(() =>
      frechetDistance(good, {
        mu: [0, 0],
        sigma: [
          [1, 0.5],
          [0, 1],
        ],
      }),
    ).toThrow(/b.sigma\[1\]\[0\]: got 0, expected 0.5 like b.sigma\[0\]\[1\]/);
    expect(() => frechetDistance({ mu: [0, NaN], sigma: good.sigma }, good)).toThrow(/a.mu\[1\]: got NaN/);
    expect(() =>
      frechetDistance(good, {
        mu: [0, 0],
        sigma: [
          [1, 0],
          [0, Infinity],
        ],
      }),
    ).toThrow(/b.sigma\[1\]\[1\]: got Infinity/);
    // Both indefinite: the eigenvalues of Σ₁Σ₂ need not be real; pytorch-fid would fail too.
    const indefinite = {
      mu: [0, 0],
      sigma: [
        [0, 1],
        [1, 0],
      ],
    };
    expect(() => frechetDistance(indefinite, indefinite)).toThrow(GanCompressError);
    expect(() => frechetDistance(indefinite, indefinite)).toThrow(/both indefinite/);
    // One indefinite, one definite: Σ₁Σ₂ has a negative eigenvalue −1 → imaginary trace 1 per 2 dims.
    expect(() => frechetDistance(indefinite, good)).toThrow(/Imaginary component/);
  });
  it('reports overflow instead of a number (pytorch-fid fails there too)', () => {
    // within the covariance limit (4e200), but Σ₁Σ₂ overflows
    const huge = {
      mu: [0, 0],
      sigma: [
        [1e200, 0],
        [0, 1e200],
      ],
    };
    expect(() => frechetDistance(huge, huge)).toThrow(/tr √\(Σ₁Σ₂\) is NaN even with eps = 0.000001 on the diagonals/);
    // beyond it: refused where it enters, naming the entry
    const huger = {
      mu: [0, 0],
      sigma: [
        [1e300, 0],
        [0, 1],
      ],
    };
    expect(() => frechetDistance(huger, huge)).toThrow(
      /^a\.sigma\[0\]\[0\]: got 1e\+300, expected a finite number of magnitude at most 4e\+200/,
    );
  });
  it('rejects a bad eps and bad inputs', () => {
    expect(() => frechetDistance(good, good, { eps: 0 })).toThrow(/options.eps: got 0, expected a finite number > 0/);
    expect(() => frechetDistance(good, 42 as never)).toThrow(/b: got 42, expected a FeatureStats or \{ mu, sigma \}/);
  });
});

describe('frechetDistance hand-derived values', () => {
  it('diagonal covariances: Σ(√a − √b)² + ‖μ₁ − μ₂‖²', () => {
    // Commuting (diagonal) covariances: tr √(Σ₁Σ₂) = Σ √(aᵢbᵢ), so d² = ‖Δμ‖² + Σ (√aᵢ − √bᵢ)².
    const a = [4, 1, 9, 0.25];
    const b = [1, 1, 16, 1];
    const diag = (v: number[]): number[][] => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
    const value = frechetDistance({ mu: [1, 2, 3, 4], sigma: diag(a) }, { mu: [1, 0, 3, 5], sigma: diag(b) });
    const expected = 4 + 1 + a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i] as number)) ** 2, 0);
    expect(value).toBeCloseTo(expected, 12);
  });
  it('a rank-one Σ₁ against a full Σ₂: tr √(Σ₁Σ₂) = √(vᵀΣ₂v)', () => {
    // Σ₁ = vvᵀ has rank 1, so Σ₁Σ₂ has one nonzero eigenvalue vᵀΣ₂v.
    const v = [1, 2, -1];
    const s2 = [
      [2, 0.5, 0],
      [0.5, 1, 0.25],
      [0, 0.25, 3],
    ];
    const s1 = v.map((x) => v.map((y) => x * y));
    const quad = v.reduce((s, x, i) => s + x * v.reduce((t, y, j) => t + (s2[i]![j] as number) * y, 0), 0);
    const terms = frechetDistanceTerms({ mu: [0, 0, 0], sigma: s1 }, { mu: [0, 0, 0], sigma: s2 });
    expect(terms.traceSqrt).toBeCloseTo(Math.sqrt(quad), 12);
    expect(terms.distance).toBeCloseTo(6 + 6 - 2 * Math.sqrt(quad), 12);
  });
});
