/**
 * Reliability of the wavelet module: the cases of issue 12 (a leak inside a caller's tf.tidy, an
 * options object that is not one) and properties over every public function and layer of
 * src/wavelet — generated shapes (odd, zero, rank ≠ 4), levels (0, negative, fractional, NaN,
 * too many) and values (NaN, ±Infinity, huge): a result that satisfies the invariant
 * (IDWT∘DWT = identity, waverec∘wavedec = identity, the pyramid's levels are 2×2 means, the
 * layouts round-trip) or a GanCompressError, and never a leaked tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  fromMobileStyleGanLayout,
  haarDwt,
  HaarDWT,
  haarIdwt,
  HaarIDWT,
  haarWavedec,
  haarWaverec,
  IDWTUpsample,
  maxHaarLevels,
  toMobileStyleGanLayout,
  waveletPyramid,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { maxAbsDiff } from '../helpers/tensors.js';
import { allFinite, anyNumber, check, disposeLayer, JUNK, probe, Tally, tensorOf, tensorValues } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const tally = new Tally();
afterAll(() => console.log(tally.summary('wavelet')));

/** A side length: mostly a multiple of 4 (so that a few levels fit), sometimes odd or 0. */
const side = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 3 }).map((k) => 4 * k), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 9 }), weight: 2 },
);
/** A small NHWC shape, sometimes odd or empty; channels sometimes a multiple of 4 (coefficients). */
const shape4 = fc.tuple(fc.integer({ min: 1, max: 2 }), side, side, fc.constantFrom(1, 2, 3, 4, 8));
/** Levels as a user might pass them. */
const levelsArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 4 },
  { arbitrary: fc.integer({ min: -1, max: 5 }), weight: 1 },
  { arbitrary: fc.constantFrom<unknown>(0.5, 2.5, NaN, Infinity, '2', null), weight: 1 },
);

/** |a − b| ≤ tolerance relative to the largest value (float32 round-trip of an orthonormal transform). */
function expectSame(a: tf.Tensor, b: tf.Tensor, label: string): void {
  const scale = Math.max(1, ...Array.from(b.dataSync(), Math.abs));
  expect(maxAbsDiff(a, b), label).toBeLessThanOrEqual(1e-5 * scale);
}

describeBackends('wavelet: issue 12 cases', () => {
  it('haarWavedec inside a caller’s tf.tidy leaves nothing behind (its details were tf.keep’d)', () => {
    const x = tf.ones<tf.Rank.R4>([1, 8, 8, 2]);
    const before = tf.memory().numTensors;
    const shapes = tf.tidy(() => {
      const dec = haarWavedec(x, 3);
      return [dec.low.shape, ...dec.details.map((d) => d.shape)];
    });
    expect(shapes).toEqual([
      [1, 1, 1, 2],
      [1, 4, 4, 6],
      [1, 2, 2, 6],
      [1, 1, 1, 6],
    ]);
    expect(tf.memory().numTensors - before, 'tensors left by haarWavedec inside tf.tidy').toBe(0);
    // and what a tidy returns stays alive
    const kept = tf.tidy(() => haarWavedec(x, 1).details[0] as tf.Tensor);
    expect(kept.isDisposed).toBe(false);
    kept.dispose();
    x.dispose();
  });

  it('waveletPyramid with options that are not an object, or an unknown option, is a ConfigError', () => {
    const x = tf.ones<tf.Rank.R4>([1, 4, 4, 1]);
    expect(() => waveletPyramid(x, 1, null as never)).toThrow(ConfigError);
    expect(() => waveletPyramid(x, 1, null as never)).toThrow(/^options: got null, expected an object/);
    expect(() => waveletPyramid(x, 1, { resise: 'haar' } as never)).toThrow(/options\.resise: .*did you mean 'resize'/);
    x.dispose();
  });
});

describeBackends('wavelet: properties', () => {
  it('haarDwt / haarIdwt: IDWT∘DWT = identity on finite values; any shape or value gives that or a named error', () => {
    check(
      fc.property(shape4, tensorValues(true), (shape, values) => {
        const x = tensorOf(shape, values) as tf.Tensor4D;
        probe(
          tally,
          'haarDwt',
          () => haarDwt(x),
          (y) => {
            expect(y.shape).toEqual([shape[0], shape[1] / 2, shape[2] / 2, 4 * shape[3]]);
            const back = haarIdwt(y);
            if (allFinite(x)) expectSame(back, x, 'IDWT(DWT(x))');
            tf.dispose([y, back]);
          },
        );
        probe(
          tally,
          'haarIdwt',
          () => haarIdwt(x),
          (y) => {
            expect(y.shape).toEqual([shape[0], 2 * shape[1], 2 * shape[2], shape[3] / 4]);
            y.dispose();
          },
        );
        x.dispose();
      }),
      60,
    );
    for (const junk of [null, undefined, 3, [1, 2], tf.ones([2, 2])]) {
      probe(tally, 'haarDwt', () => haarDwt(junk as never));
      probe(tally, 'haarIdwt', () => haarIdwt(junk as never));
      if (junk instanceof tf.Tensor) junk.dispose();
    }
  });

  it('haarWavedec / haarWaverec: waverec∘wavedec = identity; bad levels or sizes are named errors', () => {
    check(
      fc.property(shape4, levelsArb, tensorValues(false), (shape, levels, values) => {
        const x = tensorOf(shape, values) as tf.Tensor4D;
        probe(
          tally,
          'haarWavedec',
          () => haarWavedec(x, levels as number),
          (d) => {
            expect(d.details.length).toBe(levels);
            probe(
              tally,
              'haarWaverec',
              () => haarWaverec(d),
              (back) => {
                expectSame(back, x, 'waverec(wavedec(x))');
                back.dispose();
              },
            );
            // details out of order or cut short no longer chain
            if (d.details.length > 1)
              probe(tally, 'haarWaverec', () => haarWaverec({ low: d.low, details: [...d.details].reverse() }));
            probe(tally, 'haarWaverec', () => haarWaverec({ low: d.low, details: [] }));
            tf.dispose([d.low, ...d.details]);
          },
        );
        x.dispose();
      }),
      60,
    );
    check(
      fc.property(JUNK, (junk) => {
        probe(tally, 'haarWaverec', () => haarWaverec(junk as never));
      }),
      12,
    );
  });

  it('maxHaarLevels: the number of times both sizes halve evenly, or a named error', () => {
    check(
      fc.property(
        fc.oneof(fc.integer({ min: -2, max: 4096 }), anyNumber),
        fc.integer({ min: 1, max: 4096 }),
        (h, w) => {
          probe(
            tally,
            'maxHaarLevels',
            () => maxHaarLevels(h, w),
            (levels) => {
              const f = 2 ** levels;
              expect(h % f === 0 && w % f === 0).toBe(true);
              expect((h / f) % 2 !== 0 || (w / f) % 2 !== 0).toBe(true);
            },
          );
        },
      ),
      200,
    );
  });

  it('waveletPyramid: level k+1 is the 2×2 mean of level k (haar) and coeffs = haarDwt(image); bad input is named', () => {
    check(
      fc.property(
        shape4,
        levelsArb,
        fc.oneof(fc.constantFrom<unknown>('haar', 'bilinear'), JUNK),
        tensorValues(false),
        (shape, levels, resize, values) => {
          const x = tensorOf(shape, values) as tf.Tensor4D;
          probe(
            tally,
            'waveletPyramid',
            () => waveletPyramid(x, levels as number, { resize } as never),
            (pyramid) => {
              expect(pyramid.length).toBe(levels);
              pyramid.forEach((level, k) => {
                expect(level.image.shape).toEqual([shape[0], shape[1] / 2 ** k, shape[2] / 2 ** k, shape[3]]);
                const coeffs = haarDwt(level.image);
                expectSame(level.coeffs, coeffs, `coeffs of level ${k}`);
                coeffs.dispose();
                const next = pyramid[k + 1];
                if (next != null && resize === 'haar') {
                  const mean = tf.avgPool(level.image, 2, 2, 'valid');
                  expectSame(next.image, mean, `level ${k + 1}`);
                  mean.dispose();
                }
              });
              tf.dispose(pyramid.flatMap((l) => [l.image, l.coeffs]));
            },
          );
          x.dispose();
        },
      ),
      40,
    );
  });

  it('toMobileStyleGanLayout / fromMobileStyleGanLayout: inverse permutations; a last axis not 4·C is named', () => {
    check(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 }),
        fc.integer({ min: 0, max: 13 }),
        tensorValues(true),
        (lead, last, values) => {
          const shape = [...lead, last];
          const x = tensorOf(shape, values);
          probe(
            tally,
            'toMobileStyleGanLayout',
            () => toMobileStyleGanLayout(x),
            (y) => {
              const back = fromMobileStyleGanLayout(y);
              expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync())); // a permutation: exact, NaN included
              tf.dispose([y, back]);
            },
          );
          probe(tally, 'fromMobileStyleGanLayout', () => fromMobileStyleGanLayout(x));
          x.dispose();
        },
      ),
      60,
    );
  });

  it('HaarDWT / HaarIDWT / IDWTUpsample layers: output shape = computeOutputShape, or a named error', () => {
    check(
      fc.property(shape4, fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), (shape, styleDim) => {
        const layers: [string, () => tfl.layers.Layer][] = [
          ['HaarDWT', () => new HaarDWT()],
          ['HaarIDWT', () => new HaarIDWT()],
          ['IDWTUpsample', () => new IDWTUpsample(styleDim == null ? {} : { styleDim, seed: 1 })],
        ];
        for (const [name, make] of layers) {
          probe(tally, name, () => {
            const layer = make();
            const x = tensorOf(shape, [0.5, -1, 2]);
            const style = tensorOf([shape[0], styleDim ?? 1], [1]);
            const withStyle = name === 'IDWTUpsample' && styleDim != null;
            try {
              const expected = layer.computeOutputShape(withStyle ? [shape, [shape[0], styleDim]] : shape);
              const y = layer.apply(withStyle ? [x, style] : x) as tf.Tensor;
              expect(y.shape).toEqual(expected);
              y.dispose();
              return expected;
            } finally {
              tf.dispose([x, style]);
              disposeLayer(layer);
            }
          });
        }
      }),
      40,
    );
  });
});

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.wavelet));
