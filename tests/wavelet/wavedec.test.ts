import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ConfigError, haarDwt, haarWavedec, haarWaverec, maxHaarLevels, ShapeError } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { concatBands, fixture, t4 } from './reference.js';

it('maxHaarLevels counts how often both sizes halve evenly', () => {
  expect(maxHaarLevels(96, 64)).toBe(5);
  expect(maxHaarLevels(1024, 1024)).toBe(10);
  expect(maxHaarLevels(6, 8)).toBe(1);
  expect(maxHaarLevels(7, 8)).toBe(0);
  expect(() => maxHaarLevels(0, 8)).toThrow(ConfigError);
});

describeBackends('haarWavedec / haarWaverec', () => {
  it('equal pywt wavedec2(x, "haar", level=3), details finest first', () => {
    const f = fixture.wavedec2;
    const x = t4(f.x);
    const { low, details } = haarWavedec(x, f.levels);
    expectClose(low, t4(f.cA), 1e-5, 0, 'cA3');
    expect(details.map((d) => d.shape)).toEqual([
      [1, 8, 4, 6],
      [1, 4, 2, 6],
      [1, 2, 1, 6],
    ]);
    // pywt lists the coarsest level first
    const pywtFinestFirst = [...f.details].reverse();
    details.forEach((d, k) => {
      const p = pywtFinestFirst[k] as (typeof f.details)[number];
      const expected = concatBands(p.cH, p.cV, p.cD);
      expectClose(d, expected, 1e-5, 0, `details[${k}]`);
      expected.dispose();
    });
    // waverec of pywt's own coefficients gives pywt's input back
    const fromPywt = { low: t4(f.cA), details: pywtFinestFirst.map((p) => concatBands(p.cH, p.cV, p.cD)) };
    const back = haarWaverec(fromPywt);
    expectClose(back, x, 1e-5, 0, 'waverec of pywt coefficients');
    tf.dispose([x, low, ...details, back, fromPywt.low, ...fromPywt.details]);
  });

  it('level 1 is haarDwt split into LL and details', () => {
    const x = seededTensor([2, 4, 6, 3], 3) as tf.Tensor4D;
    const { low, details } = haarWavedec(x, 1);
    const y = haarDwt(x);
    const joined = tf.concat([low, details[0] as tf.Tensor4D], 3);
    expect(Array.from(joined.dataSync())).toEqual(Array.from(y.dataSync()));
    tf.dispose([x, low, ...details, y, joined]);
  });

  it('waverec(wavedec(x, 3)) = x and energy is preserved across all levels', () => {
    const x = seededTensor([2, 24, 16, 3], 5, 2) as tf.Tensor4D;
    const dec = haarWavedec(x, 3);
    expect(dec.low.shape).toEqual([2, 3, 2, 3]);
    const back = haarWaverec(dec);
    expectClose(back, x, 1e-5, 0, 'round trip');
    const energy = (ts: tf.Tensor[]): number =>
      tf.tidy(() => ts.reduce((s, t) => s + (tf.sum(tf.square(t)).dataSync()[0] as number), 0));
    expect(energy([dec.low, ...dec.details])).toBeCloseTo(energy([x]), 2);
    tf.dispose([x, dec.low, ...dec.details, back]);
  });

  it('gradients flow through every level (finite differences)', () => {
    const x = seededTensor([1, 8, 4, 1], 7) as tf.Tensor4D;
    const r = seededTensor([1, 4, 2, 3], 8);
    checkGradient(
      (p) => {
        const { low, details } = haarWavedec(p as tf.Tensor4D, 2);
        return tf.add(
          tf.sum(tf.mul(tf.sin(details[0] as tf.Tensor), r)),
          tf.sum(tf.square(tf.add(low, details[1] as tf.Tensor))),
        );
      },
      x,
      1e-2,
      1e-3,
      'wavedec',
    );
    const low = seededTensor([1, 2, 1, 2], 9) as tf.Tensor4D;
    const d0 = seededTensor([1, 4, 2, 6], 10) as tf.Tensor4D;
    const d1 = seededTensor([1, 2, 1, 6], 11) as tf.Tensor4D;
    checkGradient(
      (p) => tf.sum(tf.sin(haarWaverec({ low, details: [p as tf.Tensor4D, d1] }))),
      d0,
      1e-2,
      1e-3,
      'waverec',
    );
    tf.dispose([x, r, low, d0, d1]);
  });

  it('leave no tensors behind', async () => {
    const x = seededTensor([1, 8, 8, 2], 12) as tf.Tensor4D;
    await expectNoLeak(() => {
      const dec = haarWavedec(x, 3);
      tf.dispose([haarWaverec(dec), dec.low, ...dec.details]);
    });
    x.dispose();
  });

  it('reject level counts the size does not allow and decompositions that do not chain', () => {
    const x = tf.zeros<tf.Rank.R4>([1, 12, 8, 2]);
    expect(() => haarWavedec(x, 3)).toThrow(ShapeError);
    expect(() => haarWavedec(x, 3)).toThrow(
      'x: got shape [1,12,8,2], expected height and width divisible by 2^levels = 8 (levels = 3)',
    );
    expect(() => haarWavedec(x, 0)).toThrow('levels: got 0, expected an integer >= 1');
    expect(() => haarWavedec(x, 1.5)).toThrow(ConfigError);
    const low = tf.zeros<tf.Rank.R4>([1, 3, 2, 2]);
    const good = tf.zeros<tf.Rank.R4>([1, 3, 2, 6]);
    const wrongChannels = tf.zeros<tf.Rank.R4>([1, 6, 4, 4]);
    const wrongSize = tf.zeros<tf.Rank.R4>([1, 6, 5, 6]);
    expect(() => haarWaverec({ low, details: [wrongChannels, good] })).toThrow(
      'dec.details[0]: got shape [1,6,4,4], expected [1, 6, 4, 6]',
    );
    expect(() => haarWaverec({ low, details: [wrongSize, good] })).toThrow(ShapeError);
    expect(() => haarWaverec({ low, details: [] })).toThrow('dec.details: got [], expected a non-empty array');
    tf.dispose([x, low, good, wrongChannels, wrongSize]);
  });
});
