import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ConfigError, fromMobileStyleGanLayout, haarDwt, ShapeError, toMobileStyleGanLayout } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectNoLeak, seededTensor } from '../helpers/tensors.js';

// MobileStyleGAN's 12-channel image layout written out by hand (mobilestylegan.md §1.3a):
// [LL_R, LL_G, LL_B, B0_R, B1_R, B2_R, B0_G, B1_G, B2_G, B0_B, B1_B, B2_B], where our band-major
// index of band b of colour k is b·3 + k (LL = 0, B0 = LH = 1, B1 = HL = 2, B2 = HH = 3).
const RGB_INTERLEAVED_FROM_BANDMAJOR = [0, 1, 2, 3, 6, 9, 4, 7, 10, 5, 8, 11];

/** out[k] = v[perm[k]] */
function permute(v: ArrayLike<number>, perm: number[]): number[] {
  return perm.map((i) => v[i] as number);
}

/** Index map from the rule "channel C + 3c + j is band j + 1 of channel c" for 4C channels. */
function interleavedFromBandMajor(c: number): number[] {
  const perm = Array.from({ length: c }, (_, k) => k);
  for (let ch = 0; ch < c; ch++) for (let j = 0; j < 3; j++) perm[c + 3 * ch + j] = (j + 1) * c + ch;
  return perm;
}

it('the general rule reproduces the hand-written 12-channel map', () => {
  expect(interleavedFromBandMajor(3)).toEqual(RGB_INTERLEAVED_FROM_BANDMAJOR);
});

describeBackends('MobileStyleGAN channel layout', () => {
  it('toMobileStyleGanLayout follows the hand-written 12-channel map and the general rule', () => {
    const v = Array.from({ length: 12 }, (_, k) => k * 10 + 1);
    const y = tf.tensor4d([...v, ...v.map((a) => -a)], [2, 1, 1, 12]);
    const out = toMobileStyleGanLayout(y);
    const expected = [
      ...permute(v, RGB_INTERLEAVED_FROM_BANDMAJOR),
      ...permute(
        v.map((a) => -a),
        RGB_INTERLEAVED_FROM_BANDMAJOR,
      ),
    ];
    expect(Array.from(out.dataSync())).toEqual(expected);
    for (const c of [1, 2, 5, 32]) {
      const t = tf.range(0, 4 * c);
      const m = toMobileStyleGanLayout(t);
      expect(Array.from(m.dataSync())).toEqual(interleavedFromBandMajor(c));
      tf.dispose([t, m]);
    }
    tf.dispose([y, out]);
  });

  it('fromMobileStyleGanLayout is the inverse permutation, on any rank', () => {
    for (const shape of [[8], [3, 20], [2, 3, 4, 12], [1, 2, 2, 2, 16]]) {
      const y = seededTensor(shape, shape.length);
      const there = toMobileStyleGanLayout(y);
      const back = fromMobileStyleGanLayout(there);
      expect(Array.from(back.dataSync())).toEqual(Array.from(y.dataSync()));
      const other = toMobileStyleGanLayout(fromMobileStyleGanLayout(y));
      expect(Array.from(other.dataSync())).toEqual(Array.from(y.dataSync()));
      expect(there.shape).toEqual(shape);
      tf.dispose([y, there, back, other]);
    }
    // fromMobileStyleGanLayout reads interleaved index C + 3c + j into band-major (j + 1)·C + c
    const c = 4;
    const t = tf.range(0, 4 * c);
    const f = fromMobileStyleGanLayout(t);
    const perm = interleavedFromBandMajor(c);
    const inverse = new Array<number>(4 * c);
    perm.forEach((src, dst) => (inverse[src] = dst));
    expect(Array.from(f.dataSync())).toEqual(inverse);
    tf.dispose([t, f]);
  });

  it('puts a colour image DWT into MobileStyleGAN order (R bands before G bands)', () => {
    // Only the red channel is non-zero: its LL and three details must land in channels 0 and 3..5.
    const x = tf.tidy(() => tf.concat([seededTensor([1, 4, 4, 1], 3), tf.zeros([1, 4, 4, 2])], 3)) as tf.Tensor4D;
    const msg = toMobileStyleGanLayout(haarDwt(x));
    const v = msg.dataSync();
    for (let pos = 0; pos < 4; pos++) {
      const px = Array.from(v.slice(pos * 12, pos * 12 + 12));
      expect(px.map((a, k) => (a !== 0 ? k : -1)).filter((k) => k >= 0)).toEqual([0, 3, 4, 5]);
    }
    tf.dispose([x, msg]);
  });

  it('is differentiable and leak-free', async () => {
    const y = seededTensor([1, 2, 1, 8], 9);
    const r = seededTensor([1, 2, 1, 8], 10);
    checkGradient((p) => tf.sum(tf.mul(tf.sin(toMobileStyleGanLayout(p)), r)), y, 1e-2, 1e-3, 'to');
    checkGradient((p) => tf.sum(tf.mul(tf.sin(fromMobileStyleGanLayout(p)), r)), y, 1e-2, 1e-3, 'from');
    await expectNoLeak(() => tf.dispose([toMobileStyleGanLayout(y), fromMobileStyleGanLayout(y)]));
    tf.dispose([y, r]);
  });

  it('rejects a last axis that is not a multiple of 4', () => {
    const bad = tf.zeros([1, 2, 2, 6]);
    expect(() => toMobileStyleGanLayout(bad)).toThrow(ShapeError);
    expect(() => fromMobileStyleGanLayout(bad)).toThrow(
      'y: got shape [1,2,2,6], expected a tensor whose last axis has 4·C entries',
    );
    expect(() => toMobileStyleGanLayout([1, 2, 3, 4] as unknown as tf.Tensor)).toThrow(ConfigError);
    bad.dispose();
  });
});
