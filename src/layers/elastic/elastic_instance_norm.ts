import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InstanceNorm, type InstanceNormConfig } from '../common/index.js';
import { instanceNorm } from '../common/index.js';
import { inputChannels } from '../core/index.js';
import { registerLayer, singleInput } from '../core/index.js';
import type { ChannelRole } from '../core/index.js';
import type { StaticExportable } from '../core/index.js';
import { fillWeights, prefix } from '../core/index.js';

/**
 * Config of {@link ElasticInstanceNorm} (as {@link InstanceNorm}).
 *
 * @example
 * ```ts
 * const config: ElasticInstanceNormConfig = { name: 'up1_norm', affine: true, epsilon: 1e-5 };
 * const norm = new ElasticInstanceNorm(config);
 * ```
 */
export type ElasticInstanceNormConfig = InstanceNormConfig;

/**
 * Instance norm whose affine parameters (when `affine`) are sliced to the channels the input
 * has, up to the width it was built with. Without affine it is exactly {@link InstanceNorm}.
 *
 * @example
 * ```ts
 * const norm = new ElasticInstanceNorm({ affine: true });
 * ```
 */
export class ElasticInstanceNorm extends InstanceNorm implements StaticExportable {
  /** The name this class is registered and serialized under. */
  static override className = 'ElasticInstanceNorm';
  private maxChannels: number | null = null;

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    super.build(inputShape);
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    this.maxChannels = s[3] ?? null;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name) as tf.Tensor4D;
      const c = this.checkInput(x.shape);
      if (!this.affine) return instanceNorm(x, { epsilon: this.epsilon });
      return instanceNorm(x, {
        epsilon: this.epsilon,
        gamma: prefix(this.gamma?.read() as tf.Tensor1D, [c]),
        beta: prefix(this.beta?.read() as tf.Tensor1D, [c]),
      });
    });
  }

  private checkInput(shape: readonly (number | null)[]): number {
    return inputChannels(this.name, shape, this.maxChannels ?? Infinity);
  }

  /** Follows its input channel by channel, at any width up to the one it was built with. */
  override channelRole(): ChannelRole {
    return { kind: 'follow' };
  }

  /** An {@link InstanceNorm} with the sliced affine parameters. */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const input = inputs[0] as tfl.SymbolicTensor;
    const c = this.checkInput(input.shape);
    const norm = new InstanceNorm({ name: this.name, epsilon: this.epsilon, affine: this.affine });
    const y = norm.apply(input) as tfl.SymbolicTensor;
    if (this.affine)
      fillWeights(norm, () => [
        prefix(this.gamma?.read() as tf.Tensor, [c]),
        prefix(this.beta?.read() as tf.Tensor, [c]),
      ]);
    return y;
  }
}
registerLayer(ElasticInstanceNorm);
