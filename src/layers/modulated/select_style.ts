import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import { baseLayerArgs, option, optionSchema, SIZE_LIMITS, type LayerArgs } from '../core/index.js';
import type { CostedLayer, LayerCost, LayerShape, MacConvention } from '../core/index.js';
import type { ChannelRole, HasChannelRole } from '../core/index.js';
import { registerLayer, singleInput, singleShape } from '../core/index.js';

/** Config of {@link SelectStyle}. */
export interface SelectStyleConfig extends LayerArgs {
  /** Which row of the W+ styles to take. */
  index: number;
}

/**
 * Takes one style out of W+ styles: `[N, numStyles, styleDim]` → `[N, styleDim]` (row `index`).
 *
 * @example
 * ```ts
 * const wplus = tf.input({ shape: [23, 512] });
 * const w5 = new SelectStyle({ name: 'style_w5', index: 5 }).apply(wplus); // [null, 512]
 * ```
 */
export class SelectStyle extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'SelectStyle';
  /** The options it takes (see {@link SelectStyleConfig}). */
  static readonly options = optionSchema({ index: option.int({ min: 0, limit: SIZE_LIMITS.extent }) });
  readonly index: number;

  constructor(config: SelectStyleConfig) {
    super(baseLayerArgs(config));
    this.index = SelectStyle.options.parse(this.name, config).index;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      this.computeOutputShape(x.shape);
      const [n, , d] = x.shape as [number, number, number];
      return tf.reshape(tf.slice(x, [0, this.index, 0], [n, 1, d]), [n, d]);
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    if (s.length !== 3 || (s[1] != null && s[1] <= this.index)) {
      throw new ShapeError(
        `${this.name} input`,
        s,
        `W+ styles [N, numStyles, styleDim] with numStyles > ${this.index}`,
      );
    }
    return [s[0] ?? null, s[2] ?? null];
  }

  /** No MACs, no parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    return { macs: 0, params: 0, outputShape: this.computeOutputShape(inputShape) };
  }

  /** The style row keeps its last axis: output channels are the input channels. */
  channelRole(): ChannelRole {
    return { kind: 'follow' };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...SelectStyle.options.config({ index: this.index }) };
  }
}
registerLayer(SelectStyle);
