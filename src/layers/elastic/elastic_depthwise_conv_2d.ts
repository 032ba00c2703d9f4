import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { option, SIZE_LIMITS, type Initializer, type InitializerSpec, type OptionValues } from '../core/index.js';
import { numElements, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import { registerLayer, singleShape } from '../core/index.js';
import type { ChannelAxes, ChannelRole } from '../core/index.js';
import {
  ELASTIC_KERNEL_CONV_OPTIONS,
  ElasticKernelConvBase,
  type ElasticKernelConvBaseArgs,
} from './elastic_kernel_conv_base.js';
import type { ElasticSpace } from '../core/index.js';

/** Config of {@link ElasticDepthwiseConv2d}: `tf.layers.depthwiseConv2d`'s names plus `kernelSizeChoices` and `padMode`. */
export interface ElasticDepthwiseConv2dConfig extends ElasticKernelConvBaseArgs {
  /** Output channels per input channel. Default 1. */
  depthMultiplier?: number;
  /** Default `'glorotUniform'`. */
  depthwiseInitializer?: InitializerSpec;
}

/**
 * Elastic depthwise conv (OFA's DynamicSeparableConv2d): full kernel `[K, K, Cmax, multiplier]`;
 * runs on the first C channels the input has (output width `C · multiplier`, channel
 * `c·multiplier + j`) with an active kernel size from `kernelSizeChoices` (centre crop plus the
 * learned transformation matrices). Its only setting is `kernelSize`; the width follows the input.
 *
 * @example
 * ```ts
 * const dw = new ElasticDepthwiseConv2d({ kernelSize: 7, kernelSizeChoices: [3, 5, 7], padding: 'same' });
 * dw.setActive({ kernelSize: 3 });
 * ```
 */
export class ElasticDepthwiseConv2d extends ElasticKernelConvBase {
  /** The name this class is registered and serialized under. */
  static className = 'ElasticDepthwiseConv2d';
  /** The options it takes (see {@link ElasticDepthwiseConv2dConfig}). */
  static readonly options = ELASTIC_KERNEL_CONV_OPTIONS.extend({
    depthMultiplier: option.int({ min: 1, limit: SIZE_LIMITS.width, default: 1 }),
    depthwiseInitializer: option.initializer({ default: 'glorotUniform' }),
  });
  /** Output channels per input channel. */
  readonly depthMultiplier: number;
  declare protected readonly options: OptionValues<typeof ElasticDepthwiseConv2d.options>;
  private readonly depthwiseInit: Initializer;
  private kernel: tfl.LayerVariable | null = null;

  constructor(config: ElasticDepthwiseConv2dConfig) {
    super(config, ElasticDepthwiseConv2d.options);
    ({ depthMultiplier: this.depthMultiplier, depthwiseInitializer: this.depthwiseInit } = this.options);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const c = this.buildInputWidth(inputShape);
    const k = this.geometry.kernelSize;
    this.kernel = this.addWeight('depthwiseKernel', [k, k, c, this.depthMultiplier], 'float32', this.depthwiseInit);
    this.buildBias(c * this.depthMultiplier);
    this.buildKernelTransforms();
    this.built = true;
  }

  elasticSpace(): ElasticSpace {
    return { kernelSizeChoices: this.geometry.kernelSizeChoices };
  }

  /** `[kernel [k, k, c, multiplier] (transformed), bias?]`. */
  protected activeWeights(c: number): tf.Tensor[] {
    return [this.activeKernelOf(this.kernel, c, this.depthMultiplier), ...this.activeBias(c * this.depthMultiplier)];
  }

  protected forward(x: tf.Tensor4D, [filter, bias]: tf.Tensor[]): tf.Tensor {
    const { x: xp, pad } = this.geometry.prepare(x, this.activeKernel);
    const y = tf.depthwiseConv2d(
      xp,
      filter as tf.Tensor4D,
      this.geometry.strides,
      pad,
      'NHWC',
      this.geometry.dilationRate,
    );
    return bias == null ? y : tf.add(y, bias);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    return this.geometry.outputShape(
      this.name,
      s,
      this.activeKernel,
      s[3] == null ? null : s[3] * this.depthMultiplier,
    );
  }

  /** `outElements · k²` MACs; the sliced kernel and bias as parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    const out = this.computeOutputShape(inputShape);
    const cout = out[3] ?? Number.NaN;
    const k2 = this.activeKernel * this.activeKernel;
    return { macs: numElements(out) * k2, params: k2 * cout + (this.useBias ? cout : 0), outputShape: out };
  }

  /** Output channels `i·m … i·m + m − 1` belong to input channel `i`. */
  override channelRole(): ChannelRole {
    return { kind: 'follow', multiplier: this.depthMultiplier };
  }

  channelAxes(): ChannelAxes {
    const m = this.depthMultiplier;
    return {
      inputs: [
        { weight: 'depthwiseKernel', axis: 2 },
        { weight: 'bias', axis: 0, block: m },
      ],
      outputs: [],
    };
  }

  /**
   * A built-in DepthwiseConv2D (after a padding layer when needed) with the active, transformed
   * kernel. tfjs-layers' DepthwiseConv2D ignores `dilationRate`, so a dilated kernel is exported
   * spread out (zeros between the taps), which computes the same function.
   */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const input = inputs[0] as tfl.SymbolicTensor;
    const c = this.checkInput(input.shape);
    return this.exportDepthwise(input, this.name, this.depthMultiplier, () => this.activeWeights(c));
  }
}
registerLayer(ElasticDepthwiseConv2d);
