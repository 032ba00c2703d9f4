import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../../util/index.js';
import { baseLayerArgs, option, optionSchema, SIZE_LIMITS, type LayerArgs } from '../core/index.js';
import { numElements, type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import type { ChannelRole, HasChannelRole } from '../core/index.js';
import { registerLayer, singleInput, singleShape } from '../core/index.js';
import { firUpsample2d } from './fir.js';

/** Config of {@link BlurUpsample}. */
export interface BlurUpsampleConfig extends LayerArgs {
  /** The 1-D FIR kernel. Default `[1, 3, 3, 1]`. */
  kernel?: number[];
}

/**
 * StyleGAN2's `Upsample` (the skip path between its ToRGB heads) as a layer: ×2 zero
 * insertion, then the FIR kernel (gain 4) — see {@link firUpsample2d}. `[N, h, w, C]` →
 * `[N, 2h, 2w, C]`. No weights.
 *
 * @example
 * ```ts
 * const rgb = tf.input({ shape: [8, 8, 3] });
 * const skip = new BlurUpsample({ name: 'skip_up3' }).apply(rgb) as tf.SymbolicTensor; // [null, 16, 16, 3]
 * ```
 */
export class BlurUpsample extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'BlurUpsample';
  /** The options it takes (see {@link BlurUpsampleConfig}). */
  static readonly options = optionSchema({
    kernel: option.custom<number[]>({
      expected: 'a 1-D FIR kernel of at least 2 finite taps with a non-zero sum',
      parse(argument, value) {
        const ok =
          Array.isArray(value) &&
          value.length >= 2 &&
          value.length <= SIZE_LIMITS.kernel &&
          value.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
          (value as number[]).reduce((a, b) => a + b, 0) !== 0;
        if (!ok)
          throw new ConfigError(argument, value, 'a 1-D FIR kernel of at least 2 finite taps with a non-zero sum');
        return [...(value as number[])];
      },
      write: (taps) => [...taps],
      default: () => [1, 3, 3, 1],
    }),
  });
  readonly kernel: number[];

  constructor(config: BlurUpsampleConfig = {}) {
    super(baseLayerArgs(config));
    this.kernel = BlurUpsample.options.parse(this.name, config).kernel;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return firUpsample2d(singleInput(inputs, this.name) as tf.Tensor4D, this.kernel);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    if (s.length !== 4) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC)');
    return [s[0] ?? null, s[1] == null ? null : 2 * s[1], s[2] == null ? null : 2 * s[2], s[3] ?? null];
  }

  /**
   * `'torchprofile'`: the FIR conv over the zero-inserted map, `k²` per output element.
   * `'exact'`: only the taps that meet a sample, `(k/2)²` per output element for an even `k`.
   */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const out = this.computeOutputShape(inputShape);
    const k = this.kernel.length;
    const taps = convention === 'exact' && k % 2 === 0 ? (k / 2) ** 2 : k * k;
    return { macs: numElements(out) * taps, params: 0, outputShape: out };
  }

  /** Filters each channel alone (a depthwise FIR): output channels are the input channels, at any width. */
  channelRole(): ChannelRole {
    return { kind: 'follow' };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...BlurUpsample.options.config({ kernel: this.kernel }) };
  }
}
registerLayer(BlurUpsample);
