import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ConfigError, haarDwt, haarIdwt, ShapeError } from '../../src/index.js';
import { haarAnalysis, haarSynthesis, preferredStrategy, type HaarStrategy } from '../../src/wavelet/haar_transform.js';
import { depthToSpaceChain, fromPhases, toPhases } from '../../src/wavelet/phases.js';
import { describeBackends } from '../helpers/backends.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { concatBands, fixture, loopDwt, t4 } from './reference.js';

const STRATEGIES: HaarStrategy[] = ['blocks', 'bands'];

it('depthToSpaceChain factors the column count into blocks each dividing the block below it', () => {
  expect(depthToSpaceChain(128, 128)).toEqual([128]);
  expect(depthToSpaceChain(64, 24)).toEqual([8, 8]); // innermost 8 | 24, then 8 | 8·24
  expect(depthToSpaceChain(64, 6)).toEqual([8, 4, 2]); // 2 | 6, 4 | 12, 8 | 48
  expect(depthToSpaceChain(9, 6)).toEqual([3, 3]);
  expect(depthToSpaceChain(1, 6)).toEqual([]);
  expect(depthToSpaceChain(3, 4)).toBeNull(); // 3 never divides a power of two
  expect(depthToSpaceChain(15, 6)).toBeNull(); // 3 | 6, but 5 ∤ 18
});

describeBackends('haarDwt / haarIdwt', (backend) => {
  it('equal pywt dwt2(x, "haar") band by band (cA, cH, cV, cD)', () => {
    const f = fixture.dwt2;
    const x = t4(f.x);
    const expected = concatBands(f.cA, f.cH, f.cV, f.cD);
    const y = haarDwt(x);
    expect(y.shape).toEqual([2, 3, 4, 12]);
    expectClose(y, expected, 1e-5, 0, 'dwt vs pywt');
    // and the inverse of pywt's coefficients is pywt's input
    const back = haarIdwt(expected);
    expectClose(back, x, 1e-5, 0, 'idwt of pywt coefficients');
    tf.dispose([x, expected, y, back]);
  });

  it(`both formulations give the loop reference on ${backend} (even, odd and prime block counts)`, () => {
    for (const shape of [
      [2, 6, 8, 3],
      [1, 6, 10, 2],
      [3, 2, 30, 5],
      [1, 4, 4, 1],
      [1, 8, 16, 7],
    ]) {
      const x = seededTensor(
        shape,
        shape.reduce((a, b) => a * b, 0),
      ) as tf.Tensor4D;
      const expected = loopDwt(x.dataSync() as Float32Array, shape);
      for (const s of STRATEGIES) {
        const y = haarAnalysis(x, s);
        expectClose(y, expected, 1e-6, 0, `${s} analysis ${shape}`);
        const back = haarSynthesis(y, s);
        expectClose(back, x, 1e-6, 0, `${s} synthesis ${shape}`);
        tf.dispose([y, back]);
      }
      x.dispose();
    }
    expect(preferredStrategy()).toBe(backend === 'wasm' ? 'bands' : 'blocks');
  });

  it('phase blocks: both phase methods agree with the index definition and invert each other', () => {
    for (const shape of [
      [2, 4, 6, 3],
      [1, 2, 16, 4],
      [1, 6, 6, 1],
    ]) {
      const [n, hh, ww, c] = shape as [number, number, number, number];
      const x = seededTensor(shape, 7) as tf.Tensor4D;
      const xv = x.dataSync();
      const expected = new Float32Array(xv.length);
      for (let b = 0; b < n; b++)
        for (let i = 0; i < hh / 2; i++)
          for (let j = 0; j < ww / 2; j++)
            for (let p = 0; p < 4; p++)
              for (let ch = 0; ch < c; ch++)
                expected[(((b * hh) / 2 + i) * (ww / 2) + j) * 4 * c + p * c + ch] = xv[
                  ((b * hh + 2 * i + (p >> 1)) * ww + 2 * j + (p & 1)) * c + ch
                ] as number;
      for (const method of ['depthToSpace', 'transpose'] as const) {
        const p = toPhases(x, method);
        expect(Array.from(p.dataSync())).toEqual(Array.from(expected));
        const back = fromPhases(p, n, hh / 2, ww / 2, method);
        expect(Array.from(back.dataSync())).toEqual(Array.from(xv));
        tf.dispose([p, back]);
      }
      x.dispose();
    }
  });

  it('round trip is exact and energy is preserved (orthonormal)', () => {
    const x = seededTensor([2, 16, 12, 5], 11, 3) as tf.Tensor4D;
    const y = haarDwt(x);
    const back = haarIdwt(y);
    expectClose(back, x, 1e-5, 0, 'idwt(dwt(x))');
    const ex = tf.sum(tf.square(x));
    const ey = tf.sum(tf.square(y));
    expectClose(ey, ex, 0, 1e-6, 'energy');
    // the other direction: dwt(idwt(y)) = y for arbitrary coefficients
    const c = seededTensor([1, 3, 5, 8], 12) as tf.Tensor4D;
    const again = haarDwt(haarIdwt(c));
    expectClose(again, c, 1e-5, 0, 'dwt(idwt(y))');
    tf.dispose([x, y, back, ex, ey, c, again]);
  });

  it('gradients match central finite differences (nonlinear loss through each op)', () => {
    const r = seededTensor([1, 2, 3, 8], 21) as tf.Tensor4D;
    const x = seededTensor([1, 4, 6, 2], 22) as tf.Tensor4D;
    checkGradient((p) => tf.sum(tf.mul(tf.sin(haarDwt(p as tf.Tensor4D)), r)), x, 1e-2, 1e-3, 'dwt');
    const y = seededTensor([1, 2, 3, 8], 23) as tf.Tensor4D;
    const s = seededTensor([1, 4, 6, 2], 24) as tf.Tensor4D;
    checkGradient((p) => tf.sum(tf.mul(tf.tanh(haarIdwt(p as tf.Tensor4D)), s)), y, 1e-2, 1e-3, 'idwt');
    // second order: d/dx of a gradient that itself went through the transform
    const g2 = tf.tidy(() =>
      tf.grad((p: tf.Tensor) => tf.sum(tf.grad((q: tf.Tensor) => tf.sum(tf.square(haarDwt(q as tf.Tensor4D))))(p)))(x),
    );
    expectClose(
      g2,
      tf.tidy(() => tf.fill(x.shape, 2)),
      1e-5,
      0,
      'second-order gradient of |dwt(x)|²',
    );
    tf.dispose([r, x, y, s, g2]);
  });

  it('leave no tensors behind, forward and backward', async () => {
    const x = seededTensor([2, 4, 8, 3], 31) as tf.Tensor4D;
    const c = seededTensor([2, 2, 4, 12], 32) as tf.Tensor4D;
    await expectNoLeak(() => {
      const y = haarDwt(x);
      tf.dispose([y, haarIdwt(y)]);
      tf.dispose(tf.grad((p: tf.Tensor) => tf.sum(haarIdwt(haarDwt(p as tf.Tensor4D))))(x));
      for (const s of STRATEGIES) tf.dispose([haarAnalysis(x, s), haarSynthesis(c, s)]);
    });
    tf.dispose([x, c]);
  });

  it('reject odd sizes, wrong ranks and channel counts with the shape in the message', () => {
    const odd = tf.zeros<tf.Rank.R4>([1, 5, 4, 3]);
    expect(() => haarDwt(odd)).toThrow(ShapeError);
    expect(() => haarDwt(odd)).toThrow('x: got shape [1,5,4,3], expected NHWC with even height and width');
    const oddW = tf.zeros<tf.Rank.R4>([1, 4, 7, 3]);
    expect(() => haarDwt(oddW)).toThrow('[1,4,7,3]');
    const rank3 = tf.zeros([4, 4, 3]) as unknown as tf.Tensor4D;
    expect(() => haarDwt(rank3)).toThrow('x: got shape [4,4,3], expected rank 4');
    const notFour = tf.zeros<tf.Rank.R4>([1, 2, 2, 6]);
    expect(() => haarIdwt(notFour)).toThrow('y: got shape [1,2,2,6], expected NHWC with 4·C channels');
    expect(() => haarDwt([1, 2] as unknown as tf.Tensor4D)).toThrow(ConfigError);
    tf.dispose([odd, oddW, rank3, notFour]);
  });
});
