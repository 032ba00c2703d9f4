import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Distiller, type FitLog, type StepRecord } from '../../distill/index.js';
import type { SubnetSampler } from '../../nas/index.js';
import { ConfigError, assertFinite, assertInt } from '../../util/index.js';
import { SrCropSampler, type LabelledImage } from './crop_sampler.js';

/** Weights of the training loss terms (0 drops a term). */
export interface UpscalerLossWeights {
  /** L1 to the ground truth. */
  groundTruth: number;
  /** L1 to the teacher's output (needs labelled images). */
  teacher: number;
  /** MSE between the teacher's features and the student's through 1×1 mappers (needs feature pairs). */
  features: number;
}

/** Options of {@link trainUpscaler}. */
export interface TrainUpscalerOptions {
  /** The model to train (a supernet with `sampler`, or one network). Its output is in [0, 1]. */
  student: tfl.LayersModel;
  /** The teacher the labelled images came from (frozen; it does not run: its results are in the images). */
  teacher: tfl.LayersModel;
  /** Training images with the teacher's output and features (see `labelImages`). */
  images: readonly LabelledImage[];
  losses: UpscalerLossWeights;
  /** `[teacherLayer, studentLayer]` pairs for the feature term. Default none. */
  featurePairs?: [string, string][];
  /** Once-for-all training: the sub-network of each step. */
  sampler?: SubnetSampler;
  steps: number;
  /** Crops per step. Default 16. */
  batchSize?: number;
  /** Side of the low-resolution crops. Default 32. */
  lrSize?: number;
  /** Adam's learning rate, decayed to zero along a half cosine over the steps. Default 1e-3. */
  learningRate?: number;
  /** Clip the gradients' global norm. Default 1. */
  clipGradNorm?: number;
  seed: number;
  /** Called with the mean losses every `logEvery` steps. */
  onLog?: (log: FitLog) => void;
  /** Called after every step. */
  onStep?: (record: StepRecord) => void;
  /** Default 10. */
  logEvery?: number;
}

/** What {@link trainUpscaler} did. */
export interface TrainUpscalerResult {
  steps: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** The logged means, in order. */
  logs: FitLog[];
}

/**
 * Trains an upscaler student on crops of labelled images with the `Distiller` — ground-truth reconstruction plus
 * the teacher's output and features as extra targets (GAN Compression's distillation, paired), once-for-all when a
 * sampler is given — with Adam and a cosine learning-rate decay. The teacher does not run: its output and features
 * come with the images. Used for the supernet, for fine-tuning the searched sub-network and for the no-teacher
 * ablation (teacher and feature weights 0).
 *
 * @example
 * ```ts
 * const thick: UpscalerModel = { model: teacher, scale: 4, inputRange: [0, 1], outputRange: [0, 1] }; // see upscale
 * const pairs = [superResolutionPair(tf.randomUniform([256, 256, 3]) as tf.Tensor3D, 4)];
 * const images = await labelImages(thick, pairs, { features: ['GRL'] });
 * const supernet = SuperResidualUpscaler({ channels: 64, hidden: 64, blocks: 8 });
 * const space = SearchSpace.fromModel(supernet, { choices: { multipleOf: 16 } });
 * const result = await trainUpscaler({ student: supernet, teacher: thick.model, images, steps: 1000, seed: 0,
 *   losses: { groundTruth: 1, teacher: 1, features: 0.1 }, featurePairs: [['GRL', 'block7_add']],
 *   sampler: new SandwichSampler(space, { n: 1, seed: 0 }) });
 * ```
 */
export async function trainUpscaler(options: TrainUpscalerOptions): Promise<TrainUpscalerResult> {
  const o = options;
  if (o == null || typeof o !== 'object') throw new ConfigError('options', o, 'the options of trainUpscaler');
  assertInt('options.steps', o.steps, 1);
  const batchSize = o.batchSize ?? 16;
  const lrSize = o.lrSize ?? 32;
  const learningRate = o.learningRate ?? 1e-3;
  assertFinite('options.learningRate', learningRate, { positive: true });
  for (const key of ['groundTruth', 'teacher', 'features'] as const)
    assertFinite(`options.losses.${key}`, o.losses?.[key], { min: 0 });
  const pairs = o.featurePairs ?? [];
  if (o.losses.features > 0 && pairs.length === 0)
    throw new ConfigError('options.featurePairs', pairs, 'feature pairs (options.losses.features is > 0)');
  const crops = new SrCropSampler(o.images, { lrSize, batchSize, seed: o.seed });
  const optimizer = tf.train.adam(learningRate, 0.9, 0.999);
  // The Distiller's reconstruction term is the ground truth; the teacher's output is its own term.
  const distiller = new Distiller({
    teacher: o.teacher,
    student: o.student,
    paired: true,
    featurePairs: o.losses.features > 0 ? pairs : [],
    losses: {
      recon: { type: 'l1', weight: o.losses.groundTruth },
      ...(o.losses.teacher > 0 ? { output: { type: 'l1' as const, weight: o.losses.teacher } } : {}),
      ...(o.losses.features > 0 ? { distill: { type: 'mse' as const, weight: o.losses.features } } : {}),
    },
    optimizers: { generator: optimizer },
    ...(o.sampler === undefined ? {} : { sampler: o.sampler }),
    clipGradNorm: o.clipGradNorm ?? 1,
    seed: o.seed,
  });
  const logs: FitLog[] = [];
  const start = Date.now();
  // Adam's learning rate is a field of the optimizer; set per step for the cosine schedule.
  const setRate = (step: number): void => {
    (optimizer as unknown as { learningRate: number }).learningRate =
      0.5 * learningRate * (1 + Math.cos((Math.PI * Math.min(step, o.steps)) / o.steps));
  };
  try {
    setRate(0);
    await distiller.fit(
      (function* () {
        for (let k = 0; ; k++) yield crops.batch(k);
      })(),
      {
        steps: o.steps,
        logEvery: o.logEvery ?? 10,
        callbacks: {
          onStep: (record) => {
            setRate(record.step + 1);
            o.onStep?.(record);
          },
          onLog: (log) => {
            logs.push(log);
            o.onLog?.(log);
          },
        },
      },
    );
  } finally {
    distiller.dispose();
    optimizer.dispose();
  }
  return { steps: o.steps, seconds: (Date.now() - start) / 1000, logs };
}
