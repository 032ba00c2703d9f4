import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../../util/index.js';
import { assertFinite, assertRank } from '../../util/index.js';

/**
 * The fused kernel (with its gradient) that the backend module registers for the cpu and wasm
 * backends; on other backends the op runs as the chain of tfjs ops below.
 */
const FUSED_INSTANCE_NORM = 'GancompressInstanceNorm';

/** Options of {@link instanceNorm}. */
export interface InstanceNormOptions {
  /** Added to the variance. Default 1e-5 (PyTorch). */
  epsilon?: number;
  /** Per-channel scale `[C]` (affine). */
  gamma?: tf.Tensor1D;
  /** Per-channel shift `[C]` (affine). */
  beta?: tf.Tensor1D;
}

/**
 * Instance normalisation of an NHWC batch: each sample's channel is normalised over H×W with
 * its mean and *biased* variance, `(x − μ) / sqrt(σ² + ε)`, then optionally scaled and shifted
 * per channel. Equals PyTorch `InstanceNorm2d` (no running statistics).
 *
 * @example
 * ```ts
 * const input = tf.randomNormal([2, 16, 16, 8]) as tf.Tensor4D;
 * const y = instanceNorm(input); // InstanceNorm2d(8), affine=False
 * const gamma = tf.ones([8]) as tf.Tensor1D;
 * const beta = tf.zeros([8]) as tf.Tensor1D;
 * const z = instanceNorm(input, { gamma, beta, epsilon: 1e-5 }); // affine=True
 * ```
 */
export function instanceNorm(x: tf.Tensor4D, options: InstanceNormOptions = {}): tf.Tensor4D {
  assertRank('x', x, 4);
  const epsilon = options.epsilon ?? 1e-5;
  assertFinite('epsilon', epsilon, { positive: true });
  const c = x.shape[3];
  for (const [name, p] of [
    ['gamma', options.gamma],
    ['beta', options.beta],
  ] as const) {
    if (p != null && (p.rank !== 1 || p.shape[0] !== c))
      throw new ShapeError(name, p.shape, `[${c}] (one value per channel of x)`);
  }
  return tf.tidy(() => {
    if (x.dtype === 'float32' && tf.getKernel(FUSED_INSTANCE_NORM, tf.getBackend()) != null) {
      const inputs: tf.NamedTensorMap = { x };
      if (options.gamma != null) inputs['gamma'] = options.gamma;
      if (options.beta != null) inputs['beta'] = options.beta;
      const [y] = tf.engine().runKernel<tf.Tensor[]>(FUSED_INSTANCE_NORM, inputs, { epsilon, activation: 'linear' });
      return y as tf.Tensor4D;
    }
    const { mean, variance } = tf.moments(x, [1, 2], true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    if (options.gamma != null) y = tf.mul(y, options.gamma);
    if (options.beta != null) y = tf.add(y, options.beta);
    return y as tf.Tensor4D;
  });
}
