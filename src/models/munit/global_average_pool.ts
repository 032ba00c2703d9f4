import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import { baseLayerArgs, optionSchema, registerLayer, singleInput, singleShape } from '../../layers/core/index.js';
import type { CostedLayer, LayerArgs, LayerCost, LayerShape, MacConvention } from '../../layers/core/index.js';
import type { ChannelRole, HasChannelRole } from '../../layers/core/index.js';

/**
 * Global average pooling that keeps the spatial axes (`[N, H, W, C]` → `[N, 1, 1, C]`, PyTorch's
 * `AdaptiveAvgPool2d(1)`): MUNIT's style encoder pools before its 1×1 conv, which an elastic conv
 * (4-D only) can then slice. tfjs 4.22's GlobalAveragePooling2D has no `keepDims`.
 *
 * MACs: one per output element under `'torchprofile'` (aten::adaptive_avg_pool2d), 0 under `'exact'`.
 *
 * @example
 * ```ts
 * const pooled = new GlobalAveragePool2d({ name: 'style_pool' }).apply(tf.input({ shape: [16, 16, 256] })); // [null, 1, 1, 256]
 * ```
 */
export class GlobalAveragePool2d extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'GlobalAveragePool2d';
  /** It takes no options of its own. */
  static readonly options = optionSchema({});

  constructor(config: LayerArgs = {}) {
    super(baseLayerArgs(config));
    GlobalAveragePool2d.options.parse(this.name, config);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    if (s.length !== 4) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC)');
    return [s[0] ?? null, 1, 1, s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      if (x.rank !== 4) throw new ShapeError(`${this.name} input`, x.shape, 'rank 4 (NHWC)');
      return tf.mean(x, [1, 2], true);
    });
  }

  /** `N·C` MACs under `'torchprofile'`, 0 under `'exact'`; no parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const out = this.computeOutputShape(inputShape);
    const macs = convention === 'torchprofile' ? (out[0] ?? Number.NaN) * (out[3] ?? Number.NaN) : 0;
    return { macs, params: 0, outputShape: out };
  }

  /** Pools each channel alone. */
  channelRole(): ChannelRole {
    return { kind: 'follow' };
  }
}
registerLayer(GlobalAveragePool2d);
