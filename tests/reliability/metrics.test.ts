/**
 * Reliability of the metrics (MAC counting has its own file): the cases of issue 12 — psnr/ssim
 * of NaN or empty images, FeatureStats with no rows, a count-1 JSON that zeroed sigma, rows of
 * 1e200 overflowing, string rows, `measureLatency(() => 42)` — and properties over psnr, ssim,
 * FeatureStats, frechetDistance, fid, kid, ConfusionMatrix / meanIoU, measureLatency and the
 * extractor-based FID: each call gives a result satisfying the metric's invariants (PSNR
 * symmetric and +∞ only for equal images, SSIM symmetric and 1 on equal images, merge = the
 * statistics of the union, JSON and binary round-trips, d(a, a) = 0, IoU in [0, 1]) or a
 * GanCompressError naming the argument (and, for numbers, the index of the first bad one), with
 * no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  ConfusionMatrix,
  extractFeatureStats,
  FeatureStats,
  fid,
  fidFromExtractor,
  frechetDistance,
  frechetDistanceTerms,
  kid,
  meanIoU,
  measureLatency,
  psnr,
  ShapeError,
  ssim,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { anyNumber, check, checkAsync, finiteNumber, JUNK, probe, probeAsync, Tally, tensorOf } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const tally = new Tally();
afterAll(() => console.log(tally.summary('metrics')));

const image = (shape: number[], values: number[]): tf.Tensor => tensorOf(shape, values);

describeBackends(
  'metrics: issue 12 cases',
  () => {
    it('psnr and ssim refuse NaN / ±Infinity pixels, naming the image and the index of the first one', () => {
      const clean = tf.zeros([2, 11, 11, 3]);
      const dirty = tf.tidy(() => {
        const v = new Float32Array(2 * 11 * 11 * 3);
        v[1 * 363 + 4 * 33 + 2 * 3 + 1] = NaN; // [1][4][2][1]
        v[1 * 363 + 5 * 33] = Infinity; // later
        return tf.tensor(v, [2, 11, 11, 3]);
      });
      expect(() => psnr(clean, dirty, 1)).toThrow(ConfigError);
      expect(() => psnr(clean, dirty, 1)).toThrow(/^b\[1\]\[4\]\[2\]\[1\]: got NaN, expected a finite pixel value$/);
      expect(() => ssim(dirty, clean, { maxVal: 1 })).toThrow(/^a\[1\]\[4\]\[2\]\[1\]: got NaN/);
      const inf = tf.fill([4, 4, 1], -Infinity);
      expect(() => psnr(inf, inf, 1)).toThrow(/^a\[0\]\[0\]\[0\]: got -Infinity/);
      tf.dispose([clean, dirty, inf]);
    });

    it('psnr and ssim refuse images with no pixels (they returned NaN)', () => {
      const cases = [
        [0, 4, 4, 1],
        [1, 0, 4, 1],
        [4, 0, 1],
        [2, 4, 4, 0],
      ];
      for (const shape of cases) {
        const x = tf.zeros(shape);
        expect(() => psnr(x, x, 1), String(shape)).toThrow(ShapeError);
        expect(() => psnr(x, x, 1), String(shape)).toThrow(/^a: got shape .*, expected images of at least 1×1 pixel/);
        expect(() => ssim(x, x, { maxVal: 1 }), String(shape)).toThrow(ShapeError);
        x.dispose();
      }
    });

    it('psnr stays finite for different images whatever the data range (maxVal² overflowed to +∞ at 1e200)', () => {
      const a = tf.zeros([2, 2, 1]);
      const b = tf.ones([2, 2, 1]);
      // MSE 1: 20·log10(maxVal)
      expect(psnr(a, b, 1e200)).toBeCloseTo(4000, 9);
      expect(psnr(a, b, 1e-200)).toBeCloseTo(-4000, 9);
      tf.dispose([a, b]);
    });

    it('FeatureStats: the mean of no rows is an error, not zeros', () => {
      const empty = new FeatureStats(2);
      expect(() => empty.mean()).toThrow(ConfigError);
      expect(() => empty.mean()).toThrow(/^FeatureStats\.count: got 0, expected at least 1 feature vector/);
      expect(() => empty.toJSON()).toThrow(/^FeatureStats\.count: got 0/);
      expect(() => frechetDistance(empty, empty)).toThrow(/^a\.count: got 0/);
      expect(empty.update([]).count).toBe(0); // an empty batch is fine; it adds nothing
    });

    it('FeatureStats.fromJSON: count 1 with a non-zero sigma is refused (sigma was silently zeroed); count 0 too', () => {
      expect(() =>
        FeatureStats.fromJSON({
          count: 1,
          mu: [1, 2],
          sigma: [
            [1, 0],
            [0, 1],
          ],
        }),
      ).toThrow(/^json\.sigma\[0\]\[0\]: got 1, expected 0: a statistic of count 1 has no covariance/);
      const one = FeatureStats.fromJSON({
        count: 1,
        mu: [1, 2],
        sigma: [
          [0, 0],
          [0, 0],
        ],
      });
      expect(Array.from(one.mean())).toEqual([1, 2]);
      expect(() => FeatureStats.fromJSON({ count: 0, mu: [1], sigma: [[0]] })).toThrow(/^json\.count: got 0/);
      // a count-1 statistic round-trips
      expect(FeatureStats.fromJSON(FeatureStats.fromFeatures([[3, 4]]).toJSON()).count).toBe(1);
    });

    it('FeatureStats: rows beyond ±1e100 are refused where they enter, naming the value (1e200 gave an infinite covariance)', () => {
      expect(() =>
        FeatureStats.fromFeatures([
          [1, 0],
          [-1e200, 1],
        ]),
      ).toThrow(/^features\[1\]\[0\]: got -1e\+200, expected a finite number of magnitude at most 1e\+100/);
      const stats = new FeatureStats(2).update([[1, 2]]);
      expect(() => stats.updateRows([0, 0, 1e200, 0], 2)).toThrow(/^data\[2\] \(row 1, column 0\): got 1e\+200/);
      expect(stats.count, 'a refused batch adds nothing').toBe(1);
      // at the limit the covariance is finite (and exact: rows ±1e100 have variance 2e200)
      const edge = FeatureStats.fromFeatures([[1e100], [-1e100]]);
      expect(edge.covariance()[0]).toBeCloseTo(2e200, -190);
    });

    it('FeatureStats: string rows are refused, naming the entry (they were coerced)', () => {
      const rows = [
        [1, 2],
        [3, '4'],
      ];
      expect(() => FeatureStats.fromFeatures(rows as never)).toThrow(
        /^features\[1\]\[1\]: got '4', expected a number$/,
      );
      expect(() => new FeatureStats(2).update(rows as never)).toThrow(/^features\[1\]\[1\]: got '4'/);
      expect(() => fid(rows as never, rows as never)).toThrow(/^featuresA\[1\]\[1\]: got '4'/);
      expect(() => new FeatureStats(2).updateRows(['1', 2] as never, 1)).toThrow(
        /^data\[0\] \(row 0, column 0\): got '1'/,
      );
      expect(() => frechetDistance({ mu: ['0'], sigma: [[1]] } as never, { mu: [0], sigma: [[1]] })).toThrow(
        /^a\.mu\[0\]: got '0', expected a number/,
      );
    });

    it('measureLatency refuses a run that returns a number or a non-tensor (nothing was waited for), freeing what it got', async () => {
      await expect(measureLatency(() => 42 as never, { warmup: 0, runs: 1 })).rejects.toThrow(ConfigError);
      await expect(measureLatency(() => 42 as never, { warmup: 0, runs: 1 })).rejects.toThrow(
        /^fn's result: got 42, expected nothing, a tf\.Tensor, an array of tensors or a map of tensors/,
      );
      const before = tf.memory().numTensors;
      await expect(measureLatency(() => [tf.ones([2]), 'x'] as never, { warmup: 1 })).rejects.toThrow(
        /^fn's result, entry 1: got 'x'/,
      );
      expect(tf.memory().numTensors).toBe(before);
      await expect(measureLatency(() => undefined, null as never)).rejects.toThrow(/^options: got null/);
      await expect(measureLatency(() => undefined, { run: 3 } as never)).rejects.toThrow(/did you mean 'runs'/);
    });
  },
  ['cpu'],
);

/** A small image batch shape, sometimes empty; SSIM needs 11×11, so sides are mostly 11 or 12. */
const imageShape = fc.oneof(
  {
    arbitrary: fc.tuple(
      fc.integer({ min: 1, max: 2 }),
      fc.constantFrom(11, 12),
      fc.constantFrom(11, 13),
      fc.integer({ min: 1, max: 3 }),
    ),
    weight: 4,
  },
  {
    arbitrary: fc.tuple(
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 12 }),
      fc.integer({ min: 0, max: 12 }),
      fc.integer({ min: 0, max: 3 }),
    ),
    weight: 1,
  },
);
const pixels = (special: boolean): fc.Arbitrary<number[]> =>
  fc.array(
    special ? fc.oneof({ arbitrary: finiteNumber, weight: 30 }, { arbitrary: anyNumber, weight: 1 }) : finiteNumber,
    {
      minLength: 1,
      maxLength: 40,
    },
  );
const dataRange = fc.oneof(
  { arbitrary: fc.constantFrom(1, 2, 255), weight: 4 },
  { arbitrary: anyNumber, weight: 1 },
  { arbitrary: JUNK, weight: 1 },
);

/** Rows of features: mostly finite, sometimes special numbers or ragged. */
const rowsArb = (d: number, minLength = 0): fc.Arbitrary<number[][]> =>
  fc.array(fc.array(finiteNumber, { minLength: d, maxLength: d }), { minLength, maxLength: 12 });

/** Mean and unbiased covariance of rows, the slow way. */
function naiveStats(rows: number[][], d: number): { mu: number[]; sigma: number[] } {
  const n = rows.length;
  const mu = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + (r[j] as number), 0) / n);
  const sigma: number[] = [];
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++)
      sigma.push(
        rows.reduce((s, r) => s + ((r[i] as number) - (mu[i] as number)) * ((r[j] as number) - (mu[j] as number)), 0) /
          (n - 1),
      );
  return { mu, sigma };
}

function expectCloseArray(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < actual.length; i++)
    expect(Math.abs((actual[i] as number) - (expected[i] as number)), `${label}[${i}]`).toBeLessThanOrEqual(
      tol * (1 + Math.abs(expected[i] as number)),
    );
}

describeBackends(
  'metrics: properties',
  () => {
    it('psnr: symmetric, +∞ exactly when an image pair is equal, finite otherwise; bad input named', () => {
      check(
        fc.property(imageShape, pixels(true), pixels(true), fc.boolean(), dataRange, (shape, va, vb, same, maxVal) => {
          const a = image(shape, va);
          const b = image(shape, same ? va : vb);
          probe(
            tally,
            'psnr',
            () => psnr(a, b, maxVal as number),
            (value) => {
              expect(psnr(b, a, maxVal as number)).toBe(value);
              const n = shape.length === 4 ? shape[0] : 1;
              const size = a.size / n;
              const da = a.dataSync();
              const db = b.dataSync();
              let someEqual = false;
              for (let i = 0; i < n; i++) {
                let eq = true;
                for (let k = i * size; k < (i + 1) * size; k++) if (da[k] !== db[k]) eq = false;
                someEqual ||= eq;
              }
              expect(value === Infinity).toBe(someEqual);
              if (!someEqual) expect(Number.isFinite(value)).toBe(true);
            },
          );
          tf.dispose([a, b]);
        }),
        120,
      );
    });

    it('ssim: symmetric, 1 on equal images, within [−1, 1]; bad input named', () => {
      check(
        fc.property(imageShape, pixels(true), pixels(true), dataRange, (shape, va, vb, maxVal) => {
          const a = image(shape, va);
          const b = image(shape, vb);
          probe(
            tally,
            'ssim',
            () => ssim(a, b, { maxVal: maxVal as number }),
            (value) => {
              expect(ssim(b, a, { maxVal: maxVal as number })).toBe(value);
              expect(Math.abs(value)).toBeLessThanOrEqual(1 + 1e-9);
              expect(ssim(a, a, { maxVal: maxVal as number })).toBeCloseTo(1, 9);
            },
          );
          tf.dispose([a, b]);
        }),
        50,
      );
      for (const junk of [null, 3, { maxVal: 1, gaussian: true }]) {
        const a = tf.ones([11, 11, 1]);
        probe(tally, 'ssim', () => ssim(a, a, junk as never));
        a.dispose();
      }
    });

    it('FeatureStats: mean and covariance match the slow formulas; merge = the statistics of the union; JSON and binary round-trip', () => {
      check(
        fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 12 }), (d, cut) =>
          fc.assert(
            fc.property(rowsArb(d), rowsArb(d), (rowsA, rowsB) => {
              const all = [...rowsA, ...rowsB];
              probe(
                tally,
                'FeatureStats.fromFeatures',
                () => FeatureStats.fromFeatures(all),
                (stats) => {
                  const slow = naiveStats(all, d);
                  expectCloseArray(stats.mean(), slow.mu, 1e-12, 'mean');
                  if (all.length >= 2) expectCloseArray(stats.covariance(), slow.sigma, 1e-10, 'covariance');
                  const a = new FeatureStats(d).update(rowsA);
                  const b = new FeatureStats(d).update(rowsB.slice(0, cut));
                  b.update(rowsB.slice(cut));
                  probe(
                    tally,
                    'FeatureStats.merge',
                    () => a.merge(b),
                    (merged) => {
                      expect(merged.count).toBe(all.length);
                      expectCloseArray(merged.mean(), slow.mu, 1e-12, 'merged mean');
                      if (all.length >= 2)
                        expectCloseArray(merged.covariance(), slow.sigma, 1e-10, 'merged covariance');
                    },
                  );
                  probe(
                    tally,
                    'FeatureStats.toBinary',
                    () => FeatureStats.fromBinary(stats.toBinary()),
                    (copy) => {
                      expect(Array.from(copy.toBinary())).toEqual(Array.from(stats.toBinary()));
                    },
                  );
                  probe(
                    tally,
                    'FeatureStats.toJSON',
                    () => FeatureStats.fromJSON(JSON.parse(JSON.stringify(stats)) as never),
                    (copy) => {
                      expect(copy.count).toBe(stats.count);
                      expectCloseArray(copy.mean(), stats.mean(), 1e-15, 'JSON mean');
                      if (stats.count >= 2)
                        expectCloseArray(copy.covariance(), stats.covariance(), 1e-12, 'JSON covariance');
                    },
                  );
                },
              );
            }),
            { seed: 1207, numRuns: 6 },
          ),
        ),
        12,
      );
    });

    it('FeatureStats: junk rows, dimensions, JSON and bytes are named errors; a refused update changes nothing', () => {
      const junkRow = fc.oneof(JUNK, fc.array(fc.oneof(anyNumber, JUNK), { maxLength: 3 }), fc.constant([1e200, 0]));
      check(
        fc.property(
          fc.oneof(fc.integer({ min: 1, max: 3 }), anyNumber, JUNK),
          fc.array(junkRow, { maxLength: 3 }),
          (dim, rows) => {
            probe(
              tally,
              'FeatureStats',
              () => new FeatureStats(dim as number),
              (stats) => {
                probe(
                  tally,
                  'FeatureStats.update',
                  () => stats.update(rows as never),
                  (s) => expect(s.count).toBe(rows.length),
                );
                const before = stats.count;
                probe(
                  tally,
                  'FeatureStats.updateRows',
                  () => stats.updateRows(rows.flat() as never, rows.length),
                  () => undefined,
                );
                expect(stats.count === before || stats.count === before + rows.length).toBe(true);
              },
            );
            probe(tally, 'FeatureStats.fromFeatures', () => FeatureStats.fromFeatures(rows as never));
          },
        ),
        150,
      );
      check(
        fc.property(
          fc.record({
            count: fc.oneof(fc.integer({ min: -1, max: 4 }), anyNumber),
            mu: fc.oneof(fc.array(anyNumber, { maxLength: 2 }), JUNK),
            sigma: fc.oneof(
              fc.constant([
                [1, 0],
                [0, 1],
              ]),
              fc.constant([
                [0, 0],
                [0, 0],
              ]),
              fc.constant([[1]]),
              JUNK,
            ),
          }),
          (json) => {
            probe(
              tally,
              'FeatureStats.fromJSON',
              () => FeatureStats.fromJSON(json as never),
              (stats) => {
                expect(stats.count).toBe(json.count);
                expect(Array.from(stats.mean())).toEqual(json.mu);
              },
            );
          },
        ),
        150,
      );
      const good = FeatureStats.fromFeatures([
        [1, 2],
        [3, 5],
      ]).toBinary();
      check(
        fc.property(
          fc.integer({ min: 0, max: good.length - 1 }),
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: good.length }),
          (at, byte, cut) => {
            const bytes = good.slice(0, cut);
            if (at < bytes.length) bytes[at] = byte;
            probe(
              tally,
              'FeatureStats.fromBinary',
              () => FeatureStats.fromBinary(bytes),
              (stats) => {
                expect(stats.count >= 0 && Number.isInteger(stats.count)).toBe(true);
                if (stats.count > 0) expect(stats.mean().every((v) => Number.isFinite(v))).toBe(true);
              },
            );
          },
        ),
        150,
      );
    });

    it('frechetDistance / fid: d(a, a) = 0, symmetric, ≥ 0 up to rounding; junk statistics and options named', () => {
      check(
        fc.property(fc.integer({ min: 1, max: 3 }), (d) =>
          fc.assert(
            fc.property(
              rowsArb(d),
              rowsArb(d),
              fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, anyNumber, JUNK),
              (ra, rb, eps) => {
                const options = eps === undefined ? {} : { eps: eps as number };
                probe(
                  tally,
                  'fid',
                  () => fid(ra, rb),
                  (value) => {
                    expect(value).toBeGreaterThanOrEqual(-1e-6 * (1 + Math.abs(value)));
                    expect(fid(rb, ra)).toBeCloseTo(value, 6);
                  },
                );
                probe(
                  tally,
                  'frechetDistance',
                  () => frechetDistance(FeatureStats.fromFeatures(ra), FeatureStats.fromFeatures(ra), options),
                  (value) => {
                    expect(Math.abs(value)).toBeLessThanOrEqual(1e-6);
                  },
                );
                probe(
                  tally,
                  'frechetDistanceTerms',
                  () =>
                    frechetDistanceTerms(
                      FeatureStats.fromFeatures(ra).toGaussian(),
                      { mu: rb[0] ?? [], sigma: ra.length > 1 ? FeatureStats.fromFeatures(ra).covariance() : rb },
                      options,
                    ),
                  (t) => {
                    expect(t.distance).toBeCloseTo(t.meanTerm + t.traceA + t.traceB - 2 * t.traceSqrt, 9);
                  },
                );
              },
            ),
            { seed: 1207, numRuns: 8 },
          ),
        ),
        10,
      );
      check(
        fc.property(JUNK, JUNK, (a, b) => {
          probe(tally, 'frechetDistance', () => frechetDistance(a as never, b as never));
          probe(tally, 'fid', () => fid(a as never, b as never));
        }),
        20,
      );
    });

    it('kid: finite mean and std ≥ 0 over the subsets, the same for the same seed; bad options named', () => {
      check(
        fc.property(
          fc.integer({ min: 1, max: 3 }),
          fc.record(
            {
              subsets: fc.oneof(
                { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 6 },
                fc.integer({ min: -1, max: 0 }),
                anyNumber,
              ),
              subsetSize: fc.oneof(
                { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 6 },
                fc.integer({ min: 0, max: 9 }),
                anyNumber,
              ),
              seed: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 9 }), weight: 6 }, anyNumber),
            },
            { requiredKeys: [] },
          ),
          (d, options) =>
            fc.assert(
              fc.property(rowsArb(d, 3), rowsArb(d, 3), (ra, rb) => {
                probe(
                  tally,
                  'kid',
                  () => kid(ra, rb, options),
                  (r) => {
                    expect(Number.isFinite(r.mean) && r.std >= 0).toBe(true);
                    expect(r.values.length).toBe(options.subsets ?? 100);
                    expect(kid(ra, rb, options)).toEqual(r);
                  },
                );
              }),
              { seed: 1207, numRuns: 4 },
            ),
        ),
        30,
      );
      const rows = [[1], [2], [3]];
      for (const junk of [null, 3, { subset: 2 }, { subsetIndices: { a: [[0, 1]], b: [[0, 0]] } }])
        probe(tally, 'kid', () => kid(rows, rows, junk as never));
    });

    it('ConfusionMatrix / meanIoU: IoUs in [0, 1] (or NaN for absent classes), merge adds counts; bad labels named', () => {
      check(
        fc.property(
          fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 4 }, anyNumber),
          fc.oneof(
            { arbitrary: fc.constant<number | null | undefined>(undefined), weight: 3 },
            fc.constantFrom<number | null | undefined>(null, 0, 255, -1, 1.5),
          ),
          fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
          fc.array(fc.integer({ min: -1, max: 4 }), { minLength: 1, maxLength: 20 }),
          fc.array(fc.integer({ min: -1, max: 4 }), { minLength: 1, maxLength: 20 }),
          (k, ignoreIndex, shape, pv, lv) => {
            const pred = tf.tensor(
              Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => pv[i % pv.length] as number),
              shape,
              'int32',
            );
            const label = tf.tensor(
              Int32Array.from({ length: pred.size }, (_, i) => lv[i % lv.length] as number),
              shape,
              'int32',
            );
            probe(
              tally,
              'meanIoU',
              () => meanIoU(pred, label, k, { ignoreIndex }),
              (r) => {
                for (const v of [...r.perClassIoU, r.meanIoU, r.pixelAccuracy])
                  expect(Number.isNaN(v) || (v >= 0 && v <= 1)).toBe(true);
              },
            );
            probe(
              tally,
              'ConfusionMatrix',
              () => new ConfusionMatrix(k, { ignoreIndex }),
              (m) => {
                probe(
                  tally,
                  'ConfusionMatrix.update',
                  () => m.update(pred, label),
                  (updated) => {
                    const twice = new ConfusionMatrix(k, { ignoreIndex }).update(pred, label).merge(updated);
                    expect(Array.from(twice.counts)).toEqual(Array.from(updated.counts, (c) => 2 * c));
                  },
                );
              },
            );
            tf.dispose([pred, label]);
          },
        ),
        120,
      );
      for (const junk of [null, 3, tf.zeros([2, 2])]) {
        probe(tally, 'ConfusionMatrix.update', () => new ConfusionMatrix(2).update(junk as never, junk as never));
        if (junk instanceof tf.Tensor) junk.dispose();
      }
    });

    it('measureLatency: any fn result and options give stats of the runs, or a named error; nothing left', async () => {
      const results = [undefined, null, 'tensor', 'array', 'map', 42, 'text', [1], { a: 1 }] as const;
      await checkAsync(
        fc.asyncProperty(
          fc.constantFrom(...results),
          fc.record(
            {
              warmup: fc.oneof(fc.integer({ min: 0, max: 2 }), anyNumber),
              runs: fc.oneof(fc.integer({ min: 1, max: 3 }), anyNumber),
            },
            { requiredKeys: [] },
          ),
          async (kind, options) => {
            const fn = (): unknown =>
              kind === 'tensor'
                ? tf.ones([2])
                : kind === 'array'
                  ? [tf.ones([2]), tf.zeros([1])]
                  : kind === 'map'
                    ? { y: tf.ones([1]) }
                    : kind;
            await probeAsync(
              tally,
              'measureLatency',
              () => measureLatency(fn as never, options),
              (stats) => {
                expect(stats.runs).toBe(options.runs ?? 20);
                expect(stats.timesMs.length).toBe(stats.runs);
                expect(
                  stats.minMs <= stats.p10Ms && stats.p10Ms <= stats.medianMs && stats.medianMs <= stats.p90Ms,
                ).toBe(true);
              },
            );
          },
        ),
        60,
      );
    });

    it('extractFeatureStats / fidFromExtractor: the statistics of the extracted features, or a named error; nothing left', async () => {
      const extractor = (x: tf.Tensor4D): tf.Tensor => tf.tidy(() => tf.mean(x, [1, 2]));
      await checkAsync(
        fc.asyncProperty(
          fc.tuple(
            fc.integer({ min: 0, max: 5 }),
            fc.integer({ min: 1, max: 4 }),
            fc.integer({ min: 1, max: 4 }),
            fc.integer({ min: 1, max: 3 }),
          ),
          fc.constantFrom('tensor', 'list', 'junk'),
          fc.record(
            {
              batchSize: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 4 }, anyNumber),
              size: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 4 }, anyNumber, JUNK),
            },
            { requiredKeys: [] },
          ),
          pixels(true),
          async (shape, kind, options, values) => {
            const batch = tensorOf(shape, values) as tf.Tensor4D;
            const images = kind === 'tensor' ? batch : kind === 'list' ? tf.unstack(batch) : values;
            await probeAsync(
              tally,
              'extractFeatureStats',
              () => extractFeatureStats(extractor, images as never, options as never),
              (stats) => {
                expect(stats.count).toBe(shape[0]);
                expect(stats.dim).toBe(shape[3]);
              },
            );
            await probeAsync(
              tally,
              'fidFromExtractor',
              () => fidFromExtractor(extractor, images as never, images as never, options as never),
              (d) => {
                expect(Math.abs(d)).toBeLessThanOrEqual(1e-6);
              },
            );
            tf.dispose(
              [batch, ...(Array.isArray(images) ? (images as tf.Tensor[]) : [])].filter((t) => t instanceof tf.Tensor),
            );
          },
        ),
        40,
      );
    });
  },
  ['cpu'],
);

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.metrics));
