import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../util/index.js';
import type { DistillBatch, TeacherOutputs } from './batch.js';
import { applyDiffAugment, drawDiffAugment, type DiffAugmentDraw } from './diff_augment.js';
import type { ResolvedLosses } from './distiller_options.js';
import { featureDistillationLoss } from './feature_distillation_loss.js';
import type { FeatureMapper } from './feature_mapper.js';
import type { GanLoss } from './gan_loss.js';
import { applyInOrder, clipGradients, globalNorm, orderedGradients } from './gradients.js';
import { kernelAlignmentLoss } from './kernel_alignment_loss.js';
import type { PerceptualLoss } from './perceptual_loss.js';
import { reconstructionLoss } from './reconstruction_loss.js';
import type { TeacherRunner } from './teacher_runner.js';
import { waveletLoss } from './wavelet_loss.js';

/** The loss terms a step can report, in the order they are read back. */
export const TERMS = ['recon', 'output', 'distill', 'gan', 'perceptual', 'wavelet'] as const;

/** One of the generator's loss terms. */
export type TermName = (typeof TERMS)[number];

/**
 * What one {@link Distiller.trainStep} did: the generator's weighted total, every loss term
 * before its weight, the gradient norms before clipping, and the sub-network trained. Terms that
 * are not configured are absent.
 */
export interface StepRecord {
  /** The step (0-based) this record is of. */
  step: number;
  /** The generator's loss: Σ weight · term. */
  total: number;
  /** Reconstruction loss (unweighted). */
  recon: number;
  /** Reconstruction of the teacher's output in paired training (unweighted). */
  output?: number;
  /** Feature distillation, summed over the pairs (unweighted). */
  distill?: number;
  /** The generator's adversarial loss (unweighted). */
  gan?: number;
  /** Perceptual loss (unweighted). */
  perceptual?: number;
  /** Pixel + wavelet loss (unweighted). */
  wavelet?: number;
  /** The discriminator's loss. */
  discriminator?: number;
  /** Global L2 norm of the generator's gradients (student and mappers), before clipping. */
  gradNorm: number;
  /** Global L2 norm of the discriminator's gradients, before clipping. */
  discriminatorGradNorm?: number;
  /** The sub-network trained (with a sampler). */
  subnet?: Record<string, { outChannels?: number; kernelSize?: number }>;
}

/** Everything one step works with; the Distiller owns it. */
export interface StepParts {
  runner: TeacherRunner;
  studentTap: tfl.LayersModel;
  pairs: readonly [string, string][];
  studentIndex: readonly number[];
  mappers: readonly (FeatureMapper | null)[];
  paired: boolean;
  losses: ResolvedLosses;
  gan: GanLoss | null;
  perceptual: PerceptualLoss | null;
  discriminator: tfl.LayersModel | null;
  generatorVars: readonly tf.Variable[];
  discriminatorVars: readonly tf.Variable[];
  generatorOptimizer: tf.Optimizer;
  discriminatorOptimizer: tf.Optimizer | null;
  clipGradNorm: number | null;
}

const sameSize = (a: tf.Tensor, b: tf.Tensor): boolean => a.shape[1] === b.shape[1] && a.shape[2] === b.shape[2];

/** The teacher features the pairs read, checked against what the batch carries. */
function pairedTeacherFeatures(parts: StepParts, teacher: TeacherOutputs, cached: boolean): tf.Tensor[] {
  return parts.pairs.map(([t], i) => {
    const f = teacher.features[t];
    if (!(f instanceof tf.Tensor))
      throw new ConfigError(
        cached ? 'batch.teacher.features' : 'teacher features',
        Object.keys(teacher.features),
        `the feature of teacher layer '${t}' (options.featurePairs[${i}]); cache the teacher with these features`,
      );
    return f;
  });
}

/** The discriminator's input for `image`: the image, or input ‖ image for a conditional D. */
function discriminatorInput(
  parts: StepParts,
  input: tf.Tensor,
  image: tf.Tensor,
  draw: DiffAugmentDraw | null,
): tf.Tensor {
  let x = image;
  if (parts.losses.gan?.conditional === true) {
    if (!sameSize(input, image))
      throw new ShapeError(
        'batch.input',
        input.shape,
        `the height and width of the images, [${image.shape.join(',')}] (a conditional discriminator concatenates them)`,
      );
    x = tf.concat([input, image], 3);
  }
  return draw == null ? x : applyDiffAugment(x as tf.Tensor4D, draw);
}

/**
 * One distillation step: the teacher (unless the batch carries its results), the student's
 * forward and backward pass with every configured term, the discriminator's step on the detached
 * student output, gradient clipping, both optimizers, and one read-back of every reported scalar.
 * The generator's adversarial term uses the discriminator before this step's update, so the
 * student runs forward once per step.
 */
export async function distillStep(
  parts: StepParts,
  batch: DistillBatch,
  step: number,
  seed: number,
): Promise<StepRecord> {
  const cached = batch.teacher != null;
  const teacher = batch.teacher ?? parts.runner.run(batch.input);
  const owned: tf.Tensor[] = cached ? [] : [teacher.output, ...Object.values(teacher.features)];
  const scratch: tf.Tensor[] = [];
  try {
    const tFeatures = pairedTeacherFeatures(parts, teacher, cached);
    const target = parts.paired ? (batch.target as tf.Tensor) : teacher.output;
    const { losses, gan, discriminator: D } = parts;
    const terms: Partial<Record<TermName, tf.Scalar>> = {};
    const held: { fake: tf.Tensor | null; draw: DiffAugmentDraw | null } = { fake: null, draw: null };

    const { value: total, grads } = tf.variableGrads(() => {
      const out = parts.studentTap.apply(batch.input, { training: true }) as tf.Tensor | tf.Tensor[];
      const [y, ...sFeatures] = (Array.isArray(out) ? out : [out]) as [tf.Tensor, ...tf.Tensor[]];
      if (!tf.util.arraysEqual(y.shape, target.shape))
        throw new ShapeError(
          'student output',
          y.shape,
          `the shape of ${parts.paired ? 'batch.target' : "the teacher's output"}, [${target.shape.join(',')}]`,
        );
      const add = (name: TermName, value: tf.Scalar, weight: number, sum: tf.Tensor): tf.Tensor => {
        terms[name] = tf.keep(value);
        return tf.add(sum, tf.mul(value, weight));
      };
      let sum: tf.Tensor = tf.mul(
        (terms.recon = tf.keep(reconstructionLoss(y, target, losses.recon.type))),
        losses.recon.weight,
      );
      if (losses.output != null)
        sum = add('output', reconstructionLoss(y, teacher.output, losses.output.type), losses.output.weight, sum);
      if (losses.distill != null && parts.pairs.length > 0) {
        const student = parts.pairs.map((_, i) => sFeatures[parts.studentIndex[i] as number] as tf.Tensor);
        student.forEach((s, i) => {
          const t = tFeatures[i] as tf.Tensor;
          const ok = losses.distill?.type === 'ka' ? s.shape[0] === t.shape[0] : sameSize(s, t);
          if (!ok)
            throw new ShapeError(
              `options.featurePairs[${i}] ('${parts.pairs[i]?.[0]}' ↔ '${parts.pairs[i]?.[1]}')`,
              s.shape,
              `the ${losses.distill?.type === 'ka' ? 'batch size' : 'height and width'} of the teacher's feature [${t.shape.join(',')}]`,
            );
        });
        const value =
          losses.distill.type === 'ka'
            ? tf.addN(student.map((s, i) => kernelAlignmentLoss(s, tFeatures[i] as tf.Tensor)))
            : featureDistillationLoss(student, tFeatures, parts.mappers, { type: losses.distill.type });
        sum = add('distill', value, losses.distill.weight, sum);
      }
      if (gan != null && D != null && losses.gan != null) {
        held.fake = tf.keep(y);
        const dIn =
          parts.losses.gan?.conditional === true ? [batch.input.shape[3] ?? 0, y.shape[3] ?? 0] : [y.shape[3] ?? 0];
        if (losses.gan.augment != null)
          held.draw = drawDiffAugment([...y.shape.slice(0, 3), dIn.reduce((a, b) => a + b, 0)], {
            policy: losses.gan.augment,
            seed,
          });
        const logits = D.apply(discriminatorInput(parts, batch.input, y, held.draw), { training: true }) as tf.Tensor;
        sum = add('gan', gan.generator(logits), losses.gan.weight, sum);
      }
      if (parts.perceptual != null && losses.perceptual != null)
        sum = add('perceptual', parts.perceptual(y, target), losses.perceptual.weight, sum);
      if (losses.wavelet != null) {
        const { weight, ...options } = losses.wavelet;
        sum = add('wavelet', waveletLoss(y as tf.Tensor4D, target as tf.Tensor4D, options), weight, sum);
      }
      return sum as tf.Scalar;
    }, parts.generatorVars as tf.Variable[]);
    scratch.push(total, ...Object.values(terms));
    if (held.fake != null) scratch.push(held.fake);

    let gGrads = orderedGradients(parts.generatorVars, grads);
    const gNorm = globalNorm(gGrads);
    scratch.push(gNorm);
    if (parts.clipGradNorm != null) gGrads = clipGradients(gGrads, gNorm, parts.clipGradNorm);
    scratch.push(...gGrads.filter((g): g is tf.Tensor => g != null));

    let dLoss: tf.Scalar | null = null;
    let dNorm: tf.Scalar | null = null;
    let dGrads: (tf.Tensor | null)[] = [];
    if (D != null && gan != null && held.fake != null) {
      const fake = held.fake;
      const real = batch.target ?? teacher.output;
      const { value, grads: dg } = tf.variableGrads(() => {
        const r = D.apply(discriminatorInput(parts, batch.input, real, held.draw), { training: true }) as tf.Tensor;
        const f = D.apply(discriminatorInput(parts, batch.input, fake, held.draw), { training: true }) as tf.Tensor;
        return gan.discriminator(r, f);
      }, parts.discriminatorVars as tf.Variable[]);
      dLoss = value;
      dGrads = orderedGradients(parts.discriminatorVars, dg);
      dNorm = globalNorm(dGrads);
      scratch.push(dLoss, dNorm);
      if (parts.clipGradNorm != null) dGrads = clipGradients(dGrads, dNorm, parts.clipGradNorm);
      scratch.push(...dGrads.filter((g): g is tf.Tensor => g != null));
    }

    applyInOrder(parts.generatorOptimizer, parts.generatorVars, gGrads);
    if (parts.discriminatorOptimizer != null && dLoss != null)
      applyInOrder(parts.discriminatorOptimizer, parts.discriminatorVars, dGrads);

    // One read-back for every number the record reports.
    const names = TERMS.filter((n) => terms[n] != null);
    const scalars: tf.Tensor[] = [total, ...names.map((n) => terms[n] as tf.Scalar), gNorm];
    if (dLoss != null && dNorm != null) scalars.push(dLoss, dNorm);
    const stacked = tf.stack(scalars);
    const values = await stacked.data();
    stacked.dispose();
    const record: StepRecord = {
      step,
      total: values[0] as number,
      recon: Number.NaN,
      gradNorm: values[names.length + 1] as number,
    };
    names.forEach((n, i) => (record[n] = values[i + 1] as number));
    if (dLoss != null) {
      record.discriminator = values[names.length + 2];
      record.discriminatorGradNorm = values[names.length + 3];
    }
    return record;
  } finally {
    tf.dispose(scratch);
    tf.dispose(owned);
  }
}
