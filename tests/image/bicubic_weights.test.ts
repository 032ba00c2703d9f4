import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bicubicWeights, cubicKernel } from '../../src/image/bicubic_weights.js';

/** Sum of the negative weights of each row, over the row's sum (which is 1). */
function negativeMass(w: Float32Array, inSize: number, outSize: number): number {
  let worst = 0;
  for (let o = 0; o < outSize; o++) {
    let neg = 0;
    for (let i = 0; i < inSize; i++) neg += Math.min(0, w[o * inSize + i] as number);
    worst = Math.max(worst, -neg);
  }
  return worst;
}

describe('cubicKernel (Keys, a = −0.5)', () => {
  it('has the hand-computed values', () => {
    // (a+2)t³ − (a+3)t² + 1 and a(t³ − 5t² + 8t − 4) with a = −0.5
    expect(cubicKernel(0)).toBe(1);
    expect(cubicKernel(0.5)).toBeCloseTo(1.5 * 0.125 - 2.5 * 0.25 + 1, 15); // 0.5625
    expect(cubicKernel(-0.5)).toBe(cubicKernel(0.5));
    expect(cubicKernel(1)).toBeCloseTo(0, 15);
    expect(cubicKernel(1.5)).toBeCloseTo(-0.5 * (3.375 - 11.25 + 12 - 4), 15); // −0.0625
    expect(cubicKernel(2)).toBe(0);
    expect(cubicKernel(7)).toBe(0);
  });

  it('reproduces polynomials up to degree 2 (Keys: Σ_k K(t − k)·k^m = t^m, m ≤ 2)', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), (t) => {
        for (const m of [0, 1, 2]) {
          let s = 0;
          for (let k = Math.floor(t) - 2; k <= Math.floor(t) + 3; k++) s += cubicKernel(t - k) * k ** m;
          expect(s).toBeCloseTo(t ** m, 10);
        }
      }),
      { seed: 1, numRuns: 200 },
    );
  });
});

describe('bicubicWeights', () => {
  it('is the identity for equal sizes', () => {
    const w = bicubicWeights(5, 5, true);
    for (let o = 0; o < 5; o++) for (let i = 0; i < 5; i++) expect(w[o * 5 + i]).toBeCloseTo(o === i ? 1 : 0, 6);
  });

  it('weighs a ×2 antialiased downscale with the kernel stretched twice (hand-computed row)', () => {
    // out 1 of 8 → 4 has centre 3 (input coordinates); taps (i + ½ − 3)/2 for i = 0..7:
    // K(−1.25), K(−0.75), K(−0.25), K(0.25), K(0.75), K(1.25), K(1.75), K(2.25) = 0, normalised;
    // i = −1 (K(−1.75) < 0) falls outside the image and is dropped.
    const w = bicubicWeights(8, 4, true);
    const raw = [-1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 1.75, 2.25].map(cubicKernel);
    const sum = raw.reduce((a, b) => a + b, 0);
    for (let i = 0; i < 8; i++) expect(w[1 * 8 + i]).toBeCloseTo((raw[i] as number) / sum, 6);
    // all samples at spacing ½ sum to 2 (two interleaved partitions of unity), the dropped one included
    expect(sum + cubicKernel(-1.75)).toBeCloseTo(2, 12);
  });

  it('drops taps outside the image and renormalises (first output of a ×2 upscale)', () => {
    // out 0 of 4 from 2 sits at input position 0.25 − 0.5 = −0.25: taps −2, −1 fall outside,
    // taps 0 and 1 are at distances 0.25 and 1.25.
    const w = bicubicWeights(2, 4, true);
    const a = cubicKernel(0.25);
    const b = cubicKernel(1.25);
    expect(w[0]).toBeCloseTo(a / (a + b), 6);
    expect(w[1]).toBeCloseTo(b / (a + b), 6);
  });

  it('has rows summing to 1 and at most 2·ceil(2s) + 1 non-zero taps a row', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.boolean(), (n, m, aa) => {
        const w = bicubicWeights(n, m, aa);
        const stretch = aa ? Math.max(n / m, 1) : 1;
        const maxTaps = 2 * Math.ceil(2 * stretch) + 1;
        for (let o = 0; o < m; o++) {
          let sum = 0;
          let taps = 0;
          for (let i = 0; i < n; i++) {
            sum += w[o * n + i] as number;
            if (w[o * n + i] !== 0) taps++;
          }
          expect(sum).toBeCloseTo(1, 5);
          expect(taps).toBeLessThanOrEqual(maxTaps);
        }
      }),
      { seed: 2, numRuns: 150 },
    );
  });

  it('keeps the negative weights small: ≤ 1/8 without stretch, ≤ 0.135 stretched', () => {
    // Without stretch the interior taps at offset t have negative weights −½t(1−t)² and −½t²(1−t),
    // which sum to −½t(1−t) ≥ −1/8; dropping taps at the border only removes mass.
    // Stretched (antialiased downscales) the maximum over all sizes ≤ 200 is 0.13439 (numpy,
    // the same definition), reached just below ×1.08.
    let plain = 0;
    let stretched = 0;
    for (let n = 1; n <= 200; n += 1) {
      for (const m of [1, 2, 3, 5, 7, 13, 50, 99, 150, 167, 185, 199, 200, 260, 401]) {
        plain = Math.max(plain, negativeMass(bicubicWeights(n, m, false), n, m));
        if (m < n) stretched = Math.max(stretched, negativeMass(bicubicWeights(n, m, true), n, m));
      }
    }
    expect(plain).toBeLessThanOrEqual(0.125 + 1e-6);
    expect(plain).toBeGreaterThan(0.12); // reached at t = ½
    expect(stretched).toBeLessThanOrEqual(0.135);
    expect(stretched).toBeGreaterThan(0.125);
  });

  it('returns the same array for the same sizes (computed once) and distinct ones otherwise', () => {
    const a = bicubicWeights(37, 11, true);
    expect(bicubicWeights(37, 11, true)).toBe(a);
    expect(bicubicWeights(37, 11, false)).not.toBe(a);
    expect(bicubicWeights(11, 37, true)).not.toBe(a);
  });
});
