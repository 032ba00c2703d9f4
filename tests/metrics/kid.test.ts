import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kid } from '../../src/index.js';
import { kernelInceptionDistance } from '../../src/metrics/kid.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeak } from '../helpers/tensors.js';
import { features, featureSet, toRows, type FeaturePairSpec } from './generator.js';

// Written by tests/fixtures/scripts/metrics_kid.py (numpy float64, subsets drawn by numpy and exported).
interface Subsets {
  a: number[][];
  b: number[][];
}
interface KidCase extends FeaturePairSpec {
  subsetIndices: Subsets;
  values: number[];
  mean: number;
  std: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/metrics_kid.json', import.meta.url), 'utf8')) as {
  cases: KidCase[];
  same: {
    d: number;
    seed: number;
    n: number;
    rank: number;
    subsetIndices: Subsets;
    values: number[];
    mean: number;
    std: number;
  };
};

describe('kid equals a numpy implementation of the same estimator on the same subsets', () => {
  for (const c of fixture.cases) {
    for (const strategy of ['gram', 'subsets'] as const) {
      it(`${c.name} (${strategy} path): within 1e-9`, () => {
        const a = toRows(featureSet(c.a, c.d), c.a.n, c.d);
        const b = toRows(featureSet(c.b, c.d), c.b.n, c.d);
        const result = kernelInceptionDistance(a, b, { subsetIndices: c.subsetIndices }, strategy);
        result.values.forEach((v, i) => expect(Math.abs(v - (c.values[i] as number))).toBeLessThan(1e-9));
        expect(Math.abs(result.mean - c.mean)).toBeLessThan(1e-9);
        expect(Math.abs(result.std - c.std)).toBeLessThan(1e-9);
      });
    }
  }

  it('two halves of one distribution: ≈ 0 within its spread, as numpy', () => {
    const s = fixture.same;
    const x = features(s.seed, s.n, s.d, s.rank);
    const half = (s.n / 2) * s.d;
    const result = kid(toRows(x.subarray(0, half), s.n / 2, s.d), toRows(x.subarray(half), s.n / 2, s.d), {
      subsetIndices: s.subsetIndices,
    });
    expect(Math.abs(result.mean - s.mean)).toBeLessThan(1e-9);
    expect(Math.abs(result.std - s.std)).toBeLessThan(1e-9);
    expect(Math.abs(result.mean)).toBeLessThan(result.std);
  });
});

describe('kid by hand and by invariants', () => {
  it('d = 1, X = [0, 1], Y = [1, 2], one subset of everything: MMD² = 9.5', () => {
    // k(x, y) = (xy + 1)³: Σ_{i≠j} kxx = 2·k(0,1) = 2; Σ_{i≠j} kyy = 2·k(1,2) = 54;
    // Σ kxy = k(0,1) + k(0,2) + k(1,1) + k(1,2) = 1 + 1 + 8 + 27 = 37 → (2 + 54)/2 − 2·37/4 = 9.5.
    const result = kid([[0], [1]], [[1], [2]], { subsets: 1, subsetSize: 2 });
    expect(result.mean).toBeCloseTo(9.5, 12);
    expect(result.std).toBe(0);
  });

  it('random subsets are reproducible from the seed and symmetric in the two sets', () => {
    const c = fixture.cases[0] as KidCase;
    const a = toRows(featureSet(c.a, c.d), c.a.n, c.d);
    const b = toRows(featureSet(c.b, c.d), c.b.n, c.d);
    const r1 = kid(a, b, { subsets: 4, subsetSize: 30, seed: 5 });
    const r2 = kid(a, b, { subsets: 4, subsetSize: 30, seed: 5 });
    const r3 = kid(a, b, { subsets: 4, subsetSize: 30, seed: 6 });
    expect(r1).toEqual(r2);
    expect(r1.mean).not.toBe(r3.mean);
    expect(r1.values).toHaveLength(4);
    // Swapping the sets and the subsets leaves every estimate unchanged.
    const swapped = kid(b, a, { subsetIndices: { a: c.subsetIndices.b, b: c.subsetIndices.a } });
    swapped.values.forEach((v, i) => expect(v).toBeCloseTo(c.values[i] as number, 10));
  });

  it('the gram and subset paths agree on random subsets', () => {
    const c = fixture.cases[1] as KidCase;
    const a = toRows(featureSet(c.a, c.d), c.a.n, c.d);
    const b = toRows(featureSet(c.b, c.d), c.b.n, c.d);
    const g = kernelInceptionDistance(a, b, { subsets: 3, subsetSize: 64, seed: 1 }, 'gram');
    const s = kernelInceptionDistance(a, b, { subsets: 3, subsetSize: 64, seed: 1 }, 'subsets');
    g.values.forEach((v, i) => expect(v).toBeCloseTo(s.values[i] as number, 11));
  });

  it('rejects bad options and inputs with the argument named', () => {
    const x = [
      [0, 1],
      [1, 0],
      [2, 2],
    ];
    expect(() => kid(x, x, { subsetSize: 4 })).toThrow(/options.subsetSize: got 4, expected at most 3/);
    expect(() => kid(x, x)).toThrow(/options.subsetSize: got 1000, expected at most 3/);
    expect(() => kid(x, x, { subsetSize: 1 })).toThrow(/options.subsetSize: got 1, expected an integer >= 2/);
    expect(() => kid(x, x, { subsets: 0, subsetSize: 2 })).toThrow(/options.subsets: got 0/);
    expect(() => kid(x, [[0, 1, 2]], { subsetSize: 2 })).toThrow(/featuresB: got shape \[1,3\], expected \[n, 2\]/);
    expect(() =>
      kid(
        x,
        [
          [0, NaN],
          [1, 1],
        ],
        { subsetSize: 2 },
      ),
    ).toThrow(/featuresB\[0\]\[1\]: got NaN/);
    expect(() => kid(x, x, { subsetIndices: { a: [[0, 1]], b: [[0, 0]] } })).toThrow(
      /options.subsetIndices.b\[0\] entry: got 0, expected distinct indices/,
    );
    expect(() => kid(x, x, { subsetIndices: { a: [[0, 3]], b: [[0, 1]] } })).toThrow(
      /options.subsetIndices.a\[0\] entry: got 3, expected an integer row index in \[0, 3\)/,
    );
    expect(() => kid(x, x, { subsetIndices: { a: [[0, 1]], b: [[0, 1, 2]] } })).toThrow(
      /options.subsetIndices.b\[0\]: got \[0,1,2\], expected an array of 2 row indices/,
    );
    expect(() => kid(x, x, { subsetIndices: { a: [[0, 1]], b: [[0, 1]] }, subsetSize: 3 })).toThrow(
      /options.subsetSize: got 3, expected 2/,
    );
  });
});

describeBackends('kid from tensors', () => {
  it('reads [n, d] tensors and leaks nothing', async () => {
    const c = fixture.cases[0] as KidCase;
    // Float32-rounded features: compare with the same rounded values given as arrays.
    const xa = Float32Array.from(featureSet(c.a, c.d));
    const xb = Float32Array.from(featureSet(c.b, c.d));
    const ta = tf.tensor2d(xa, [c.a.n, c.d]);
    const tb = tf.tensor2d(xb, [c.b.n, c.d]);
    const fromTensors = await expectNoLeak(() => kid(ta, tb, { subsetIndices: c.subsetIndices }));
    const fromArrays = kid(toRows(xa, c.a.n, c.d), toRows(xb, c.b.n, c.d), { subsetIndices: c.subsetIndices });
    expect(fromTensors).toEqual(fromArrays);
    tf.dispose([ta, tb]);
  });
});
