/**
 * superResolutionScores against skimage (rgb2ycbcr, peak_signal_noise_ratio, structural_similarity) on a real photo
 * crop with its PIL bicubic reconstruction and on noisy images with values outside [0, 1]
 * (tests/fixtures/scripts/super_resolution_scores.py); batches score per image; errors; no leak.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ConfigError, ShapeError, superResolutionScores } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { readFixture } from '../helpers/fixtures.js';
import { expectNoLeak } from '../helpers/tensors.js';

interface Case {
  name: string;
  prediction: number[][][];
  reference: number[][][];
  border: number;
  psnr: number;
  ssim: number;
}
const cases = readFixture<Case[]>('super_resolution_scores');

describeBackends('superResolutionScores', () => {
  it.each(cases.map((c) => [c.name, c] as const))('equals skimage: %s', async (_name, c) => {
    await expectNoLeak(() => {
      const [p, r] = [tf.tensor3d(c.prediction), tf.tensor3d(c.reference)];
      const [score] = superResolutionScores(p, r, { border: c.border });
      expect(score?.psnr).toBeCloseTo(c.psnr, 3);
      expect(score?.ssim).toBeCloseTo(c.ssim, 4);
      tf.dispose([p, r]);
    });
  });

  it('scores each image of a batch on its own; identical images give +Infinity', () => {
    const a = cases[0] as Case;
    const b = cases[1] as Case;
    const crop = (x: number[][][]): number[][][] => x.slice(0, 20).map((row) => row.slice(0, 24));
    const p = tf.tensor4d([crop(a.prediction), b.prediction]);
    const r = tf.tensor4d([crop(a.reference), b.reference]);
    const batch = superResolutionScores(p, r, { border: 0 });
    const single = superResolutionScores(tf.tensor3d(b.prediction), tf.tensor3d(b.reference), { border: 0 });
    expect(batch).toHaveLength(2);
    expect(batch[1]).toEqual(single[0]);
    const same = superResolutionScores(r, r, { border: 0, quantize: false });
    expect(same.map((s) => s.psnr)).toEqual([Infinity, Infinity]);
    tf.dispose([p, r]);
  });

  it('refuses shapes and options it cannot score, naming them; no leak', async () => {
    const x = tf.zeros<tf.Rank.R3>([16, 16, 3]);
    const y = tf.zeros<tf.Rank.R3>([16, 15, 3]);
    const grey = tf.zeros<tf.Rank.R3>([16, 16, 1]);
    await expectNoLeak(() => {
      expect(() => superResolutionScores(x, y)).toThrow(ShapeError);
      expect(() => superResolutionScores(x, x, { border: 3 })).toThrow(/at least 17²/);
      expect(() => superResolutionScores(x, x, { border: -1 })).toThrow(/options\.border: got -1/);
      expect(() => superResolutionScores(x, x, { shave: 2 } as never)).toThrow(ConfigError);
      expect(() => superResolutionScores(grey, x)).toThrow(/prediction/);
    });
    tf.dispose([x, y, grey]);
  });
});
