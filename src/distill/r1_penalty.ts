import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../util/index.js';
import { assertFloatTensor, assertOptions } from './checks.js';
import { ensureComparisonGradients } from './comparison_gradients.js';

/** A discriminator: a tfjs model or any function from images to logits. */
export type Discriminator = tfl.LayersModel | ((images: tf.Tensor) => tf.Tensor);

/** Options of {@link r1Penalty}. */
export interface R1Options {
  /** Call a model discriminator in training mode (batch norm on batch statistics). Default false. */
  training?: boolean;
}

/**
 * The R1 gradient penalty (Mescheder et al. 2018) on real images: the squared norm of the
 * gradient of the discriminator's summed logits with respect to each image, averaged over the
 * batch, `E‖∇ₓ Σ D(x)‖²` — StyleGAN2's `grad.pow(2).reshape(B, −1).sum(1).mean()`. Multiply by
 * `γ/2` (MobileStyleGAN: γ = 10, applied every 16 steps and scaled by 16) and add it to the
 * discriminator's loss.
 *
 * The penalty's gradient with respect to the discriminator's weights is a second derivative.
 * tfjs-core lacks a gradient for some comparison kernels that activation gradients use
 * (LeakyReLU's uses `Greater`); the first call registers for them the zero gradient tfjs gives
 * `GreaterEqual`, so `tf.variableGrads(() => r1Penalty(D, real), dVars)` works through PatchGAN.
 *
 * @param discriminator a model (called on `real`) or a function returning logits of any shape.
 * @param real `[N, ...]` real images.
 * @throws {@link ConfigError} for a discriminator that is neither, or a non-float `real`.
 *
 * @example
 * ```ts
 * const D = PatchGanDiscriminator({ ndf: 8, nLayers: 2 });
 * const real = tf.randomUniform([2, 32, 32, 3], -1, 1);
 * const dVars = D.trainableWeights.map((w) => w.read() as tf.Variable);
 * const { value, grads } = tf.variableGrads(() => tf.mul(r1Penalty(D, real), 5), dVars); // γ/2 = 5
 * ```
 */
export function r1Penalty(discriminator: Discriminator, real: tf.Tensor, options: R1Options = {}): tf.Scalar {
  assertFloatTensor('real', real);
  if (real.rank < 1) throw new ShapeError('real', real.shape, 'rank >= 1 with the batch on axis 0');
  assertOptions('options', options, ['training']);
  const training = options.training ?? false;
  if (typeof training !== 'boolean') throw new ConfigError('options.training', training, 'a boolean');
  let d: (x: tf.Tensor) => tf.Tensor;
  if (discriminator instanceof tfl.LayersModel) {
    d = (x) => discriminator.apply(x, { training }) as tf.Tensor;
  } else if (typeof discriminator === 'function') {
    d = discriminator;
  } else {
    throw new ConfigError('discriminator', discriminator, 'a tf.LayersModel or a function (images) => logits');
  }
  ensureComparisonGradients();
  return tf.tidy(() => {
    const grad = tf.grad((x: tf.Tensor) => {
      const logits = d(x);
      if (!(logits instanceof tf.Tensor))
        throw new ConfigError('discriminator(real)', logits, 'one tf.Tensor of logits');
      return tf.sum(logits);
    })(real);
    const perSample = tf.sum(tf.reshape(tf.square(grad), [real.shape[0], -1]), 1);
    return tf.mean<tf.Scalar>(perSample);
  });
}
