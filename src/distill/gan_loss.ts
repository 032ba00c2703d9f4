import * as tf from '@tensorflow/tfjs-core';
import { assertOneOf } from '../util/index.js';
import { assertFloatTensor } from './checks.js';

/** The adversarial objectives {@link ganLoss} offers. */
export type GanLossType = 'lsgan' | 'vanilla' | 'hinge' | 'nonSaturating';

/**
 * The objectives {@link ganLoss} offers.
 *
 * @example
 * ```ts
 * const losses = GAN_LOSS_TYPES.map((type) => ganLoss(type));
 * ```
 */
export const GAN_LOSS_TYPES: readonly GanLossType[] = ['lsgan', 'vanilla', 'hinge', 'nonSaturating'];

/** The two sides of an adversarial objective, as {@link ganLoss} returns them. */
export interface GanLoss {
  /** Which objective. */
  readonly type: GanLossType;
  /** The generator's (student's) loss from the discriminator's logits on its output. */
  generator(fakeLogits: tf.Tensor): tf.Scalar;
  /** The discriminator's loss from its logits on real and on generated images. */
  discriminator(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
}

/**
 * An adversarial objective on raw discriminator logits (any shape: PatchGAN maps are averaged
 * over every element). The four follow the reference implementations:
 *
 * | type | generator | discriminator |
 * |---|---|---|
 * | `'lsgan'` (CycleGAN, GAN Compression horse2zebra) | mean (f − 1)² | ½·[mean (r − 1)² + mean f²] |
 * | `'vanilla'` (pix2pix's BCE) | mean softplus(−f) | ½·[mean softplus(−r) + mean softplus(f)] |
 * | `'hinge'` (GAN Compression's default, SPADE) | −mean f | ½·[mean relu(1 − r) + mean relu(1 + f)] |
 * | `'nonSaturating'` (StyleGAN2, MobileStyleGAN) | mean softplus(−f) | mean softplus(−r) + mean softplus(f) |
 *
 * pix2pix's "vanilla" generator loss is binary cross-entropy against the label *real*, which is
 * already Goodfellow's non-saturating heuristic; `'vanilla'` and `'nonSaturating'` differ only in
 * the ½ GAN Compression puts on its discriminator loss (`L_D = 0.5·(fake + real)`).
 *
 * @throws {@link ConfigError} for an unknown type; the returned functions throw it for a tensor
 *   that is not float32.
 *
 * @example
 * ```ts
 * const gan = ganLoss('hinge');
 * const d = gan.discriminator(tf.tensor([2, 0.5]), tf.tensor([-2, 0])); // ½·[(0 + 0.5)/2 + (0 + 1)/2] = 0.375
 * const g = gan.generator(tf.tensor([-2, 0]));                          // 1
 * ```
 */
export function ganLoss(type: GanLossType): GanLoss {
  assertOneOf('type', type, GAN_LOSS_TYPES);
  const check = (name: string, x: tf.Tensor): void => assertFloatTensor(name, x);
  const half = type !== 'nonSaturating';
  const generator = (fakeLogits: tf.Tensor): tf.Scalar => {
    check('fakeLogits', fakeLogits);
    return tf.tidy(() => {
      if (type === 'lsgan') return tf.mean(tf.square(tf.sub(fakeLogits, 1)));
      if (type === 'hinge') return tf.neg(tf.mean(fakeLogits)) as tf.Scalar;
      return tf.mean(tf.softplus(tf.neg(fakeLogits)));
    });
  };
  const discriminator = (realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar => {
    check('realLogits', realLogits);
    check('fakeLogits', fakeLogits);
    return tf.tidy(() => {
      let real: tf.Tensor;
      let fake: tf.Tensor;
      if (type === 'lsgan') {
        real = tf.mean(tf.square(tf.sub(realLogits, 1)));
        fake = tf.mean(tf.square(fakeLogits));
      } else if (type === 'hinge') {
        real = tf.mean(tf.relu(tf.sub(1, realLogits)));
        fake = tf.mean(tf.relu(tf.add(1, fakeLogits)));
      } else {
        real = tf.mean(tf.softplus(tf.neg(realLogits)));
        fake = tf.mean(tf.softplus(fakeLogits));
      }
      const sum = tf.add(real, fake);
      return (half ? tf.mul(sum, 0.5) : sum) as tf.Scalar;
    });
  };
  return { type, generator, discriminator };
}
