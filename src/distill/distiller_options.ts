import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertFinite, assertInt, assertOneOf, ConfigError } from '../util/index.js';
import type { SubnetSampler } from '../nas/index.js';
import type { PatchGanOptions } from '../models/index.js';
import { assertOptions, assertWeight } from './checks.js';
import { drawDiffAugment } from './diff_augment.js';
import { GAN_LOSS_TYPES, type GanLossType } from './gan_loss.js';
import type { PerceptualNorm } from './perceptual_loss.js';
import { RECONSTRUCTION_TYPES, type ReconstructionType } from './reconstruction_loss.js';
import type { WaveletLossOptions } from './wavelet_loss.js';

/** The feature distance of a {@link Distiller}: GAN Compression's MSE or L1 through mappers, or CAT's kernel alignment. */
export type DistillType = 'mse' | 'l1' | 'ka';

/** The loss terms of a {@link Distiller}; each has a `weight` (λ) and, where there is a choice, a `type`. */
export interface DistillerLosses {
  /** Reconstruction of the ground truth (paired) or of the teacher's output (pseudo-paired). Type default `'l1'`. */
  recon: { type?: ReconstructionType; weight: number };
  /**
   * Paired training only: reconstruction of the teacher's output as a second target beside the ground truth (the
   * teacher's predictions are smoother targets than noisy ground truth, and what "closer to the teacher" measures).
   * Type default `'l1'`. With `paired: false`, `recon` already targets the teacher's output.
   */
  output?: { type?: ReconstructionType; weight: number };
  /** Feature distillation over `featurePairs`. Type default `'mse'` (GAN Compression). Needed when there are pairs. */
  distill?: { type?: DistillType; weight: number };
  /**
   * Adversarial loss against the discriminator. Type default `'hinge'` (GAN Compression).
   * `augment`: a DiffAugment policy applied (one draw per step) to the images the discriminator
   * sees, real and fake; default none. `conditional`: the discriminator sees the input
   * concatenated with the image on the channel axis (pix2pix); default false.
   */
  gan?: { type?: GanLossType; weight: number; augment?: string; conditional?: boolean };
  /** Perceptual loss on a user-supplied extractor ({@link perceptualLoss}), against the reconstruction target. */
  perceptual?: {
    weight: number;
    extractor: tfl.LayersModel;
    layers: string[];
    weights?: number[];
    norm?: PerceptualNorm;
  };
  /** MobileStyleGAN's pixel + wavelet loss ({@link waveletLoss}) against the reconstruction target. */
  wavelet?: { weight: number } & WaveletLossOptions;
}

/** Options of a {@link Distiller}. */
export interface DistillerOptions {
  /** The frozen teacher (one output). Never trained: its weights stay bit-identical. */
  teacher: tfl.LayersModel;
  /** The student (one output of the teacher's shape); a supernet with `sampler`. */
  student: tfl.LayersModel;
  /**
   * A discriminator to train with `losses.gan`: a model to start from (GAN Compression
   * initialises it from the teacher's), or the options of a fresh {@link PatchGanDiscriminator}
   * (its input channels and seed are the Distiller's to set).
   */
  discriminator?: tfl.LayersModel | Omit<PatchGanOptions, 'inputChannels' | 'seed' | 'inputSize'>;
  /** `[teacherLayer, studentLayer]` pairs whose features are distilled (GAN Compression: `down2_relu`, `block3`, ...). */
  featurePairs?: [string, string][];
  /** true: reconstruct the batch's ground truth; false: the teacher's output (pseudo-pairs, GAN Compression's CycleGAN). */
  paired: boolean;
  /** The loss terms and their weights. */
  losses: DistillerLosses;
  /**
   * Optimizers: `generator` (student and mappers) and `discriminator`. Default Adam(2e-4, β 0.5,
   * 0.999) for both, as GAN Compression.
   */
  optimizers?: { generator?: tf.Optimizer; discriminator?: tf.Optimizer };
  /** Once-for-all training: the student is set to `sampler.next(step)` for each step. */
  sampler?: SubnetSampler;
  /** Clip each optimizer's gradients to this global L2 norm (PyTorch's `clip_grad_norm_`). Default none. */
  clipGradNorm?: number;
  /** Seed of everything the Distiller draws (mapper and discriminator initialisation, augmentation). */
  seed: number;
}

const OPTION_KEYS = [
  'teacher',
  'student',
  'discriminator',
  'featurePairs',
  'paired',
  'losses',
  'optimizers',
  'sampler',
  'clipGradNorm',
  'seed',
];
const LOSS_KEYS = ['recon', 'output', 'distill', 'gan', 'perceptual', 'wavelet'];
const WAVELET_KEYS = ['weight', 'levels', 'l1', 'l2', 'pixel', 'wavelet', 'resize'];

/** The checked losses, with types filled in. */
export interface ResolvedLosses {
  recon: { type: ReconstructionType; weight: number };
  output: { type: ReconstructionType; weight: number } | null;
  distill: { type: DistillType; weight: number } | null;
  gan: { type: GanLossType; weight: number; augment: string | null; conditional: boolean } | null;
  perceptual: DistillerLosses['perceptual'] | null;
  wavelet: ({ weight: number } & WaveletLossOptions) | null;
}

/** Checks `losses` (naming the offending field) and fills in the default types. */
export function resolveLosses(losses: unknown, pairs: number, hasDiscriminator: boolean): ResolvedLosses {
  assertOptions('options.losses', losses, LOSS_KEYS);
  const l = losses as DistillerLosses;
  const term = <T extends string>(
    key: string,
    value: unknown,
    keys: string[],
    types: readonly T[] | null,
    fallback: T | null,
  ): { type: T; weight: number } => {
    assertOptions(`options.losses.${key}`, value, keys);
    const v = value as { type?: T; weight: number };
    assertWeight(`options.losses.${key}.weight`, v.weight);
    const type = (v.type ?? fallback) as T;
    if (types != null) assertOneOf(`options.losses.${key}.type`, type, types);
    return { type, weight: v.weight };
  };
  if (l.recon === undefined) throw new ConfigError('options.losses.recon', undefined, '{ type?, weight }');
  const recon = term('recon', l.recon, ['type', 'weight'], RECONSTRUCTION_TYPES, 'l1');
  const output =
    l.output === undefined ? null : term('output', l.output, ['type', 'weight'], RECONSTRUCTION_TYPES, 'l1');
  let distill: ResolvedLosses['distill'] = null;
  if (l.distill !== undefined)
    distill = term('distill', l.distill, ['type', 'weight'], ['mse', 'l1', 'ka'] as const, 'mse');
  else if (pairs > 0)
    throw new ConfigError('options.losses.distill', undefined, '{ type?, weight } (options.featurePairs names pairs)');
  let gan: ResolvedLosses['gan'] = null;
  if (l.gan !== undefined) {
    const g = term('gan', l.gan, ['type', 'weight', 'augment', 'conditional'], GAN_LOSS_TYPES, 'hinge');
    const augment = l.gan.augment ?? null;
    if (augment !== null && typeof augment !== 'string')
      throw new ConfigError(
        'options.losses.gan.augment',
        augment,
        "a DiffAugment policy such as 'color,translation,cutout'",
      );
    if (augment !== null) {
      try {
        drawDiffAugment([1, 1, 1, 1], { policy: augment, seed: 0 }); // checks the policy's names now, not at step 1
      } catch (e) {
        throw new ConfigError('options.losses.gan.augment', augment, (e as Error).message.replace(/^.*expected /, ''));
      }
    }
    const conditional = l.gan.conditional ?? false;
    if (typeof conditional !== 'boolean')
      throw new ConfigError('options.losses.gan.conditional', conditional, 'a boolean');
    if (!hasDiscriminator)
      throw new ConfigError(
        'options.discriminator',
        undefined,
        'a model or PatchGAN options (options.losses.gan needs one)',
      );
    gan = { ...g, augment, conditional };
  } else if (hasDiscriminator) {
    throw new ConfigError(
      'options.losses.gan',
      undefined,
      '{ type?, weight } (a discriminator trains only with a GAN loss)',
    );
  }
  let perceptual: ResolvedLosses['perceptual'] = null;
  if (l.perceptual !== undefined) {
    assertOptions('options.losses.perceptual', l.perceptual, ['weight', 'extractor', 'layers', 'weights', 'norm']);
    assertWeight('options.losses.perceptual.weight', l.perceptual.weight);
    if (!(l.perceptual.extractor instanceof tfl.LayersModel))
      throw new ConfigError('options.losses.perceptual.extractor', l.perceptual.extractor, 'a tf.LayersModel');
    perceptual = l.perceptual;
  }
  let wavelet: ResolvedLosses['wavelet'] = null;
  if (l.wavelet !== undefined) {
    assertOptions('options.losses.wavelet', l.wavelet, WAVELET_KEYS);
    assertWeight('options.losses.wavelet.weight', l.wavelet.weight);
    if (l.wavelet.levels !== undefined) assertInt('options.losses.wavelet.levels', l.wavelet.levels, 1);
    wavelet = l.wavelet;
  }
  return { recon, output, distill, gan, perceptual, wavelet };
}

/** Checks the top-level options that need no model walk. */
export function checkOptions(options: unknown): asserts options is DistillerOptions {
  assertOptions('options', options, OPTION_KEYS);
  const o = options as DistillerOptions;
  if (!(o.teacher instanceof tfl.LayersModel)) throw new ConfigError('options.teacher', o.teacher, 'a tf.LayersModel');
  if (!(o.student instanceof tfl.LayersModel)) throw new ConfigError('options.student', o.student, 'a tf.LayersModel');
  if (o.teacher === o.student)
    throw new ConfigError('options.student', 'the teacher itself', 'a model other than the teacher');
  if (o.student.outputs.length !== 1)
    throw new ConfigError(
      'options.student',
      `a model with ${o.student.outputs.length} outputs`,
      'a model with one output',
    );
  if (typeof o.paired !== 'boolean') throw new ConfigError('options.paired', o.paired, 'true or false');
  assertInt('options.seed', o.seed);
  if (o.clipGradNorm !== undefined) assertFinite('options.clipGradNorm', o.clipGradNorm, { positive: true });
  if (o.featurePairs !== undefined) {
    const ok =
      Array.isArray(o.featurePairs) &&
      o.featurePairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'string'));
    if (!ok)
      throw new ConfigError(
        'options.featurePairs',
        o.featurePairs,
        'an array of [teacherLayer, studentLayer] name pairs',
      );
  }
  if (o.sampler !== undefined) {
    const s = o.sampler as Partial<SubnetSampler> | null;
    if (
      s == null ||
      typeof s.next !== 'function' ||
      typeof s.getState !== 'function' ||
      typeof s.setState !== 'function'
    )
      throw new ConfigError(
        'options.sampler',
        o.sampler,
        'a SubnetSampler { next(step), getState(), setState(state) }',
      );
  }
  if (o.optimizers !== undefined) {
    assertOptions('options.optimizers', o.optimizers, ['generator', 'discriminator']);
    for (const key of ['generator', 'discriminator'] as const) {
      const opt = o.optimizers[key];
      if (opt !== undefined && !(opt instanceof tf.Optimizer))
        throw new ConfigError(`options.optimizers.${key}`, opt, 'a tf.Optimizer (tf.train.adam(...), ...)');
    }
  }
  if (o.discriminator !== undefined && !(o.discriminator instanceof tfl.LayersModel))
    assertOptions('options.discriminator', o.discriminator, ['ndf', 'nLayers', 'norm', 'name']);
}
