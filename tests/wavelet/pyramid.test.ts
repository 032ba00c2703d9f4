import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ConfigError, haarDwt, ShapeError, waveletPyramid, type WaveletPyramidLevel } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { concatBands, fixture, t4 } from './reference.js';

function disposeLevels(levels: WaveletPyramidLevel[]): void {
  tf.dispose(levels.flatMap((l) => [l.image, l.coeffs]));
}

describeBackends('waveletPyramid', () => {
  for (const resize of ['bilinear', 'haar'] as const) {
    it(`resize '${resize}' equals the reference images (${resize === 'bilinear' ? 'torch interpolate, align_corners=True' : 'numpy 2×2 block means'}) and their pywt dwt2`, () => {
      const f = fixture.pyramid;
      const image = t4(f.image);
      const levels = waveletPyramid(image, f.levels, { resize });
      expect(levels.map((l) => l.image.shape)).toEqual([
        [1, 8, 16, 2],
        [1, 4, 8, 2],
        [1, 2, 4, 2],
      ]);
      f[resize].forEach((ref, k) => {
        const level = levels[k] as WaveletPyramidLevel;
        const expectedImage = t4(ref.image);
        const expectedCoeffs = concatBands(ref.cA, ref.cH, ref.cV, ref.cD);
        expectClose(level.image, expectedImage, 1e-5, 0, `${resize} image ${k}`);
        expectClose(level.coeffs, expectedCoeffs, 1e-5, 0, `${resize} coeffs ${k}`);
        tf.dispose([expectedImage, expectedCoeffs]);
      });
      tf.dispose(image);
      disposeLevels(levels);
    });
  }

  it("'haar' levels nest: each level's LL band is twice the next level's image; level 0 is the input", () => {
    const image = seededTensor([2, 16, 8, 3], 4) as tf.Tensor4D;
    const levels = waveletPyramid(image, 3);
    expect(Array.from((levels[0] as WaveletPyramidLevel).image.dataSync())).toEqual(Array.from(image.dataSync()));
    for (let k = 0; k + 1 < levels.length; k++) {
      const ll = tf.tidy(() =>
        tf.mul(tf.slice((levels[k] as WaveletPyramidLevel).coeffs, [0, 0, 0, 0], [-1, -1, -1, 3]), 0.5),
      );
      expectClose((levels[k + 1] as WaveletPyramidLevel).image, ll, 1e-6, 0, `level ${k + 1}`);
      ll.dispose();
    }
    // and 'bilinear' differs from it (a different low-pass), though both keep the mean roughly
    const bilinear = waveletPyramid(image, 2, { resize: 'bilinear' });
    const d = tf.tidy(
      () =>
        tf
          .max(tf.abs(tf.sub((bilinear[1] as WaveletPyramidLevel).image, (levels[1] as WaveletPyramidLevel).image)))
          .dataSync()[0] as number,
    );
    expect(d).toBeGreaterThan(1e-3);
    tf.dispose(image);
    disposeLevels(levels);
    disposeLevels(bilinear);
  });

  it('coeffs are haarDwt of the image at every level, and gradients reach the input', () => {
    const image = seededTensor([1, 8, 8, 1], 5) as tf.Tensor4D;
    for (const resize of ['haar', 'bilinear'] as const) {
      const levels = waveletPyramid(image, 2, { resize });
      for (const l of levels) {
        const y = haarDwt(l.image);
        expectClose(l.coeffs, y, 1e-6, 0, 'coeffs');
        y.dispose();
      }
      disposeLevels(levels);
      checkGradient(
        (p) => {
          const ls = waveletPyramid(p as tf.Tensor4D, 2, { resize });
          return tf.add(
            tf.sum(tf.sin((ls[0] as WaveletPyramidLevel).coeffs)),
            tf.sum(tf.square((ls[1] as WaveletPyramidLevel).coeffs)),
          );
        },
        image,
        1e-2,
        1e-3,
        resize,
      );
    }
    image.dispose();
  });

  it('leaves no tensors behind', async () => {
    const image = seededTensor([1, 8, 8, 3], 6) as tf.Tensor4D;
    await expectNoLeak(() => {
      disposeLevels(waveletPyramid(image, 3));
      disposeLevels(waveletPyramid(image, 2, { resize: 'bilinear' }));
    });
    image.dispose();
  });

  it('rejects sizes that do not allow the levels, and unknown options', () => {
    const image = tf.zeros<tf.Rank.R4>([1, 12, 8, 3]);
    expect(() => waveletPyramid(image, 3)).toThrow(ShapeError);
    expect(() => waveletPyramid(image, 3)).toThrow(
      'image: got shape [1,12,8,3], expected height and width divisible by 2^levels = 8',
    );
    expect(() => waveletPyramid(image, 0)).toThrow(ConfigError);
    expect(() => waveletPyramid(image, 2, { resize: 'nearest' as 'haar' })).toThrow(
      "options.resize: got 'nearest', expected one of 'haar', 'bilinear'",
    );
    image.dispose();
  });
});
