import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import {
  baseLayerArgs,
  normalInitializer,
  option,
  optionSchema,
  seededInitializer,
  SIZE_LIMITS,
  type LayerArgs,
} from '../core/index.js';
import { built } from '../core/index.js';
import type { CostedLayer, LayerCost, LayerShape, MacConvention } from '../core/index.js';
import type { ChannelAxes, ChannelRole, HasChannelAxes } from '../core/index.js';
import { registerLayer, singleInput, singleShape } from '../core/index.js';

/** Config of {@link ConstantInput}. */
export interface ConstantInputConfig extends LayerArgs {
  /** Channels of the learned constant. */
  channels: number;
  /** Its height and width. Default 4. */
  size?: number;
  /** Seed of its N(0, 1) initialisation. */
  seed?: number;
}

/**
 * StyleGAN2's learned constant input: one `[1, size, size, channels]` tensor (N(0, 1) at
 * initialisation) repeated over the batch. It takes any tensor whose first axis is the batch
 * (the style) and ignores its values.
 *
 * @example
 * ```ts
 * const w = tf.input({ shape: [512] });
 * const x = new ConstantInput({ name: 'const', channels: 512, seed: 0 }).apply(w); // [null, 4, 4, 512]
 * ```
 */
export class ConstantInput extends tfl.layers.Layer implements CostedLayer, HasChannelAxes {
  /** The name this class is registered and serialized under. */
  static className = 'ConstantInput';
  /** The options it takes (see {@link ConstantInputConfig}). */
  static readonly options = optionSchema({
    channels: option.int({ min: 1, limit: SIZE_LIMITS.width }),
    size: option.int({ min: 1, limit: SIZE_LIMITS.extent, default: 4 }),
    seed: option.seed(),
  });
  readonly channels: number;
  readonly size: number;
  readonly seed: number | undefined;
  private constant: tfl.LayerVariable | null = null;

  constructor(config: ConstantInputConfig) {
    super(baseLayerArgs(config));
    ({ channels: this.channels, size: this.size, seed: this.seed } = ConstantInput.options.parse(this.name, config));
  }

  override build(): void {
    this.constant = this.addWeight(
      'constant',
      [1, this.size, this.size, this.channels],
      'float32',
      seededInitializer(normalInitializer(1), this.seed),
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const batch = singleInput(inputs, this.name).shape[0];
      return tf.tile(built(this.name, this.constant).read(), [batch, 1, 1, 1]);
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    if (s.length < 1) throw new ShapeError(`${this.name} input`, s, 'a tensor with a batch axis');
    return [s[0] ?? null, this.size, this.size, this.channels];
  }

  /** No MACs; `size²·channels` parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    return {
      macs: 0,
      params: this.size * this.size * this.channels,
      outputShape: this.computeOutputShape(inputShape),
    };
  }

  /** A new channel space (the constant's); its input gives the batch size only, so any width will do. */
  channelRole(): ChannelRole {
    return { kind: 'produce' };
  }

  /** The constant's channel axis; no weight reads the input's channels. */
  channelAxes(): ChannelAxes {
    return { inputs: [], outputs: [{ weight: 'constant', axis: 3 }] };
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { channels, size, seed } = this;
    return { ...super.getConfig(), ...ConstantInput.options.config({ channels, size, seed }) };
  }
}
registerLayer(ConstantInput);
