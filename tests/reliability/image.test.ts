/**
 * Reliability of src/image over generated inputs: resizeBicubic to the input's own size is the
 * identity and to any size gives that size; rgbToYCbCr and yCbCrToRgb are inverse; rgbToY is the
 * Y channel of rgbToYCbCr; bicubicPixelShuffleKernel gives finite weights that sum to 1 per
 * output sub-pixel and channel. Bad shapes, sizes, ranges and options are GanCompressErrors;
 * nothing is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { bicubicPixelShuffleKernel, resizeBicubic, rgbToY, rgbToYCbCr, yCbCrToRgb } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { maxAbsDiff } from '../helpers/tensors.js';
import { anyNumber, check, JUNK, probe, Tally, tensorOf, tensorValues } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const tally = new Tally();
afterAll(() => console.log(tally.summary('image')));

const shapeArb = fc.oneof(
  {
    arbitrary: fc.tuple(
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.constant(3),
    ),
    weight: 6,
  },
  fc.tuple(
    fc.integer({ min: 0, max: 2 }),
    fc.integer({ min: 0, max: 6 }),
    fc.integer({ min: 0, max: 6 }),
    fc.integer({ min: 1, max: 4 }),
  ),
);
const sizeArb = fc.oneof(
  { arbitrary: fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })), weight: 6 },
  fc.tuple(fc.oneof(fc.integer({ min: -1, max: 3 }), anyNumber), fc.integer({ min: 1, max: 3 })),
  JUNK,
);

describeBackends('image: properties', () => {
  it('resizeBicubic: the requested size; the identity at the input size; junk named', () => {
    check(
      fc.property(
        shapeArb,
        sizeArb,
        fc.oneof({ arbitrary: fc.record({ antialias: fc.boolean() }, { requiredKeys: [] }), weight: 6 }, JUNK),
        tensorValues(true),
        (shape, size, options, values) => {
          const x = tensorOf(shape, values) as tf.Tensor4D;
          probe(
            tally,
            'resizeBicubic',
            () => resizeBicubic(x, size as [number, number], options as never),
            (y) => {
              expect(y.shape).toEqual([shape[0], ...(size as number[]), shape[3]]);
              y.dispose();
            },
          );
          probe(
            tally,
            'resizeBicubic',
            () => resizeBicubic(x, [shape[1], shape[2]]),
            (y) => {
              if (Array.from(x.dataSync()).every(Number.isFinite))
                expect(maxAbsDiff(y, x)).toBeLessThanOrEqual(
                  1e-5 * (1 + Math.max(0, ...Array.from(x.dataSync(), Math.abs))),
                );
              y.dispose();
            },
          );
          x.dispose();
        },
      ),
      80,
    );
  });

  it('rgbToYCbCr / yCbCrToRgb are inverse, rgbToY is the Y of rgbToYCbCr; junk named', () => {
    check(
      fc.property(
        shapeArb,
        fc.oneof({ arbitrary: fc.constantFrom(1, 255), weight: 6 }, anyNumber),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (shape, range, unit) => {
          const x = tensorOf(
            shape,
            unit.map((v) => v * (Number.isFinite(range) ? range : 1)),
          );
          probe(
            tally,
            'rgbToYCbCr',
            () => rgbToYCbCr(x as tf.Tensor4D, { range }),
            (ycc) => {
              probe(
                tally,
                'yCbCrToRgb',
                () => yCbCrToRgb(ycc, { range }),
                (back) => {
                  expect(maxAbsDiff(back, x)).toBeLessThanOrEqual(1e-4 * range);
                  back.dispose();
                },
              );
              probe(
                tally,
                'rgbToY',
                () => rgbToY(x as tf.Tensor4D, { range }),
                (y) => {
                  const first = tf.slice(ycc, [0, 0, 0, 0], [-1, -1, -1, 1]);
                  expect(maxAbsDiff(y, first)).toBeLessThanOrEqual(1e-5 * range);
                  tf.dispose([y, first]);
                },
              );
              ycc.dispose();
            },
          );
          x.dispose();
        },
      ),
      80,
    );
    for (const junk of [null, 3, { range: 0 }, { range: NaN }, { rangee: 1 }]) {
      const x = tf.ones([2, 2, 3]);
      probe(tally, 'rgbToY', () => rgbToY(x as tf.Tensor3D, junk as never));
      probe(tally, 'yCbCrToRgb', () => yCbCrToRgb(x as tf.Tensor3D, junk as never));
      x.dispose();
    }
  });

  it('bicubicPixelShuffleKernel: finite weights of the declared size; bad scale or channels named', () => {
    check(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 9 }), anyNumber),
        fc.oneof(fc.integer({ min: 0, max: 4 }), anyNumber),
        (scale, channels) => {
          probe(
            tally,
            'bicubicPixelShuffleKernel',
            () => bicubicPixelShuffleKernel(scale, channels),
            ({ kernel, size }) => {
              expect(Number.isInteger(size) && size > 0).toBe(true);
              expect(kernel.length).toBe(size * size * channels * channels * scale * scale);
              expect(kernel.every((v) => Number.isFinite(v))).toBe(true);
            },
          );
        },
      ),
      80,
    );
  });
});

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.image));
