import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  Distiller,
  type DistillerOptions,
  MobileResnetGenerator,
  ResnetGenerator,
  SearchSpace,
  SuperMobileResnetGenerator,
  UniformSampler,
} from '../../src/index.js';
import { seededTensor } from '../helpers/tensors.js';

/** A small fixed random teacher: ResnetGenerator ngf 4, one residual block. */
export const smallTeacher = (seed = 1): tfl.LayersModel => ResnetGenerator({ ngf: 4, nBlocks: 1, seed });

/** A small student of the same trunk: MobileResnetGenerator ngf 4, one block. */
export const smallStudent = (seed = 2): tfl.LayersModel => MobileResnetGenerator({ ngf: 4, nBlocks: 1, seed });

/** A small once-for-all student: SuperMobileResnetGenerator ngf 8, one block. */
export const smallSupernet = (seed = 2): tfl.LayersModel => SuperMobileResnetGenerator({ ngf: 8, nBlocks: 1, seed });

/** GAN Compression's distillation points of the small generators. */
export const PAIRS: [string, string][] = [
  ['down2_relu', 'down2_relu'],
  ['block1', 'block1'],
];

/** Deterministic batches `{ input, target }` of [n, size, size, 3] in [-1, 1). */
export function batches(count: number, n = 2, size = 8, seed = 100): { input: tf.Tensor; target: tf.Tensor }[] {
  return Array.from({ length: count }, (_, i) => ({
    input: seededTensor([n, size, size, 3], seed + 2 * i),
    target: seededTensor([n, size, size, 3], seed + 2 * i + 1, 0.5),
  }));
}

/**
 * A Distiller with every part switched on: feature pairs through mappers, a fresh PatchGAN with
 * DiffAugment, a once-for-all student with a uniform sampler, clipping, Adam. Used by the
 * checkpoint tests in this process and in a child process (tests/distill/resume_child.ts), which
 * must build exactly the same thing.
 */
export function fullDistiller(overrides: Partial<DistillerOptions> = {}): Distiller {
  const student = overrides.student ?? smallSupernet();
  return new Distiller({
    teacher: smallTeacher(),
    student,
    featurePairs: PAIRS,
    paired: false,
    discriminator: { ndf: 4, nLayers: 1 },
    losses: {
      recon: { type: 'l1', weight: 10 },
      distill: { weight: 1 },
      gan: { type: 'lsgan', weight: 0.5, augment: 'color,translation,cutout' },
    },
    sampler: new UniformSampler(SearchSpace.fromModel(student, { choices: { multipleOf: 4 } }), { seed: 3 }),
    clipGradNorm: 5,
    seed: 7,
    ...overrides,
  });
}
