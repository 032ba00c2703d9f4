import * as tf from '@tensorflow/tfjs-core';
import { Distiller, MobileResnetGenerator, ResnetGenerator, tapLayers } from '../src/index.js';
import {
  alternatingRounds,
  defineBench,
  disposeAll,
  fmt,
  median,
  status,
  useBackend,
  type BenchTable,
} from './harness.js';

// A distillation step on wasm: GAN Compression's ResNet setup (teacher ResnetGenerator, student
// MobileResnetGenerator at half the width, L1 reconstruction of the teacher's output and MSE on
// four feature pairs through 1×1 mappers, Adam), split into its phases, and the Distiller's step
// against the same step written by hand with tfjs.

/** The measured setup; the suite runs FULL, a smoke test may run a smaller one. */
export interface DistillBenchConfig {
  teacherNgf: number;
  studentNgf: number;
  nBlocks: number;
  batch: number;
  size: number;
  rounds: number;
}

export const FULL: DistillBenchConfig = { teacherNgf: 32, studentNgf: 16, nBlocks: 9, batch: 2, size: 64, rounds: 5 };

const PAIRS = (nBlocks: number): [string, string][] =>
  ['down2_relu', `block${Math.round(nBlocks / 3)}`, `block${Math.round((2 * nBlocks) / 3)}`, `block${nBlocks}`].map(
    (n) => [n, n] as [string, string],
  );

export async function distillTables(c: DistillBenchConfig, progress: (m: string) => void): Promise<BenchTable[]> {
  await useBackend('wasm');
  const teacher = ResnetGenerator({ ngf: c.teacherNgf, nBlocks: c.nBlocks, seed: 1 });
  const student = MobileResnetGenerator({ ngf: c.studentNgf, nBlocks: c.nBlocks, seed: 2 });
  const pairs = PAIRS(c.nBlocks);
  const names = pairs.map((p) => p[0]);
  const x = tf.randomUniform([c.batch, c.size, c.size, 3], -1, 1, 'float32', 3);
  const losses = { recon: { type: 'l1' as const, weight: 10 }, distill: { weight: 1 } };
  const distiller = new Distiller({ teacher, student, featurePairs: pairs, paired: false, losses, seed: 0 });

  // The same step by hand: taps, mappers as raw 1×1 convs, one loss, variableGrads, Adam, one read-back.
  const teacherTap = tapLayers(teacher, names);
  const studentTap = tapLayers(student, names);
  const widthS = 4 * c.studentNgf;
  const widthT = 4 * c.teacherNgf;
  const kernels = pairs.map((_, i) =>
    tf.variable(tf.randomUniform([1, 1, widthS, widthT], -0.1, 0.1, 'float32', 10 + i)),
  );
  const biases = pairs.map(() => tf.variable(tf.zeros([widthT])));
  const vars = [...student.trainableWeights.map((w) => w.read() as tf.Variable), ...kernels, ...biases];
  const adam: tf.Optimizer = tf.train.adam(2e-4, 0.5, 0.999);
  const runTeacher = (): tf.Tensor[] => teacherTap.apply(x, { training: false }) as tf.Tensor[];
  const loss = (t: tf.Tensor[]) => (): tf.Scalar => {
    const [y, ...f] = studentTap.apply(x, { training: true }) as tf.Tensor[];
    let total = tf.mul(tf.mean(tf.abs(tf.sub(y as tf.Tensor, t[0] as tf.Tensor))), 10);
    f.forEach((fi, i) => {
      const mapped = tf.add(
        tf.conv2d(fi as tf.Tensor4D, kernels[i] as tf.Tensor4D, 1, 'valid'),
        biases[i] as tf.Tensor,
      );
      total = tf.add(total, tf.mean(tf.square(tf.sub(mapped, t[i + 1] as tf.Tensor))));
    });
    return total as tf.Scalar;
  };
  const byHand = async (): Promise<void> => {
    const t = runTeacher();
    const { value, grads } = tf.variableGrads(loss(t), vars);
    adam.applyGradients(grads);
    await value.data();
    tf.dispose([...t, value, ...Object.values(grads)]);
  };
  const step = async (): Promise<void> => {
    await distiller.trainStep(x);
  };
  // Phases, each read back: the teacher; the student forward with the losses; forward + backward;
  // one optimizer update (gradients computed once).
  const fixed = runTeacher();
  const cached = {
    input: x,
    teacher: {
      output: fixed[0] as tf.Tensor,
      features: Object.fromEntries(names.map((n, i) => [n, fixed[i + 1] as tf.Tensor])),
    },
  };
  const { grads } = tf.variableGrads(loss(fixed), vars);
  const phases = {
    teacher: () => runTeacher(),
    forward: () => tf.tidy(loss(fixed)),
    forwardBackward: () => {
      const r = tf.variableGrads(loss(fixed), vars);
      return [r.value, ...Object.values(r.grads)];
    },
    optimizer: () => {
      adam.applyGradients(grads);
      return tf.clone(vars[vars.length - 1] as tf.Tensor);
    },
    distillerStep: step,
    cachedStep: async (): Promise<void> => {
      await distiller.trainStep(cached);
    },
    handStep: byHand,
  };
  for (let i = 0; i < 2; i++) {
    await byHand();
    await step();
  }
  progress('phases and steps (alternating rounds)');
  const round = { minRuns: 3, maxRuns: 20, minTotalMs: 500, warmup: 1 };
  const t = await alternatingRounds(phases, { ...round, rounds: c.rounds });
  const ms = (k: keyof typeof phases): number => median(t[k]);
  const backward = median(t.forwardBackward.map((fb, r) => fb - (t.forward[r] as number)));
  const overhead = median(t.distillerStep.map((s, r) => s / (t.handStep[r] as number) - 1));
  const rows: (string | number)[][] = [
    ['teacher forward', fmt(ms('teacher')), fmt((100 * ms('teacher')) / ms('distillerStep'), 0) + ' %'],
    ['student forward + losses', fmt(ms('forward')), fmt((100 * ms('forward')) / ms('distillerStep'), 0) + ' %'],
    ['student backward', fmt(backward), fmt((100 * backward) / ms('distillerStep'), 0) + ' %'],
    ['optimizer (Adam)', fmt(ms('optimizer')), fmt((100 * ms('optimizer')) / ms('distillerStep'), 0) + ' %'],
    ['Distiller.trainStep', fmt(ms('distillerStep')), '100 %'],
    [
      'Distiller.trainStep, teacher cached',
      fmt(ms('cachedStep')),
      fmt((100 * ms('cachedStep')) / ms('distillerStep'), 0) + ' %',
    ],
    ['the same step by hand', fmt(ms('handStep')), fmt((100 * ms('handStep')) / ms('distillerStep'), 0) + ' %'],
  ];
  const setup = `teacher ResnetGenerator ngf ${c.teacherNgf} (${teacher.countParams().toLocaleString('en')} parameters), student MobileResnetGenerator ngf ${c.studentNgf} (${student.countParams().toLocaleString('en')}), ${c.nBlocks} blocks, batch ${c.batch} × ${c.size}² × 3`;

  distiller.dispose();
  disposeAll(x, ...fixed, ...kernels, ...biases, ...Object.values(grads));
  adam.dispose();
  return [
    {
      title: 'A distillation step on wasm, by phase (ms)',
      columns: ['phase', 'median ms', 'share of the step'],
      rows,
      notes: [
        setup,
        'Losses: L1 reconstruction of the teacher output (weight 10) + MSE on 4 feature pairs (down2_relu, blocks 3, 6, 9) through 1×1 mappers; Adam(2e-4, 0.5, 0.999).',
        'Phases are timed with their read-back; backward = (forward + backward) − forward, per round. The cached step is trainStep on a batch carrying the teacher output and features (cacheTeacher).',
        `${c.rounds} alternating rounds; medians.`,
      ],
    },
    {
      title: 'Distiller overhead against the same step written by hand',
      columns: ['step', 'Distiller ms', 'by hand ms', 'overhead', 'target ≤ 10 %'],
      rows: [
        [
          'teacher + student + Adam',
          fmt(ms('distillerStep')),
          fmt(ms('handStep')),
          fmt(100 * overhead, 1) + ' %',
          status(overhead <= 0.1),
        ],
      ],
      notes: [
        'The Distiller also computes the gradients’ global norm and reads back every term with it in one transfer; the hand-written step reads back the total only.',
        'Overhead = median over rounds of (Distiller / by hand − 1).',
      ],
    },
  ];
}

export default defineBench('Distillation', (progress) => distillTables(FULL, progress));
