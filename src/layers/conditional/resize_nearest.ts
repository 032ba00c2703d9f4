import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import { baseLayerArgs, option, optionSchema, type LayerArgs } from '../core/index.js';
import { registerLayer, singleInput, singleShape } from '../core/index.js';
import type { CostedLayer, LayerCost, LayerShape, MacConvention } from '../core/index.js';
import type { ChannelRole, HasChannelRole } from '../core/index.js';
import { resizeNearest } from './resize_nearest_op.js';

/** Config of {@link ResizeNearest}. */
export interface ResizeNearestConfig extends LayerArgs {
  /** Output `[height, width]` (or one size for both). */
  size: number | [number, number];
}

/**
 * Resizes an NHWC input to a fixed `[height, width]` by nearest neighbour with PyTorch's index
 * rule ({@link resizeNearest}, `F.interpolate(x, size)`): GauGAN downsamples its segmentation map
 * to the latent size with it. Costs no MACs (torchprofile 0.0.1 skips interpolation).
 *
 * @example
 * ```ts
 * const seg = tf.input({ shape: [256, 512, 36] });
 * const small = new ResizeNearest({ size: [4, 8] }).apply(seg); // [null, 4, 8, 36]
 * ```
 */
export class ResizeNearest extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'ResizeNearest';
  /** The options it takes (see {@link ResizeNearestConfig}). */
  static readonly options = optionSchema({ size: option.intPair({ min: 1 }) });
  /** Output `[height, width]`. */
  readonly size: [number, number];

  constructor(config: ResizeNearestConfig) {
    super(baseLayerArgs(config));
    this.size = ResizeNearest.options.parse(this.name, config).size;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    if (s.length !== 4) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC)');
    return [s[0] ?? null, this.size[0], this.size[1], s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      if (x.rank !== 4) throw new ShapeError(`${this.name} input`, x.shape, 'rank 4 (NHWC)');
      return resizeNearest(x as tf.Tensor4D, this.size);
    });
  }

  /** No MACs, no parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    return { macs: 0, params: 0, outputShape: this.computeOutputShape(inputShape) };
  }

  /** Resizes each channel alone. */
  channelRole(): ChannelRole {
    return { kind: 'follow' };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...ResizeNearest.options.config({ size: this.size }) };
  }
}
registerLayer(ResizeNearest);
