import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  ConfigError,
  Distiller,
  drawDiffAugment,
  applyDiffAugment,
  featureDistillationLoss,
  ganLoss,
  getSubnet,
  kernelAlignmentLoss,
  MobileResnetGenerator,
  PatchGanDiscriminator,
  perceptualLoss,
  reconstructionLoss,
  ResnetGenerator,
  ShapeError,
  type SubnetSampler,
  tapLayers,
  waveletLoss,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';
import { batches, PAIRS, smallStudent, smallSupernet, smallTeacher } from './setup.js';

const snapshot = (m: tfl.LayersModel | tfl.layers.Layer): number[][] =>
  m.weights.map((w) => Array.from(w.read().dataSync()));

describeBackends('Distiller', () => {
  it('gradients reach the student, every mapper and the discriminator, never the teacher: its weights stay bit-identical', async () => {
    const teacher = smallTeacher();
    const student = smallStudent();
    const d = new Distiller({
      teacher,
      student,
      featurePairs: PAIRS,
      paired: false,
      discriminator: { ndf: 4, nLayers: 1 },
      losses: { recon: { weight: 1 }, distill: { weight: 1 }, gan: { weight: 1 } },
      seed: 1,
    });
    const t0 = snapshot(teacher);
    const s0 = snapshot(student);
    const m0 = d.mappers.map((m) => snapshot(m as tfl.layers.Layer));
    const d0 = snapshot(d.discriminator as tfl.LayersModel);
    for (const b of batches(2)) await d.trainStep(b.input);
    expect(snapshot(teacher), 'teacher').toEqual(t0);
    // every student layer with weights, both mappers and the discriminator moved
    const s1 = snapshot(student);
    const layersMoved = student.layers
      .filter((l) => l.weights.length > 0)
      .every((l) =>
        l.weights.some(
          (w) => !tf.util.arraysEqual(Array.from(w.read().dataSync()), s0[student.weights.indexOf(w)] as number[]),
        ),
      );
    expect(layersMoved, 'every student layer trained').toBe(true);
    expect(s1).not.toEqual(s0);
    d.mappers.forEach((m, i) => expect(snapshot(m as tfl.layers.Layer), `mapper ${i}`).not.toEqual(m0[i]));
    expect(snapshot(d.discriminator as tfl.LayersModel)).not.toEqual(d0);
    // the generator optimizer holds slots for the student and the mappers only (Adam: m and v)
    const slots: { name: string }[] = await d.optimizers.generator.getWeights();
    const nGen = student.trainableWeights.length + d.mappers.reduce((n, m) => n + (m?.trainableWeights.length ?? 0), 0);
    expect(slots.length).toBe(1 + 2 * nGen);
    const teacherVars = new Set(teacher.weights.map((w) => (w.read() as tf.Variable).name));
    expect(slots.some((s) => teacherVars.has(s.name.replace(/\/[mv]$/, '')))).toBe(false);
    d.dispose();
  });

  it('pseudo-paired: each reported term equals the loss computed independently before the step; total = Σ weight · term', async () => {
    const teacher = smallTeacher();
    const student = smallStudent();
    const d = new Distiller({
      teacher,
      student,
      featurePairs: PAIRS,
      paired: false,
      discriminator: { ndf: 4, nLayers: 1 },
      losses: { recon: { type: 'l2', weight: 3 }, distill: { weight: 0.5 }, gan: { type: 'lsgan', weight: 0.25 } },
      seed: 2,
    });
    const x = seededTensor([2, 8, 8, 3], 11);
    const expected = tf.tidy(() => {
      const [ty, ...tf_] = tapLayers(teacher, ['down2_relu', 'block1']).predict(x) as tf.Tensor[];
      const [sy, ...sf] = tapLayers(student, ['down2_relu', 'block1']).predict(x) as tf.Tensor[];
      const D = d.discriminator as tfl.LayersModel;
      const gan = ganLoss('lsgan');
      return [
        reconstructionLoss(sy as tf.Tensor, ty as tf.Tensor, 'l2'),
        featureDistillationLoss(sf, tf_, d.mappers),
        gan.generator(D.apply(sy as tf.Tensor, { training: true }) as tf.Tensor),
        gan.discriminator(
          D.apply(ty as tf.Tensor, { training: true }) as tf.Tensor,
          D.apply(sy as tf.Tensor, { training: true }) as tf.Tensor,
        ),
      ].map((t) => t.dataSync()[0] as number);
    });
    const r = await d.trainStep(x);
    const [recon, distill, gan, disc] = expected as [number, number, number, number];
    expect(r.recon).toBeCloseTo(recon, 5);
    expect(r.distill).toBeCloseTo(distill, 4);
    expect(r.gan).toBeCloseTo(gan, 5);
    expect(r.discriminator).toBeCloseTo(disc, 5);
    expect(r.total).toBeCloseTo(3 * recon + 0.5 * distill + 0.25 * gan, 4);
    expect(r.step).toBe(0);
    expect(d.step).toBe(1);
    expect(r.gradNorm).toBeGreaterThan(0);
    expect(r.discriminatorGradNorm).toBeGreaterThan(0);
    expect(Object.keys(r).sort()).toEqual([
      'discriminator',
      'discriminatorGradNorm',
      'distill',
      'gan',
      'gradNorm',
      'recon',
      'step',
      'total',
    ]);
    tf.dispose(x);
    d.dispose();
  });

  it('paired: reconstructs batch.target (and the discriminator takes it as real); DiffAugment draws once per step for both', async () => {
    const teacher = smallTeacher();
    const student = smallStudent();
    const d = new Distiller({
      teacher,
      student,
      paired: true,
      discriminator: PatchGanDiscriminator({ ndf: 4, nLayers: 1, inputChannels: 6, seed: 9 }),
      losses: {
        recon: { weight: 1 },
        gan: { type: 'hinge', weight: 1, augment: 'translation,cutout', conditional: true },
      },
      seed: 3,
    });
    const [b] = batches(1) as [{ input: tf.Tensor; target: tf.Tensor }];
    // the Distiller's first draw comes from the seed it draws from Random(3)
    const { Random } = await import('../../src/index.js');
    const seed = new Random(3).nextUint32();
    const expected = tf.tidy(() => {
      const y = student.predict(b.input) as tf.Tensor;
      const draw = drawDiffAugment([2, 8, 8, 6], { policy: 'translation,cutout', seed });
      const D = d.discriminator as tfl.LayersModel;
      const logits = (img: tf.Tensor): tf.Tensor =>
        D.apply(applyDiffAugment(tf.concat([b.input, img], 3) as tf.Tensor4D, draw), { training: true }) as tf.Tensor;
      const gan = ganLoss('hinge');
      return [
        reconstructionLoss(y, b.target),
        gan.generator(logits(y)),
        gan.discriminator(logits(b.target), logits(y)),
      ].map((t) => t.dataSync()[0] as number);
    });
    const r = await d.trainStep(b);
    expect(r.recon).toBeCloseTo(expected[0] as number, 5);
    expect(r.gan).toBeCloseTo(expected[1] as number, 5);
    expect(r.discriminator).toBeCloseTo(expected[2] as number, 5);
    expect(r.distill).toBeUndefined();
    await expect(d.trainStep(b.input)).rejects.toThrow(
      /batch.target: got undefined, expected the ground truth \(options.paired is true\)/,
    );
    d.dispose();
  });

  it('clipGradNorm: with SGD the update is lr · min(‖g‖, c) in global L2 norm; gradNorm is reported before clipping', async () => {
    for (const clip of [1e-3, undefined]) {
      const student = smallStudent();
      const d = new Distiller({
        teacher: smallTeacher(),
        student,
        featurePairs: PAIRS,
        paired: false,
        losses: { recon: { weight: 1 }, distill: { weight: 1 } },
        optimizers: { generator: tf.train.sgd(0.1) },
        seed: 4,
        ...(clip === undefined ? {} : { clipGradNorm: clip }),
      });
      const before = [...snapshot(student), ...d.mappers.flatMap((m) => snapshot(m as tfl.layers.Layer))];
      const r = await d.trainStep(seededTensor([2, 8, 8, 3], 12));
      const after = [...snapshot(student), ...d.mappers.flatMap((m) => snapshot(m as tfl.layers.Layer))];
      let sq = 0;
      before.forEach((w, i) => w.forEach((v, j) => (sq += ((after[i]?.[j] as number) - v) ** 2)));
      const expected = 0.1 * Math.min(r.gradNorm, clip ?? Number.POSITIVE_INFINITY);
      expect(r.gradNorm).toBeGreaterThan(1e-2);
      expect(Math.sqrt(sq) / expected).toBeCloseTo(1, 3);
      d.dispose();
    }
  });

  it("kernel alignment ('ka') needs no mappers; perceptual and wavelet terms equal their functions", async () => {
    const teacher = smallTeacher();
    const student = smallStudent();
    const input = tfl.input({ shape: [8, 8, 3] });
    const c1 = tfl.layers
      .conv2d({
        name: 'p1',
        filters: 2,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tfl.initializers.randomNormal({ seed: 1 }),
      })
      .apply(input);
    const extractor = tfl.model({ inputs: input, outputs: c1 as tfl.SymbolicTensor });
    const d = new Distiller({
      teacher,
      student,
      featurePairs: [['block1', 'stem_relu']], // different widths and sizes: fine for kernel alignment
      paired: false,
      losses: {
        recon: { weight: 1 },
        distill: { type: 'ka', weight: 2 },
        perceptual: { weight: 1, extractor, layers: ['p1'] },
        wavelet: { weight: 1, levels: 2 },
      },
      seed: 5,
    });
    expect(d.mappers).toEqual([null]);
    const x = seededTensor([3, 8, 8, 3], 13);
    const expected = tf.tidy(() => {
      const [ty, tb] = tapLayers(teacher, ['block1']).predict(x) as tf.Tensor[];
      const [sy, ss] = tapLayers(student, ['stem_relu']).predict(x) as tf.Tensor[];
      return [
        kernelAlignmentLoss(ss as tf.Tensor, tb as tf.Tensor),
        perceptualLoss(extractor, { layers: ['p1'] })(sy as tf.Tensor, ty as tf.Tensor),
        waveletLoss(sy as tf.Tensor4D, ty as tf.Tensor4D, { levels: 2 }),
      ].map((t) => t.dataSync()[0] as number);
    });
    const r = await d.trainStep(x);
    expect(r.distill).toBeCloseTo(expected[0] as number, 5);
    expect(r.perceptual).toBeCloseTo(expected[1] as number, 5);
    expect(r.wavelet).toBeCloseTo(expected[2] as number, 5);
    tf.dispose(x);
    d.dispose();
  });

  it('a given discriminator is trained in place; wrong input channels are refused', async () => {
    const D = PatchGanDiscriminator({ ndf: 4, nLayers: 1, seed: 5 });
    const before = snapshot(D);
    const d = new Distiller({
      teacher: smallTeacher(),
      student: smallStudent(),
      discriminator: D,
      paired: false,
      losses: { recon: { weight: 1 }, gan: { weight: 1 } },
      seed: 6,
    });
    expect(d.discriminator).toBe(D);
    await d.trainStep(seededTensor([1, 8, 8, 3], 14));
    expect(snapshot(D)).not.toEqual(before);
    d.dispose();
    expect(D.weights[0]?.read().isDisposed).toBe(false); // the caller's model is not disposed
    expect(
      () =>
        new Distiller({
          teacher: smallTeacher(),
          student: smallStudent(),
          discriminator: PatchGanDiscriminator({ ndf: 4, nLayers: 1, inputChannels: 6 }),
          paired: false,
          losses: { recon: { weight: 1 }, gan: { weight: 1 } },
          seed: 6,
        }),
    ).toThrow(/options.discriminator input: got shape \[,,,6\], expected 3 channels \(the student's output\)/);
  });

  it('bad input: unknown or shape-incompatible feature pairs, other output shapes, a refused sampler config — errors name them', async () => {
    const base = { teacher: smallTeacher(), student: smallStudent(), paired: false, seed: 0 };
    const losses = { recon: { weight: 1 }, distill: { weight: 1 } };
    expect(() => new Distiller({ ...base, featurePairs: [['block9', 'block1']], losses })).toThrow(
      /options.featurePairs\[0\]\[0\]: got 'block9', expected a layer of the teacher 'resnet_generator'/,
    );
    expect(() => new Distiller({ ...base, featurePairs: [['block1', 'nope']], losses })).toThrow(
      /options.featurePairs\[0\]\[1\]: got 'nope', expected a layer of the student 'mobile_resnet_generator'/,
    );
    // sizes known from the models' fixed input: refused at construction
    const fixedT = ResnetGenerator({ ngf: 4, nBlocks: 1, inputSize: [8, 8] });
    const fixedS = MobileResnetGenerator({ ngf: 4, nBlocks: 1, inputSize: [8, 8] });
    expect(
      () =>
        new Distiller({ ...base, teacher: fixedT, student: fixedS, featurePairs: [['block1', 'stem_relu']], losses }),
    ).toThrow(
      /options.featurePairs\[0\] \('block1' ↔ 'stem_relu'\): got shape \[,8,8,4\], expected a student feature that maps onto the teacher's \[,2,2,16\]/,
    );
    // sizes unknown until the first batch: refused by the step, which changes nothing
    const d = new Distiller({ ...base, featurePairs: [['down2_relu', 'down1_relu']], losses });
    await expect(d.trainStep(seededTensor([1, 8, 8, 3], 1))).rejects.toThrow(ShapeError);
    await expect(d.trainStep(seededTensor([1, 8, 8, 3], 1))).rejects.toThrow(
      /options.featurePairs\[0\] \('down2_relu' ↔ 'down1_relu'\): got shape \[1,4,4,8\]/,
    );
    expect(d.step).toBe(0);
    d.dispose();
    // widths mismatch without a mapper cannot happen, but output shapes can
    expect(
      () =>
        new Distiller({ ...base, student: MobileResnetGenerator({ ngf: 4, nBlocks: 1, outputChannels: 1 }), losses }),
    ).toThrow(/options.student output: got shape \[,,,1\], expected the teacher's output shape \[,,,3\]/);
    // a sampler whose config the student refuses
    const supernet = smallSupernet();
    let calls = 0;
    const bad: SubnetSampler = {
      next: () => (calls++ === 0 ? { stem_conv: { outChannels: 99 } } : { stem_conv: { outChannels: 4 } }),
      getState: () => ({ kind: 'test', calls }),
      setState: () => undefined,
    };
    const ds = new Distiller({ ...base, student: supernet, featurePairs: PAIRS, sampler: bad, losses });
    await expect(ds.trainStep(seededTensor([1, 8, 8, 3], 2))).rejects.toThrow(
      /options.sampler.next\(0\): got \{"stem_conv":\{"outChannels":99\}\}, expected a sub-network the student accepts \(stem_conv.outChannels: got 99/,
    );
    expect(ds.step).toBe(0);
    const before = getSubnet(supernet);
    const ok = await ds.trainStep(seededTensor([1, 8, 8, 3], 2));
    expect(ok.subnet).toEqual({ stem_conv: { outChannels: 4 } });
    expect(getSubnet(supernet)).toEqual(before); // the step ran at the sampled sub-network, then restored it
    ds.dispose();
    // options
    expect(() => new Distiller({ ...base, losses: { recon: { weight: 1 }, gan: { weight: 1 } } })).toThrow(
      /options.discriminator: got undefined/,
    );
    expect(() => new Distiller({ ...base, discriminator: { ndf: 4 }, losses: { recon: { weight: 1 } } })).toThrow(
      /options.losses.gan: got undefined/,
    );
    expect(() => new Distiller({ ...base, featurePairs: PAIRS, losses: { recon: { weight: 1 } } })).toThrow(
      /options.losses.distill/,
    );
    expect(() => new Distiller({ ...base, losses: { recon: { weight: -1 } } })).toThrow(
      /options.losses.recon.weight: got -1/,
    );
    expect(() => new Distiller({ ...base, losses, lr: 1 } as never)).toThrow(
      /options.lr: got 1, expected no such option/,
    );
    expect(
      () =>
        new Distiller({
          ...base,
          discriminator: { ndf: 4 },
          losses: { recon: { weight: 1 }, gan: { weight: 1, augment: 'color,rotate' } },
        }),
    ).toThrow(
      /options.losses.gan.augment: got 'color,rotate', expected comma-separated names from color, translation, cutout \('rotate' is not one\)/,
    );
    expect(() => new Distiller({ ...base, losses, student: base.teacher })).toThrow(ConfigError);
    const noFeatures = new Distiller({ ...base, featurePairs: PAIRS, losses });
    const x = seededTensor([1, 8, 8, 3], 3);
    const cachedWithout = { input: x, teacher: { output: smallTeacher().predict(x) as tf.Tensor, features: {} } };
    await expect(noFeatures.trainStep(cachedWithout)).rejects.toThrow(
      /batch.teacher.features: got \[\], expected the feature of teacher layer 'down2_relu'/,
    );
    noFeatures.dispose();
  });
});
