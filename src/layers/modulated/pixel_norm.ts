import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { baseLayerArgs, option, optionSchema, type LayerArgs } from '../core/index.js';
import { numElements, type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import type { ChannelRole, HasChannelRole } from '../core/index.js';
import { registerLayer, singleInput, singleShape } from '../core/index.js';

/** Config of {@link PixelNorm}. */
export interface PixelNormConfig extends LayerArgs {
  /** Default 1e-8. */
  epsilon?: number;
}

/**
 * StyleGAN's pixel norm over the last axis: `x · rsqrt(mean(x²) + ε)` (the mapping network's
 * first layer). No weights.
 *
 * @example
 * ```ts
 * const z = tf.input({ shape: [512] });
 * const normalised = new PixelNorm().apply(z);
 * ```
 */
export class PixelNorm extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'PixelNorm';
  /** The options it takes (see {@link PixelNormConfig}). */
  static readonly options = optionSchema({ epsilon: option.number({ positive: true, default: 1e-8 }) });
  readonly epsilon: number;

  constructor(config: PixelNormConfig = {}) {
    super(baseLayerArgs(config));
    this.epsilon = PixelNorm.options.parse(this.name, config).epsilon;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), this.epsilon)));
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return singleShape(inputShape, this.name);
  }

  /** `'exact'`: 0. `'torchprofile'`: the mean and the product, one per element each. No parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const s = singleShape(inputShape, this.name);
    return { macs: convention === 'torchprofile' ? 2 * numElements(s) : 0, params: 0, outputShape: s };
  }

  /** Output channel `i` is input channel `i` scaled by a norm over all of them, so a permutation of the input permutes the output alike. */
  channelRole(): ChannelRole {
    return { kind: 'follow' };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...PixelNorm.options.config({ epsilon: this.epsilon }) };
  }
}
registerLayer(PixelNorm);
