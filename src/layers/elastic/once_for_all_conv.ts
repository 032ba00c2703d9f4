import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { option, SIZE_LIMITS, type Initializer, type InitializerSpec, type OptionValues } from '../core/index.js';
import { numElements, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import { registerLayer, singleShape } from '../core/index.js';
import type { ChannelAxes } from '../core/index.js';
import {
  ELASTIC_KERNEL_CONV_OPTIONS,
  ElasticKernelConvBase,
  type ElasticKernelConvBaseArgs,
} from './elastic_kernel_conv_base.js';
import type { ElasticSpace } from '../core/index.js';
import { fillWeights } from '../core/index.js';

/** Config of {@link OnceForAllConv}: `tf.layers.conv2d`'s names plus `kernelSizeChoices` and `padMode`. */
export interface OnceForAllConvConfig extends ElasticKernelConvBaseArgs {
  /** Maximum (full) output width. */
  filters: number;
  /** Default `'glorotUniform'`. */
  kernelInitializer?: InitializerSpec;
}

/**
 * Elastic Conv2D (Once-for-All / GAN Compression's SuperConv2d). Owns the full kernel
 * `[K, K, inMax, filters]` and bias; at call time runs the first `outChannels` filters on the
 * channels the input has, with an active kernel size taken from `kernelSizeChoices` (OFA's
 * centre crop followed by the learned, identity-initialised transformation matrices `'7to5'`,
 * `'5to3'`, ...). Inactive weights get exactly zero gradient.
 *
 * Padding: `'same'` is tfjs 'same' for the active kernel; explicit pads are written for the full
 * kernel and shrink by `d·(K − k)/2` per side for a smaller active kernel (see
 * {@link ElasticConvGeometryConfig}); `padMode: 'reflect'` fills them by reflection.
 *
 * @example
 * ```ts
 * const conv = new OnceForAllConv({ filters: 64, kernelSize: 7, kernelSizeChoices: [3, 5, 7], padding: 3, padMode: 'reflect' });
 * conv.setActive({ outChannels: 32, kernelSize: 5 }); // pads become 2
 * const y = conv.apply(x) as tf.Tensor;               // [n, h, w, 32]
 * ```
 */
export class OnceForAllConv extends ElasticKernelConvBase {
  /** The name this class is registered and serialized under. */
  static className = 'OnceForAllConv';
  /** The options it takes (see {@link OnceForAllConvConfig}). */
  static readonly options = ELASTIC_KERNEL_CONV_OPTIONS.extend({
    filters: option.int({ min: 1, limit: SIZE_LIMITS.width }),
    kernelInitializer: option.initializer({ default: 'glorotUniform' }),
  });
  /** Maximum (full) output width. */
  readonly filters: number;
  declare protected readonly options: OptionValues<typeof OnceForAllConv.options>;
  private readonly kernelInit: Initializer;
  private kernel: tfl.LayerVariable | null = null;

  constructor(config: OnceForAllConvConfig) {
    super(config, OnceForAllConv.options);
    ({ filters: this.filters, kernelInitializer: this.kernelInit } = this.options);
    this.activeOut = this.filters;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const cin = this.buildInputWidth(inputShape);
    const k = this.geometry.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, cin, this.filters], 'float32', this.kernelInit);
    this.buildBias(this.filters);
    this.buildKernelTransforms();
    this.built = true;
  }

  elasticSpace(): ElasticSpace {
    return { maxOutChannels: this.filters, kernelSizeChoices: this.geometry.kernelSizeChoices };
  }

  /** `[kernel [k, k, cin, outChannels] (transformed), bias?]`. */
  protected activeWeights(cin: number): tf.Tensor[] {
    return [this.activeKernelOf(this.kernel, cin, this.activeOut), ...this.activeBias(this.activeOut)];
  }

  protected forward(x: tf.Tensor4D, [filter, bias]: tf.Tensor[]): tf.Tensor {
    const { x: xp, pad } = this.geometry.prepare(x, this.activeKernel);
    return tf.fused.conv2d({
      x: xp,
      filter: filter as tf.Tensor4D,
      strides: this.geometry.strides,
      pad,
      dilations: this.geometry.dilationRate,
      bias,
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return this.geometry.outputShape(this.name, singleShape(inputShape, this.name), this.activeKernel, this.filters);
  }

  /** `outElements · Cin · k²` MACs and the sliced kernel + bias as parameters, at the active setting. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    const s = singleShape(inputShape, this.name);
    const cin = s[3] ?? Number.NaN;
    const out = this.geometry.outputShape(this.name, s, this.activeKernel, this.activeOut);
    const k2 = this.activeKernel * this.activeKernel;
    return {
      macs: numElements(out) * cin * k2,
      params: k2 * cin * this.activeOut + (this.useBias ? this.activeOut : 0),
      outputShape: out,
    };
  }

  channelAxes(): ChannelAxes {
    return {
      inputs: [{ weight: 'kernel', axis: 2 }],
      outputs: [
        { weight: 'kernel', axis: 3 },
        { weight: 'bias', axis: 0 },
      ],
    };
  }

  /** A built-in Conv2D (after a ZeroPadding2D or ReflectionPad2d when needed) with the active, transformed kernel. */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const input = inputs[0] as tfl.SymbolicTensor;
    const cin = this.checkInput(input.shape);
    const { x, padding } = this.geometry.exportPadding(input, this.activeKernel, this.name);
    const conv = tfl.layers.conv2d({
      name: this.name,
      filters: this.activeOut,
      kernelSize: this.activeKernel,
      strides: this.geometry.strides,
      dilationRate: this.geometry.dilationRate,
      padding,
      useBias: this.useBias,
    });
    const y = conv.apply(x) as tfl.SymbolicTensor;
    fillWeights(conv, () => this.activeWeights(cin));
    return y;
  }
}
registerLayer(OnceForAllConv);
