import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adaptiveInstanceNorm,
  ConfigError,
  munitLayerNorm,
  nearestIndices,
  resizeNearest,
  ShapeError,
  spade,
  type SpadeWeights,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { checkGradient } from '../../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../../helpers/tensors.js';
import { fixture, fromFixture, hashedInput } from './hashed.js';
import { adainRef, instanceNormRef, munitLayerNormRef, nhwc } from './reference.js';

const ref = fixture();

describe('nearestIndices (PyTorch’s nearest rule)', () => {
  it('doubling halves the index, integer downsampling multiplies it, equal sizes are the identity', () => {
    expect(nearestIndices(3, 6)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(nearestIndices(8, 4)).toEqual([0, 2, 4, 6]);
    expect(nearestIndices(5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(nearestIndices(10, 6)).toEqual([0, 1, 3, 5, 6, 8]);
    // 26 → 22: exactly, output 11 reads row floor(11·26/22) = 13; PyTorch's float32 scale gives 12.
    expect(Math.floor((11 * 26) / 22)).toBe(13);
    expect(nearestIndices(26, 22)[11]).toBe(12);
  });

  it('property: indices are in range and non-decreasing; k-fold up/down sampling is i/k and i·k', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), (inSize, outSize) => {
        const idx = nearestIndices(inSize, outSize);
        expect(idx.length).toBe(outSize);
        idx.forEach((v, i) => {
          expect(v >= 0 && v < inSize).toBe(true);
          if (i > 0) expect(v >= (idx[i - 1] as number)).toBe(true);
        });
        if (outSize % inSize === 0) expect(idx).toEqual(idx.map((_, i) => Math.floor((i * inSize) / outSize)));
        if (inSize % outSize === 0) expect(idx).toEqual(idx.map((_, i) => (i * inSize) / outSize));
      }),
      { seed: 16, numRuns: 400 },
    );
  });

  it('refuses sizes that are not positive integers, naming them', () => {
    expect(() => nearestIndices(0, 3)).toThrow(/inSize: got 0/);
    expect(() => nearestIndices(3, 2.5)).toThrow(/outSize: got 2.5/);
  });
});

describeBackends('resizeNearest', () => {
  it("equals PyTorch's F.interpolate(mode='nearest') for up, down, mixed and equal sizes", async () => {
    const x = hashedInput('resize', [1, 7, 5, 2]);
    for (const c of ref.resize) {
      await expectNoLeak(() => {
        const y = resizeNearest(x as tf.Tensor4D, c.size);
        const expected = fromFixture(c.y);
        expectClose(y, expected, 1e-7, 0, `size ${c.size.join('×')}`);
        tf.dispose([y, expected]);
      });
    }
    x.dispose();
  });

  it("follows PyTorch's float32 scale where it differs from the exact floor (26 → 22 rows)", () => {
    const x = hashedInput('resize26', [1, 26, 3, 2]);
    const y = resizeNearest(x as tf.Tensor4D, [22, 3]);
    const expected = fromFixture(ref.resize_float32);
    expectClose(y, expected, 1e-7, 0);
    // Output row 11 is input row 12 (the exact rule would read row 13).
    expectClose(tf.slice(y, [0, 11, 0, 0], [1, 1, 3, 2]), tf.slice(x, [0, 12, 0, 0], [1, 1, 3, 2]), 0);
    tf.dispose([x, y, expected]);
  });

  it('gradient: each input pixel receives the sum of the gradients of the outputs that copy it (finite differences)', () => {
    const x = seededTensor([1, 3, 2, 2], 3);
    const w = seededTensor([1, 5, 3, 2], 4);
    checkGradient((p) => tf.sum(tf.mul(resizeNearest(p as tf.Tensor4D, [5, 3]), w)), x);
    tf.dispose([x, w]);
  });

  it('refuses a non-4-D input and bad sizes, and leaks nothing when it does', async () => {
    const x = tf.zeros([2, 3, 4]);
    const image = tf.zeros<tf.Rank.R4>([1, 2, 2, 1]);
    await expectNoLeak(() => {
      expect(() => resizeNearest(x as never, [2, 2])).toThrow(ShapeError);
      expect(() => resizeNearest(image, [0, 2])).toThrow(/size\[0\]: got 0/);
    });
    tf.dispose([x, image]);
  });
});

/** SPADE weights whose γ and β kernels are zero: γ and β are then their biases, constant over the image. */
function constantBranchWeights(
  labels: number,
  hidden: number,
  c: number,
  g: number[],
  b: number[],
  separable: boolean,
): SpadeWeights {
  const branch = (bias: number[]): SpadeWeights['gamma'] =>
    separable
      ? {
          depthwiseKernel: seededTensor([3, 3, hidden, 1], 9) as tf.Tensor4D,
          pointwiseKernel: tf.zeros<tf.Rank.R4>([1, 1, hidden, c]),
          pointwiseBias: tf.tensor1d(bias),
        }
      : { kernel: tf.zeros<tf.Rank.R4>([3, 3, hidden, c]), bias: tf.tensor1d(bias) };
  return {
    sharedKernel: seededTensor([3, 3, labels, hidden], 7) as tf.Tensor4D,
    sharedBias: seededTensor([hidden], 8) as tf.Tensor1D,
    gamma: branch(g),
    beta: branch(b),
  };
}

describeBackends('spade', () => {
  it('with zero γ/β kernels is x̂·(1 + g) + b for the branch biases g, b (x̂ from a float64 instance norm)', async () => {
    const x = seededTensor([2, 4, 5, 3], 1) as tf.Tensor4D;
    const seg = seededTensor([2, 8, 10, 2], 2) as tf.Tensor4D;
    const g = [0.5, -1, 2];
    const b = [0.25, 0, -3];
    for (const separable of [false, true]) {
      const w = constantBranchWeights(2, 4, 3, g, b, separable);
      const expected = instanceNormRef(nhwc(x)).map((v, e) => v * (1 + (g[e % 3] as number)) + (b[e % 3] as number));
      await expectNoLeak(() => {
        const y = spade(x, seg, w, { norm: 'instance' });
        expectClose(y, expected, 2e-5, 0, separable ? 'separable' : 'conv');
        y.dispose();
      });
      // norm 'none': x itself is modulated.
      const y = spade(x, seg, w);
      expectClose(
        y,
        Float64Array.from(x.dataSync()).map((v, e) => v * (1 + (g[e % 3] as number)) + (b[e % 3] as number)),
        1e-5,
      );
      tf.dispose(
        [
          y,
          w.sharedKernel,
          w.sharedBias,
          ...(Object.values(w.gamma) as unknown[]),
          ...(Object.values(w.beta) as unknown[]),
        ].filter((t): t is tf.Tensor => t instanceof tf.Tensor),
      );
    }
    tf.dispose([x, seg]);
  });

  it('gradients w.r.t. x, the map and each weight equal finite differences', () => {
    const x = seededTensor([1, 3, 4, 2], 11) as tf.Tensor4D;
    const seg = seededTensor([1, 6, 8, 2], 12) as tf.Tensor4D;
    const w = {
      sharedKernel: seededTensor([3, 3, 2, 3], 13, 0.5) as tf.Tensor4D,
      sharedBias: seededTensor([3], 14, 0.5) as tf.Tensor1D,
      dw: seededTensor([3, 3, 3, 1], 15, 0.5) as tf.Tensor4D,
      pw: seededTensor([1, 1, 3, 2], 16, 0.5) as tf.Tensor4D,
      beta: seededTensor([3, 3, 3, 2], 17, 0.5) as tf.Tensor4D,
    };
    const loss = (xs: tf.Tensor, s: tf.Tensor, shared: tf.Tensor, pw: tf.Tensor): tf.Scalar =>
      tf.sum(
        tf.square(
          spade(
            xs as tf.Tensor4D,
            s as tf.Tensor4D,
            {
              sharedKernel: shared as tf.Tensor4D,
              sharedBias: w.sharedBias,
              gamma: { depthwiseKernel: w.dw, pointwiseKernel: pw as tf.Tensor4D },
              beta: { kernel: w.beta },
            },
            { norm: 'instance' },
          ),
        ),
      );
    checkGradient((p) => loss(p, seg, w.sharedKernel, w.pw), x, 1e-2, 2e-3, 'x');
    checkGradient((p) => loss(x, seg, w.sharedKernel, p), w.pw, 1e-2, 2e-3, 'pointwise');
    checkGradient((p) => loss(x, seg, p, w.pw), w.sharedKernel, 1e-2, 2e-3, 'shared kernel');
    tf.dispose([x, seg, ...Object.values(w)]);
  });

  it('names the weight, the map or the option that does not fit, and leaks nothing when it throws', async () => {
    const x = tf.zeros<tf.Rank.R4>([1, 4, 4, 3]);
    const seg = tf.zeros<tf.Rank.R4>([1, 8, 8, 2]);
    const w = constantBranchWeights(2, 4, 3, [0, 0, 0], [0, 0, 0], false);
    const shapes: number[][] = [
      [1, 8, 8, 5],
      [1, 4, 4, 2],
      [2, 8, 8, 2],
      [4, 4, 3],
    ];
    const [seg5, x2, seg2, x3] = shapes.map((s) => tf.zeros(s));
    await expectNoLeak(() => {
      expect(() => spade(x, seg5 as tf.Tensor4D, w)).toThrow(
        /weights.sharedKernel: got shape \[3,3,2,4\], expected \[3, 3, 5, 4\] \(segmap has 5 label channels\)/,
      );
      expect(() => spade(x2 as tf.Tensor4D, seg, w)).toThrow(/weights.gamma.kernel: got shape \[3,3,4,3\]/);
      expect(() => spade(x, seg2 as tf.Tensor4D, w)).toThrow(
        /segmap: got shape \[2,8,8,2\], expected \[1, H, W, labels\]/,
      );
      expect(() => spade(x, seg, w, { norm: 'batch' as never })).toThrow(ConfigError);
      expect(() => spade(x, seg, w, { epsilon: 0 })).toThrow(/options.epsilon: got 0/);
      expect(() => spade(x3 as never, seg, w)).toThrow(/x: got shape \[4,4,3\]/);
    });
    tf.dispose([x, seg, seg5, x2, seg2, x3, w.sharedKernel, (w.gamma as { kernel: tf.Tensor }).kernel]);
    tf.dispose([
      w.sharedBias,
      (w.gamma as { bias: tf.Tensor }).bias,
      (w.beta as { kernel: tf.Tensor }).kernel,
      (w.beta as { bias: tf.Tensor }).bias,
    ]);
  });

  it('property: zero γ/β branches and norm none give x back, for any sizes of x and the map', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 1, max: 5 }),
          w: fc.integer({ min: 1, max: 5 }),
          c: fc.integer({ min: 1, max: 3 }),
          sh: fc.integer({ min: 1, max: 9 }),
          sw: fc.integer({ min: 1, max: 9 }),
          labels: fc.integer({ min: 1, max: 3 }),
        }),
        (d) => {
          tf.tidy(() => {
            const x = seededTensor([d.n, d.h, d.w, d.c], d.h * 7 + d.w) as tf.Tensor4D;
            const seg = seededTensor([d.n, d.sh, d.sw, d.labels], d.sh) as tf.Tensor4D;
            const zeros = new Array<number>(d.c).fill(0);
            const y = spade(x, seg, constantBranchWeights(d.labels, 2, d.c, zeros, zeros, d.sh % 2 === 0));
            expectClose(y, x, 1e-6);
          });
        },
      ),
      { seed: 5, numRuns: 25 },
    );
  });
});

describeBackends('MUNIT ops', () => {
  it('munitLayerNorm equals a float64 loop (unbiased std over C×H×W, ε on the std) and the PyTorch fixture', () => {
    const x = seededTensor([2, 3, 4, 5], 21, 2) as tf.Tensor4D;
    const gamma = seededTensor([5], 22) as tf.Tensor1D;
    const beta = seededTensor([5], 23) as tf.Tensor1D;
    const y = munitLayerNorm(x, { gamma, beta });
    expectClose(y, munitLayerNormRef(nhwc(x), gamma.dataSync(), beta.dataSync()), 1e-5);
    // Without affine: every sample has mean 0 and unbiased std std/(std + ε) ≈ 1.
    const plain = munitLayerNorm(x);
    const m = tf.moments(plain, [1, 2, 3]);
    expectClose(m.mean, [0, 0], 1e-6);
    expectClose(tf.mul(m.variance, 60 / 59), [1, 1], 1e-4);
    tf.dispose([x, gamma, beta, y, plain, m.mean, m.variance]);
  });

  it('adaptiveInstanceNorm equals std·IN(x) + mean from a float64 loop', () => {
    const x = seededTensor([2, 3, 4, 5], 31, 2) as tf.Tensor4D;
    const mean = seededTensor([2, 5], 32) as tf.Tensor2D;
    const std = seededTensor([2, 5], 33) as tf.Tensor2D;
    const y = adaptiveInstanceNorm(x, { mean, std });
    expectClose(y, adainRef(nhwc(x), mean.dataSync(), std.dataSync()), 2e-5);
    tf.dispose([x, mean, std, y]);
  });

  it('gradients equal finite differences', () => {
    const x = seededTensor([1, 2, 3, 2], 41, 2);
    const gamma = seededTensor([2], 42) as tf.Tensor1D;
    const w = seededTensor([1, 2, 3, 2], 43);
    checkGradient((p) => tf.sum(tf.mul(munitLayerNorm(p, { gamma }), w)), x, 1e-2, 2e-3, 'layer norm x');
    const mean = seededTensor([1, 2], 44) as tf.Tensor2D;
    const std = seededTensor([1, 2], 45) as tf.Tensor2D;
    checkGradient(
      (p) => tf.sum(tf.mul(adaptiveInstanceNorm(p as tf.Tensor4D, { mean, std }), w)),
      x,
      1e-2,
      2e-3,
      'adain x',
    );
    checkGradient(
      (p) => tf.sum(tf.mul(adaptiveInstanceNorm(x as tf.Tensor4D, { mean, std: p as tf.Tensor2D }), w)),
      std,
      1e-2,
      1e-3,
      'adain std',
    );
    tf.dispose([x, gamma, w, mean, std]);
  });

  it('refuses what does not fit, naming it, without leaking', async () => {
    const x = tf.zeros<tf.Rank.R4>([2, 3, 3, 4]);
    const [g3, tiny, mean, std] = [[3], [2, 1], [2, 4], [1, 4]].map((s) => tf.zeros(s));
    await expectNoLeak(() => {
      expect(() => munitLayerNorm(x, { gamma: g3 as tf.Tensor1D })).toThrow(
        /options.gamma: got shape \[3\], expected \[4\] \(one per channel of x\)/,
      );
      expect(() => munitLayerNorm(tiny as tf.Tensor)).toThrow(/at least 2 elements per sample/);
      expect(() => munitLayerNorm(x, { epsilon: -1 })).toThrow(/options.epsilon: got -1/);
      expect(() => adaptiveInstanceNorm(x, { mean: mean as tf.Tensor2D, std: std as tf.Tensor2D })).toThrow(
        /style.std: got shape \[1,4\], expected \[2, 4\] \(per sample and channel of x\)/,
      );
    });
    tf.dispose([x, g3, tiny, mean, std]);
  });

  it('inside a caller’s tf.tidy nothing but the result survives', () => {
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => munitLayerNorm(tf.reshape(tf.range(0, 8), [1, 2, 2, 2])));
    expect(tf.memory().numTensors).toBe(before + 1);
    y.dispose();
  });
});
