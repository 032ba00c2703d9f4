import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  ConfigError,
  FeatureMapper,
  featureDistillationLoss,
  GAN_LOSS_TYPES,
  ganLoss,
  kernelAlignmentLoss,
  perceptualLoss,
  r1Penalty,
  reconstructionLoss,
  ShapeError,
  waveletLoss,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';

interface Fixture {
  reconstruction: { pred: FixtureTensor; target: FixtureTensor; l1: number; l2: number; charbonnier: number };
  gan: { real: FixtureTensor; fake: FixtureTensor } & Record<string, { generator: number; discriminator: number }>;
  featureDistillation: {
    student: FixtureTensor[];
    teacher: FixtureTensor[];
    kernel: FixtureTensor;
    bias: number[];
    mse: number;
    l1: number;
  };
  kernelAlignment: { a: FixtureTensor; b: FixtureTensor; loss: number };
  r1: {
    real: FixtureTensor;
    conv1: { kernel: FixtureTensor; bias: number[] };
    conv2: { kernel: FixtureTensor; bias: number[] };
    penalty: number;
    grads: [FixtureTensor, number[], FixtureTensor, number[]];
  };
  wavelet: {
    pred: FixtureTensor;
    target: FixtureTensor;
    cases: { options: { levels: number; l1?: number; l2?: number; pixel?: number; wavelet?: number }; loss: number }[];
  };
  perceptual: {
    pred: FixtureTensor;
    target: FixtureTensor;
    c1: { kernel: FixtureTensor; bias: number[] };
    c2: { kernel: FixtureTensor; bias: number[] };
    l1: number;
    l2: number;
  };
}

const fx = readFixture<Fixture>('distill_torch');
const value = (t: tf.Tensor): number => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

/** A conv layer applied to `x` with the fixture's kernel and bias. */
function fixtureConv(
  x: tfl.SymbolicTensor,
  name: string,
  w: { kernel: FixtureTensor; bias: number[] },
  activation: 'relu' | 'linear',
  padding: 'same' | 'valid',
): tfl.SymbolicTensor {
  const [kh, , , out] = w.kernel.shape as [number, number, number, number];
  const layer = tfl.layers.conv2d({ name, filters: out, kernelSize: kh, padding, activation });
  const y = layer.apply(x) as tfl.SymbolicTensor;
  const values = [fromFixture(w.kernel), tf.tensor1d(w.bias)];
  layer.setWeights(values);
  tf.dispose(values);
  return y;
}

describeBackends('distillation losses', () => {
  it('reconstructionLoss: l1, l2 and charbonnier equal PyTorch (F.l1_loss, F.mse_loss, √(d² + ε²))', () => {
    const f = fx.reconstruction;
    const [p, t] = [fromFixture(f.pred), fromFixture(f.target)];
    expect(value(reconstructionLoss(p, t, 'l1'))).toBeCloseTo(f.l1, 6);
    expect(value(reconstructionLoss(p, t, 'l2'))).toBeCloseTo(f.l2, 6);
    expect(value(reconstructionLoss(p, t, 'charbonnier'))).toBeCloseTo(f.charbonnier, 6);
    expect(value(reconstructionLoss(p, t))).toBeCloseTo(f.l1, 6); // default 'l1'
    tf.dispose([p, t]);
  });

  it('reconstructionLoss: hand-computed values; charbonnier tends to l1 as ε → 0 and is ε at 0', () => {
    const p = tf.tensor([
      [0.5, -1],
      [2, 0],
    ]);
    const t = tf.zeros([2, 2]);
    expect(value(reconstructionLoss(p, t, 'l1'))).toBeCloseTo(0.875, 7);
    expect(value(reconstructionLoss(p, t, 'l2'))).toBeCloseTo((0.25 + 1 + 4) / 4, 6);
    const charb = (0.5 ** 2 + 1e-6) ** 0.5 + (1 + 1e-6) ** 0.5 + (4 + 1e-6) ** 0.5 + 1e-3;
    expect(value(reconstructionLoss(p, t, 'charbonnier'))).toBeCloseTo(charb / 4, 6);
    expect(value(reconstructionLoss(t, t, 'charbonnier', { epsilon: 0.5 }))).toBeCloseTo(0.5, 7);
    tf.dispose([p, t]);
  });

  it('reconstructionLoss: gradients match finite differences (all three)', () => {
    const t = seededTensor([2, 3, 3, 2], 4);
    for (const type of ['l1', 'l2', 'charbonnier'] as const) {
      const p = seededTensor([2, 3, 3, 2], 9, 2);
      checkGradient(
        (x) => reconstructionLoss(x, t, type, type === 'charbonnier' ? { epsilon: 0.3 } : {}),
        p,
        1e-3,
        2e-3,
        type,
      );
      p.dispose();
    }
    t.dispose();
  });

  it('reconstructionLoss: property — equals a plain-JS mean of the distance, for any shape and values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom('l1' as const, 'l2' as const, 'charbonnier' as const),
        (shape, seed, type) => {
          const [p, t] = [seededTensor(shape, seed + 1, 3), seededTensor(shape, seed + 2, 3)];
          const [a, b] = [p.dataSync(), t.dataSync()];
          let sum = 0;
          for (let i = 0; i < a.length; i++) {
            const d = (a[i] as number) - (b[i] as number);
            sum += type === 'l1' ? Math.abs(d) : type === 'l2' ? d * d : Math.sqrt(d * d + 1e-6);
          }
          const got = value(reconstructionLoss(p, t, type));
          tf.dispose([p, t]);
          expect(got).toBeCloseTo(sum / a.length, 4);
        },
      ),
      { seed: 13, numRuns: 40 },
    );
  });

  it('reconstructionLoss: bad input — shapes, type, epsilon, dtype — named errors', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    expect(() => reconstructionLoss(a, b)).toThrow(ShapeError);
    expect(() => reconstructionLoss(a, b)).toThrow(/target: got shape \[3,2\], expected the shape of pred, \[2,3\]/);
    expect(() => reconstructionLoss(a, a, 'l3' as 'l1')).toThrow(
      /type: got 'l3', expected one of 'l1', 'l2', 'charbonnier'/,
    );
    expect(() => reconstructionLoss(a, a, 'l1', { epsilon: 1 })).toThrow(/options.epsilon.*only 'charbonnier'/);
    expect(() => reconstructionLoss(a, a, 'charbonnier', { epsilon: -1 })).toThrow(ConfigError);
    const i = tf.zeros([2, 3], 'int32');
    expect(() => reconstructionLoss(i, a)).toThrow(/pred.dtype: got 'int32', expected 'float32'/);
    expect(() => reconstructionLoss([1, 2] as unknown as tf.Tensor, a)).toThrow(
      /pred: got \[1,2\], expected a tf.Tensor/,
    );
    tf.dispose([a, b, i]);
  });

  it('ganLoss: every type equals PyTorch on patch logits (both sides)', () => {
    const [real, fake] = [fromFixture(fx.gan.real), fromFixture(fx.gan.fake)];
    for (const type of GAN_LOSS_TYPES) {
      const ref = fx.gan[type] as { generator: number; discriminator: number };
      const gan = ganLoss(type);
      expect(gan.type).toBe(type);
      expect(value(gan.generator(fake)), `${type} G`).toBeCloseTo(ref.generator, 5);
      expect(value(gan.discriminator(real, fake)), `${type} D`).toBeCloseTo(ref.discriminator, 5);
    }
    tf.dispose([real, fake]);
  });

  it('ganLoss: hand-computed hinge and lsgan; a perfect discriminator has zero hinge loss', () => {
    const hinge = ganLoss('hinge');
    expect(value(hinge.discriminator(tf.tensor([2, 0.5]), tf.tensor([-2, 0])))).toBeCloseTo(0.375, 7);
    expect(value(hinge.generator(tf.tensor([-2, 0])))).toBeCloseTo(1, 7);
    expect(value(hinge.discriminator(tf.tensor([1, 3]), tf.tensor([-1, -5])))).toBe(0);
    const ls = ganLoss('lsgan');
    expect(value(ls.discriminator(tf.tensor([1, 0]), tf.tensor([0, 1])))).toBeCloseTo(0.5 * (0.5 + 0.5), 7);
    expect(value(ls.generator(tf.tensor([1, 3])))).toBeCloseTo(2, 7);
    // nonSaturating's D loss is twice vanilla's (no ½), the generator losses are equal
    const [r, f] = [tf.tensor([0.3, -1.2]), tf.tensor([0.7, 2])];
    expect(value(ganLoss('nonSaturating').discriminator(r, f))).toBeCloseTo(
      2 * value(ganLoss('vanilla').discriminator(r, f)),
      6,
    );
    expect(value(ganLoss('nonSaturating').generator(f))).toBeCloseTo(value(ganLoss('vanilla').generator(f)), 7);
    expect(value(ganLoss('vanilla').generator(tf.tensor([0])))).toBeCloseTo(Math.log(2), 6);
    tf.dispose([r, f]);
    expect(() => ganLoss('wgan' as 'hinge')).toThrow(
      /type: got 'wgan', expected one of 'lsgan', 'vanilla', 'hinge', 'nonSaturating'/,
    );
    expect(() => ganLoss('hinge').generator(tf.tensor([1], [1], 'int32'))).toThrow(/fakeLogits.dtype/);
  });

  it('featureDistillationLoss: a FeatureMapper with PyTorch adaptor weights, plus an identity pair, equals PyTorch (mse and l1)', async () => {
    const f = fx.featureDistillation;
    const s = f.student.map(fromFixture);
    const t = f.teacher.map(fromFixture);
    const mapper = FeatureMapper.fromShapes(s[0]?.shape as number[], t[0]?.shape as number[]);
    mapper.build(s[0]?.shape as number[]);
    const w = [fromFixture(f.kernel), tf.tensor1d(f.bias)];
    mapper.setWeights(w);
    expect(value(featureDistillationLoss(s, t, [mapper, null]))).toBeCloseTo(f.mse, 5);
    expect(value(featureDistillationLoss(s, t, [mapper, null], { type: 'l1' }))).toBeCloseTo(f.l1, 5);
    await expectNoLeak(() => value(featureDistillationLoss(s, t, [mapper, null])));
    tf.dispose([...s, ...t, ...w]);
  });

  it('featureDistillationLoss: bad input names the pair, the counts and the mapper', () => {
    const s = tf.zeros([1, 4, 4, 8]);
    const t = tf.zeros([1, 4, 4, 16]);
    expect(() => featureDistillationLoss([s], [t], [null])).toThrow(
      /teacherFeatures\[0\]: got shape \[1,4,4,16\], expected the shape of the student feature studentFeatures\[0\], \[1,4,4,8\]/,
    );
    expect(() => featureDistillationLoss([s], [t, t], [null])).toThrow(
      /teacherFeatures: got '2 tensors', expected 1 tensors/,
    );
    expect(() => featureDistillationLoss([s], [t], [])).toThrow(/mappers: got '0 mappers', expected 1 entries/);
    expect(() => featureDistillationLoss([s], [t], [{} as tfl.layers.Layer])).toThrow(/mappers\[0\]/);
    expect(() => featureDistillationLoss([s], [t], [null], { type: 'ka' as 'mse' })).toThrow(/options.type/);
    const wrong = new FeatureMapper({ studentChannels: 4, teacherChannels: 16 });
    expect(() => featureDistillationLoss([s], [t], [wrong])).toThrow(
      /input: got shape \[1,4,4,8\], expected NHWC with 4 channels/,
    );
    tf.dispose([s, t]);
  });

  it("kernelAlignmentLoss equals CAT's 1 − KA (float64 PyTorch) for features of different widths", () => {
    const f = fx.kernelAlignment;
    const [a, b] = [fromFixture(f.a), fromFixture(f.b)];
    expect(value(kernelAlignmentLoss(a, b))).toBeCloseTo(f.loss, 5);
    expect(value(kernelAlignmentLoss(b, a))).toBeCloseTo(f.loss, 5); // symmetric
    tf.dispose([a, b]);
  });

  it('kernelAlignmentLoss: invariants — 0 for a scaled copy, batch 1 gives 0, orthogonal samples vs identical Gram', () => {
    const x = seededTensor([4, 3, 3, 5], 2);
    expect(value(kernelAlignmentLoss(x, tf.mul(x, 7.5)))).toBeCloseTo(0, 6);
    const one = seededTensor([1, 2, 2, 3], 3);
    expect(value(kernelAlignmentLoss(one, seededTensor([1, 5], 4)))).toBeCloseTo(0, 6);
    // rows e1, e2 (Gram = I) against rows (1,1),(1,1) (Gram = 2·ones): KA = 2·2 / √(2 · 16) = 1/√2
    const id = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const ones = tf.tensor2d([
      [1, 1],
      [1, 1],
    ]);
    expect(value(kernelAlignmentLoss(id, ones))).toBeCloseTo(1 - Math.SQRT1_2, 6);
    // an all-zero argument: KA = 0, finite loss and gradient
    const zero = tf.zeros([3, 4]);
    expect(value(kernelAlignmentLoss(zero, seededTensor([3, 2], 5)))).toBeCloseTo(1, 6);
    const g = tf.grad((z: tf.Tensor) => kernelAlignmentLoss(z, ones))(tf.zeros([2, 2]));
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, one, id, ones, zero, g]);
    expect(() => kernelAlignmentLoss(tf.zeros([2, 3]), tf.zeros([3, 3]))).toThrow(
      /b: got shape \[3,3\], expected the batch size of a, 2/,
    );
  });

  it('kernelAlignmentLoss: gradient matches finite differences and stays in [0, 1] (property)', () => {
    const b = seededTensor([3, 4], 8);
    const a = seededTensor([3, 2, 2], 6);
    checkGradient((x) => kernelAlignmentLoss(x, b), a, 1e-2, 2e-3, 'KA');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.nat(999), (n, d, seed) => {
        const l = value(kernelAlignmentLoss(seededTensor([n, d], seed), seededTensor([n, d + 1], seed + 1)));
        expect(l).toBeGreaterThanOrEqual(-1e-6);
        expect(l).toBeLessThanOrEqual(1 + 1e-6);
      }),
      { seed: 5, numRuns: 30 },
    );
    tf.dispose([a, b]);
  });

  it('r1Penalty and its second derivative with respect to the weights equal torch.autograd (LeakyReLU D)', () => {
    const f = fx.r1;
    const input = tfl.input({ shape: [6, 6, 3] });
    const h = fixtureConv(input, 'c1', f.conv1, 'linear', 'same');
    const a = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(h) as tfl.SymbolicTensor;
    const D = tfl.model({ inputs: input, outputs: fixtureConv(a, 'c2', f.conv2, 'linear', 'same') });
    const real = fromFixture(f.real);
    expect(value(r1Penalty(D, real))).toBeCloseTo(f.penalty, 3);
    const vars = D.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value: v, grads } = tf.variableGrads(() => r1Penalty(D, real), vars);
    expect(v.dataSync()[0]).toBeCloseTo(f.penalty, 3);
    vars.forEach((variable, i) => {
      const ref = f.grads[i] as FixtureTensor | number[];
      const expected = Array.isArray(ref) ? ref : ref.data;
      // variableGrads leaves out a weight the penalty does not reach (conv2's bias): its gradient is 0
      const g = grads[variable.name] ?? tf.zerosLike(variable);
      expectClose(g, expected, 2e-4, 2e-4, `d penalty / d ${variable.name}`);
      if (grads[variable.name] == null) g.dispose();
    });
    // a function discriminator gives the same value
    expect(value(r1Penalty((x) => D.apply(x) as tf.Tensor, real))).toBeCloseTo(f.penalty, 3);
    tf.dispose([real, v, ...Object.values(grads)]);
    expect(() => r1Penalty(D, tf.scalar(1))).toThrow(/real: got shape \[\], expected rank >= 1/);
    expect(() => r1Penalty({} as tfl.LayersModel, tf.zeros([1, 6, 6, 3]))).toThrow(
      /discriminator: got \{\}, expected a tf.LayersModel/,
    );
  });

  it('waveletLoss equals a pywt/numpy pyramid loss (1, 2 and 3 scales, custom weights)', () => {
    const f = fx.wavelet;
    const [p, t] = [fromFixture(f.pred) as tf.Tensor4D, fromFixture(f.target) as tf.Tensor4D];
    for (const c of f.cases)
      expect(value(waveletLoss(p, t, c.options)), JSON.stringify(c.options)).toBeCloseTo(c.loss, 5);
    tf.dispose([p, t]);
  });

  it('waveletLoss: orthonormal Haar — per scale the coefficient L2 equals the image L2; zero for equal images', () => {
    const p = seededTensor([2, 8, 8, 3], 1) as tf.Tensor4D;
    const t = seededTensor([2, 8, 8, 3], 2) as tf.Tensor4D;
    const pixel = value(waveletLoss(p, t, { levels: 2, l1: 0, pixel: 1, wavelet: 0 }));
    const wav = value(waveletLoss(p, t, { levels: 2, l1: 0, pixel: 0, wavelet: 1 }));
    expect(wav).toBeCloseTo(pixel, 5);
    expect(value(waveletLoss(p, p, { levels: 3 }))).toBe(0);
    // level 0 alone with l1 only: the image term is reconstructionLoss('l1')
    const l1 = value(waveletLoss(p, t, { levels: 1, l2: 0, wavelet: 0 }));
    expect(l1).toBeCloseTo(value(reconstructionLoss(p, t, 'l1')), 6);
    // generic values: no coefficient difference within the finite-difference step of L1's kink
    const small = tf.randomUniform<tf.Rank.R4>([1, 4, 4, 1], -1, 1, 'float32', 2);
    const at = tf.randomUniform([1, 4, 4, 1], -1, 1, 'float32', 3);
    checkGradient((x) => waveletLoss(x as tf.Tensor4D, small, { levels: 2 }), at, 1e-3, 2e-3, 'wavelet');
    expect(() => waveletLoss(p, t, { levels: 4 })).toThrow(
      /predImages: got shape \[2,8,8,3\], expected height and width divisible by 2\^levels = 16/,
    );
    expect(() => waveletLoss(p, t, { l1: -1 })).toThrow(/options.l1: got -1, expected a finite number >= 0/);
    expect(() => waveletLoss(p, t, { levels: 1, lambda: 2 } as never)).toThrow(/options.lambda/);
    tf.dispose([p, t, small, at]);
  });

  it('perceptualLoss on a two-layer extractor equals PyTorch (l1 and l2, weights [1, 0.5]); the extractor is untouched', async () => {
    const f = fx.perceptual;
    const input = tfl.input({ shape: [8, 8, 3] });
    const c1 = fixtureConv(input, 'c1', f.c1, 'relu', 'valid');
    const c2 = fixtureConv(c1, 'c2', f.c2, 'relu', 'valid');
    const head = tfl.layers.flatten().apply(c2) as tfl.SymbolicTensor;
    const extractor = tfl.model({ inputs: input, outputs: head });
    const [p, t] = [fromFixture(f.pred), fromFixture(f.target)];
    const before = extractor.getWeights().map((w) => Array.from(w.dataSync()));
    const l1 = perceptualLoss(extractor, { layers: ['c1', 'c2'], weights: [1, 0.5] });
    const l2 = perceptualLoss(extractor, { layers: ['c1', 'c2'], weights: [1, 0.5], norm: 'l2' });
    expect(value(l1(p, t))).toBeCloseTo(f.l1, 5);
    expect(value(l2(p, t))).toBeCloseTo(f.l2, 5);
    await expectNoLeak(() => value(l1(p, t)));
    // gradients reach the prediction, not the extractor's weights (they are not in the varList)
    const g = tf.grad((x: tf.Tensor) => l1(x, t))(p);
    expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    expect(extractor.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    expect(() => perceptualLoss(extractor, { layers: ['c9'] })).toThrow(
      /options.layers: got 'c9', expected the name of a layer of extractor/,
    );
    expect(() => perceptualLoss(extractor, { layers: ['c1'], weights: [1, 2] })).toThrow(/options.weights.*1 numbers/);
    expect(() => perceptualLoss(extractor, { layers: ['c1'], norm: 'l3' as 'l1' })).toThrow(/options.norm/);
    const wrong = tf.zeros([2, 8, 8, 4]);
    expect(() => l1(wrong, wrong)).toThrow(
      /pred: got shape \[2,8,8,4\], expected the extractor's single input \[any,8,8,3\]/,
    );
    tf.dispose([p, t, g, wrong]);
  });

  it('no loss leaks tensors, also inside tf.tidy', async () => {
    const a = seededTensor([2, 4, 4, 3], 1) as tf.Tensor4D;
    const b = seededTensor([2, 4, 4, 3], 2) as tf.Tensor4D;
    await expectNoLeak(() => {
      tf.tidy(() => {
        reconstructionLoss(a, b, 'charbonnier');
        kernelAlignmentLoss(a, b);
        waveletLoss(a, b, { levels: 2 });
        ganLoss('hinge').discriminator(a, b);
      });
      value(ganLoss('lsgan').generator(a));
      value(waveletLoss(a, b));
    });
    tf.dispose([a, b]);
  });
});
