import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../../util/index.js';
import type { CostedLayer, LayerCost, LayerShape, MacConvention } from '../core/index.js';
import type { ChannelRole, HasChannelRole } from '../core/index.js';
import {
  baseLayerArgs,
  option,
  optionSchema,
  registerLayer,
  singleInput,
  singleShape,
  SIZE_LIMITS,
} from '../core/index.js';
import { explicitPads, type Pads2d } from '../../util/index.js';
import type { LayerArgs } from '../core/index.js';
import { checkReflectFits, pad2d } from './pad_op.js';

/** Config of {@link ReflectionPad2d}. */
export interface ReflectionPad2dConfig extends LayerArgs {
  /**
   * Pad `p` on every side, or `[top, bottom, left, right]`. Note PyTorch's `ReflectionPad2d`
   * tuple order is `(left, right, top, bottom)`.
   */
  padding: number | Pads2d;
}

/**
 * PyTorch's `ReflectionPad2d` for NHWC tensors: pads height and width by reflecting the input
 * about its edge pixels (the edge is not repeated; each pad must be smaller than the axis).
 * tfjs-layers has no reflection padding layer.
 *
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [
 *   new ReflectionPad2d({ padding: 3, inputShape: [64, 64, 3] }),
 *   tf.layers.conv2d({ filters: 16, kernelSize: 7 }),
 * ] });
 * ```
 */
export class ReflectionPad2d extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'ReflectionPad2d';
  /** The options it takes (see {@link ReflectionPad2dConfig}). */
  static readonly options = optionSchema({
    padding: option.custom<Pads2d>({
      expected: 'a non-negative integer or [top, bottom, left, right] of them',
      parse(argument, value) {
        const pads = explicitPads(argument, value);
        if (pads.some((p) => p > SIZE_LIMITS.extent))
          throw new ConfigError(argument, value, `pads of at most ${SIZE_LIMITS.extent}`);
        return pads;
      },
      write: (pads) => [...pads],
    }),
  });
  /** `[top, bottom, left, right]`. */
  readonly pads: Pads2d;

  constructor(config: ReflectionPad2dConfig) {
    super(baseLayerArgs(config));
    this.pads = ReflectionPad2d.options.parse(this.name, config).padding;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    if (s.length !== 4) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC)');
    checkReflectFits(`${this.name}.padding`, s, this.pads);
    const [t, b, l, r] = this.pads;
    return [s[0] ?? null, s[1] == null ? null : s[1] + t + b, s[2] == null ? null : s[2] + l + r, s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => pad2d(singleInput(inputs, this.name) as tf.Tensor4D, this.pads, 'reflect'));
  }

  /** Padding costs no MACs and has no parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    return { macs: 0, params: 0, outputShape: this.computeOutputShape(inputShape) };
  }

  /** Pads each channel alone: output channels are the input channels, at any width. */
  channelRole(): ChannelRole {
    return { kind: 'follow' };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...ReflectionPad2d.options.config({ padding: this.pads }) };
  }
}
registerLayer(ReflectionPad2d);
