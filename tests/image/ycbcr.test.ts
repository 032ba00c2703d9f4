import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ConfigError, rgbToY, rgbToYCbCr, ShapeError, yCbCrToRgb } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';

interface Fixture {
  ycbcr: { rgb: FixtureTensor; ycbcr_of_rgb: FixtureTensor; ycbcr: FixtureTensor; rgb_of_ycbcr: FixtureTensor };
}

const { ycbcr } = readFixture<Fixture>('image_resize');

describeBackends('YCbCr (BT.601 studio swing)', () => {
  it('matches skimage.color.rgb2ycbcr / ycbcr2rgb: RGB in [0, 1] with range 1, YCbCr on the 0–255 scale', () => {
    tf.tidy(() => {
      const rgb = fromFixture(ycbcr.rgb) as tf.Tensor3D;
      // skimage takes RGB in [0, 1] and gives Y in [16, 235]: our range 255 on RGB·255
      expectClose(rgbToYCbCr(tf.mul(rgb, 255), { range: 255 }), fromFixture(ycbcr.ycbcr_of_rgb), 1e-3, 0, 'forward');
      // and range 1 is the same map scaled by 1/255
      expectClose(rgbToYCbCr(rgb, { range: 1 }), tf.div(fromFixture(ycbcr.ycbcr_of_rgb), 255), 1e-5, 0, 'forward/255');
      const ycc = fromFixture(ycbcr.ycbcr) as tf.Tensor3D;
      expectClose(yCbCrToRgb(ycc, { range: 255 }), tf.mul(fromFixture(ycbcr.rgb_of_ycbcr), 255), 2e-3, 0, 'back');
      expectClose(yCbCrToRgb(tf.div(ycc, 255), { range: 1 }), fromFixture(ycbcr.rgb_of_ycbcr), 1e-5, 0, 'back/255');
    });
  });

  it('maps black, white and the primaries to the hand-computed values', () => {
    tf.tidy(() => {
      const rgb = tf.tensor3d([
        [
          [0, 0, 0],
          [255, 255, 255],
          [255, 0, 0],
          [0, 255, 0],
          [0, 0, 255],
        ],
      ]);
      // Y = 16 + 65.481·R + 128.553·G + 24.966·B, Cb = 128 − 37.797R − 74.203G + 112B,
      // Cr = 128 + 112R − 93.786G − 18.214B, with R, G, B in [0, 1]
      const expected = [
        [16, 128, 128],
        [16 + 65.481 + 128.553 + 24.966, 128 - 37.797 - 74.203 + 112, 128 + 112 - 93.786 - 18.214], // 235, 128, 128
        [16 + 65.481, 128 - 37.797, 128 + 112],
        [16 + 128.553, 128 - 74.203, 128 - 93.786],
        [16 + 24.966, 128 + 112, 128 - 18.214],
      ];
      expectClose(rgbToYCbCr(rgb, { range: 255 }), tf.tensor3d([expected]), 1e-3);
      expect(Array.from(rgbToY(rgb, { range: 255 }).dataSync())).toEqual(
        expected.map((e) => expect.closeTo(e[0] as number, 3) as number),
      );
      expectClose(
        rgbToY(tf.div(rgb, 255), { range: 1 }),
        tf.div(tf.tensor3d([expected.map((e) => [e[0] as number])]), 255),
        1e-6,
      );
    });
  });

  it('round-trips, gives Y as the first YCbCr channel and scales with the range (any RGB, any range)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom(1, 255, 65535, 0.5),
        fc.boolean(),
        (seed, range, batched) => {
          tf.tidy(() => {
            const shape = batched ? [2, 3, 4, 3] : [3, 4, 3];
            const rgb = tf.mul<tf.Tensor4D>(tf.add(seededTensor(shape, seed), 1), range / 2); // in [0, range)
            const ycc = rgbToYCbCr(rgb, { range });
            expect(ycc.shape).toEqual(shape);
            expectClose(yCbCrToRgb(ycc, { range }), rgb, 1e-4 * range, 0, 'round trip');
            const y = rgbToY(rgb, { range });
            expect(y.shape).toEqual([...shape.slice(0, -1), 1]);
            expectClose(y, tf.slice(ycc, Array(shape.length).fill(0), [...shape.slice(0, -1), 1]), 1e-5 * range);
            // inside the RGB cube, Y ∈ [16, 235]·range/255 and Cb, Cr ∈ [16, 240]·range/255
            const [yv, cb, cr] = tf.unstack(ycc, ycc.rank - 1).map((t) => t.dataSync());
            const within = (v: Float32Array | Int32Array | Uint8Array, lo: number, hi: number): boolean =>
              v.every((x) => x >= (lo * range) / 255 - 1e-4 * range && x <= (hi * range) / 255 + 1e-4 * range);
            expect(within(yv as Float32Array, 16, 235)).toBe(true);
            expect(within(cb as Float32Array, 16, 240)).toBe(true);
            expect(within(cr as Float32Array, 16, 240)).toBe(true);
            // the same colours on the 255 scale give the same YCbCr up to the factor
            expectClose(
              rgbToYCbCr(tf.mul<tf.Tensor4D>(rgb, 255 / range), { range: 255 }),
              tf.mul(ycc, 255 / range),
              1e-3,
            );
          });
        },
      ),
      { seed: 20, numRuns: 30 },
    );
  });

  it('is differentiable: dY/dR, dY/dG, dY/dB are the BT.601 coefficients over 255', () => {
    const x = seededTensor([1, 2, 2, 3], 3, 100) as tf.Tensor4D;
    const g = tf.grad((p: tf.Tensor) => tf.sum(rgbToY(p as tf.Tensor4D, { range: 255 })))(x);
    expectClose(
      g,
      tf.tile(
        tf.tensor4d(
          [65.481, 128.553, 24.966].map((v) => v / 255),
          [1, 1, 1, 3],
        ),
        [1, 2, 2, 1],
      ),
      1e-6,
    );
    tf.dispose([x, g]);
  });

  it('refuses bad images and options, naming the argument, and leaks nothing', async () => {
    const x = tf.zeros<tf.Rank.R4>([1, 2, 2, 3]);
    const four = tf.zeros<tf.Rank.R4>([1, 2, 2, 4]);
    for (const f of [rgbToYCbCr, yCbCrToRgb, rgbToY]) {
      await expectNoLeak(() => f(x, { range: 1 }).dispose());
      await expectNoLeak(() => tf.tidy(() => tf.sum(f(x, { range: 255 }))).dispose());
      await expectNoLeak(() => {
        expect(() => f(four, { range: 1 })).toThrow(ShapeError);
        expect(() => f(four, { range: 1 })).toThrow(/^images: got shape \[1,2,2,4\], expected 3 channels/);
        expect(() => f(x, { range: -1 })).toThrow(ConfigError);
      });
      expect(() => f(tf.zeros([2, 3]) as unknown as tf.Tensor3D, { range: 1 })).toThrow(/^images: got shape \[2,3\]/);
      expect(() => f(tf.zeros<tf.Rank.R3>([2, 2, 3], 'int32'), { range: 1 })).toThrow(/^images.dtype: got 'int32'/);
      expect(() => f(x, { range: 0 })).toThrow(ConfigError);
      expect(() => f(x, { range: 0 })).toThrow(/^options.range: got 0, expected a finite number > 0/);
      expect(() => f(x, {} as never)).toThrow(/^options.range: got undefined/);
      expect(() => f(x, undefined as never)).toThrow(/^options: got undefined, expected an object \{ range \}/);
      expect(() => f(x, { range: 255, clamp: true } as never)).toThrow(
        /^options.clamp: got true, expected no such option/,
      );
    }
    tf.dispose([x, four]);
  });
});
