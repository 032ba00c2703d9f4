import * as tf from '@tensorflow/tfjs-core';

/**
 * `leakyRelu(x, slope) · gain`: MobileStyleGAN's `nn.LeakyReLU(0.2)` with gain 1, StyleGAN2's
 * `FusedLeakyReLU` (and the mapping network's) with gain √2.
 *
 * @example
 * ```ts
 * const y = scaledLeakyRelu(x, 0.2, Math.SQRT2);
 * ```
 */
export function scaledLeakyRelu<T extends tf.Tensor>(x: T, negativeSlope = 0.2, gain = 1): T {
  return tf.tidy(() => {
    const y = tf.leakyRelu(x, negativeSlope);
    return gain === 1 ? y : tf.mul(y, gain);
  });
}
