import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import type {
  ChannelRole,
  CostedLayer,
  HasChannelRole,
  LayerArgs,
  LayerCost,
  LayerShape,
  MacConvention,
} from '../core/index.js';
import { baseLayerArgs, option, optionSchema, registerLayer, singleInput, singleShape } from '../core/index.js';

/**
 * `tf.depthToSpace(x, scale, 'NHWC')` with a gradient (tfjs registers none for DepthToSpace): the backward pass is
 * the inverse rearrangement, space-to-depth, written as a rank-5 reshape and transpose.
 */
export function pixelShuffle(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.depthToSpace(args[0] as tf.Tensor4D, scale, 'NHWC'),
    gradFunc: (dy: tf.Tensor) => {
      const [n, hr, wr, c] = dy.shape as [number, number, number, number];
      const h = hr / scale;
      const w = wr / scale;
      // dy[n, h·r + i, w·r + j, c] → dx[n, h, w, (i·r + j)·C + c]
      const blocks = tf.reshape(dy, [n * h, scale, w, scale * c]);
      return tf.reshape(tf.transpose(blocks, [0, 2, 1, 3]), [n, h, w, scale * scale * c]);
    },
  }));
  return op(x) as tf.Tensor4D;
}

/** Config of {@link PixelShuffle}. */
export interface PixelShuffleConfig extends LayerArgs {
  /** The up-sampling factor r: `[N, H, W, C·r²]` becomes `[N, r·H, r·W, C]`. */
  scale: number;
}

/**
 * Sub-pixel up-sampling (ESPCN's pixel shuffle) as tfjs computes it: `tf.depthToSpace(x, scale, 'NHWC')`, so output
 * pixel `(r·h + i, r·w + j)` channel `c` is input channel `(i·r + j)·C + c` at `(h, w)`. This is the layer
 * UpscalerJS's ESRGAN models register as `PixelShuffle4x` (PyTorch's `pixel_shuffle` orders the channels the other
 * way: `c·r² + i·r + j`). tfjs-layers has no depth-to-space layer.
 *
 * @example
 * ```ts
 * const lr = tf.input({ shape: [32, 32, 3] });
 * const features = tf.layers.conv2d({ filters: 48, kernelSize: 3, padding: 'same' }).apply(lr) as tf.SymbolicTensor;
 * const sr = new PixelShuffle({ scale: 4 }).apply(features) as tf.SymbolicTensor; // [null, 128, 128, 3]
 * ```
 */
export class PixelShuffle extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'PixelShuffle';
  /** The options it takes (see {@link PixelShuffleConfig}). */
  static readonly options = optionSchema({ scale: option.int({ min: 2 }) });
  /** The up-sampling factor. */
  readonly scale: number;

  constructor(config: PixelShuffleConfig) {
    super(baseLayerArgs(config));
    this.scale = PixelShuffle.options.parse(this.name, config).scale;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    const r = this.scale;
    if (s.length !== 4) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC)');
    const c = s[3];
    if (c == null || c % (r * r) !== 0)
      throw new ShapeError(`${this.name} input`, s, `[N, H, W, C·${r * r}] (channels a multiple of scale² = ${r * r})`);
    return [s[0] ?? null, s[1] == null ? null : s[1] * r, s[2] == null ? null : s[2] * r, c / (r * r)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      this.computeOutputShape(x.shape);
      return pixelShuffle(x as tf.Tensor4D, this.scale);
    });
  }

  /** A permutation of the input: no MACs, no parameters (torchprofile counts pixel_shuffle as 0). */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    return { macs: 0, params: 0, outputShape: this.computeOutputShape(inputShape) };
  }

  /**
   * Each output channel gathers input channels `c, C + c, 2C + c, …` (one per sub-pixel), not a contiguous group, so
   * no width of the input relates to a width of the output: a barrier that runs at the input width it was built with.
   */
  channelRole(): ChannelRole {
    return {
      kind: 'barrier',
      fixedInputWidth: true,
      reason: 'depth-to-space interleaves its input channels by sub-pixel position',
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...PixelShuffle.options.config({ scale: this.scale }) };
  }
}
registerLayer(PixelShuffle);
