import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, assertOneOf, ConfigError } from '../util/index.js';
import { assertOptions, assertSameShape } from './checks.js';

/** The distance of {@link reconstructionLoss}. */
export type ReconstructionType = 'l1' | 'l2' | 'charbonnier';

/**
 * The distances {@link reconstructionLoss} offers.
 *
 * @example
 * ```ts
 * RECONSTRUCTION_TYPES.map((type) => reconstructionLoss(realImages, fakeImages, type));
 * ```
 */
export const RECONSTRUCTION_TYPES: readonly ReconstructionType[] = ['l1', 'l2', 'charbonnier'];

/** Options of {@link reconstructionLoss}. */
export interface ReconstructionOptions {
  /** Charbonnier's ε: the loss is mean(√(d² + ε²)). Default 1e-3 (LapSRN). Only 'charbonnier' takes it. */
  epsilon?: number;
}

/**
 * The mean distance between a prediction and its target, over every element:
 * - `'l1'`: mean |p − t| (GAN Compression's default `--recon_loss_type`, PyTorch `F.l1_loss`);
 * - `'l2'`: mean (p − t)² (PyTorch `F.mse_loss`);
 * - `'charbonnier'`: mean √((p − t)² + ε²), a smooth L1 (LapSRN, ESRGAN-style super-resolution).
 *
 * Paired distillation compares the student with the ground truth, pseudo-paired distillation with
 * the teacher's output (GAN Compression §3.1). Differentiable; returns a scalar.
 *
 * @param pred the student's output.
 * @param target the same shape.
 * @param type the distance; default `'l1'`.
 * @throws {@link ShapeError} when the shapes differ; {@link ConfigError} for an unknown `type`.
 *
 * @example
 * ```ts
 * const pred = tf.tensor([[0.5, -1], [2, 0]]);
 * const target = tf.tensor([[0, 0], [0, 0]]);
 * reconstructionLoss(pred, target, 'l1'); // (0.5 + 1 + 2 + 0) / 4 = 0.875
 * ```
 */
export function reconstructionLoss(
  pred: tf.Tensor,
  target: tf.Tensor,
  type: ReconstructionType = 'l1',
  options: ReconstructionOptions = {},
): tf.Scalar {
  assertSameShape('pred', pred, 'target', target);
  assertOneOf('type', type, RECONSTRUCTION_TYPES);
  assertOptions('options', options, ['epsilon']);
  if (options.epsilon !== undefined) {
    if (type !== 'charbonnier')
      throw new ConfigError('options.epsilon', options.epsilon, `no epsilon: only 'charbonnier' takes one`);
    assertFinite('options.epsilon', options.epsilon, { positive: true });
  }
  const epsilon = options.epsilon ?? 1e-3;
  return tf.tidy(() => {
    const d = tf.sub(pred, target);
    if (type === 'l1') return tf.mean(tf.abs(d));
    if (type === 'l2') return tf.mean(tf.square(d));
    return tf.mean(tf.sqrt(tf.add(tf.square(d), epsilon * epsilon)));
  });
}
