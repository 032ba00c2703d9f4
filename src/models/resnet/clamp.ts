import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';
import type { CostedLayer, LayerCost, LayerShape, MacConvention } from '../../layers/core/index.js';
import type { ChannelRole, HasChannelRole } from '../../layers/core/index.js';
import { baseLayerArgs, option, optionSchema, type LayerArgs } from '../../layers/core/index.js';
import { registerLayer, singleInput, singleShape } from '../../layers/core/index.js';

/** Config of {@link Clamp}. */
export interface ClampConfig extends LayerArgs {
  /** Lower bound. */
  min: number;
  /** Upper bound (> min). */
  max: number;
}

/**
 * Clips its input to `[min, max]` (`torch.clamp`); tfjs-layers has no clipping layer.
 * GAN Compression's teacher ResnetGenerator clamps its input to [−1, 1].
 */
export class Clamp extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'Clamp';
  /** The options it takes (see {@link ClampConfig}). */
  static readonly options = optionSchema({ min: option.number(), max: option.number() }).check(
    ({ min, max }, argument) => {
      if (!(max > min)) throw new ConfigError(argument('max'), max, `a number > min (${min})`);
    },
  );
  readonly min: number;
  readonly max: number;

  constructor(config: ClampConfig) {
    super(baseLayerArgs(config));
    ({ min: this.min, max: this.max } = Clamp.options.parse(this.name, config));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.clipByValue(singleInput(inputs, this.name), this.min, this.max));
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return singleShape(inputShape, this.name);
  }

  /** aten::clamp costs nothing in torchprofile; no parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    return { macs: 0, params: 0, outputShape: singleShape(inputShape, this.name) };
  }

  /** Clips each element alone: output channels are the input channels, at any width. */
  channelRole(): ChannelRole {
    return { kind: 'follow' };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...Clamp.options.config({ min: this.min, max: this.max }) };
  }
}
registerLayer(Clamp);
