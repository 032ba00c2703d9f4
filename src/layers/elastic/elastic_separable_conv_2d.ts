import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { option, SIZE_LIMITS, type Initializer, type InitializerSpec, type OptionValues } from '../core/index.js';
import { InstanceNorm } from '../common/index.js';
import { instanceNorm } from '../common/index.js';
import { built } from '../core/index.js';
import { numElements, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import { registerLayer, singleShape } from '../core/index.js';
import type { ChannelAxes } from '../core/index.js';
import {
  ELASTIC_KERNEL_CONV_OPTIONS,
  ElasticKernelConvBase,
  type ElasticKernelConvBaseArgs,
} from './elastic_kernel_conv_base.js';
import type { ElasticSpace } from '../core/index.js';
import { fillWeights, prefix } from '../core/index.js';

/** Config of {@link ElasticSeparableConv2d}. */
export interface ElasticSeparableConv2dConfig extends ElasticKernelConvBaseArgs {
  /** Maximum (full) output width of the pointwise conv. */
  filters: number;
  /** Depthwise output channels per input channel (GAN Compression's `scale_factor`). Default 1. */
  depthMultiplier?: number;
  /** Norm between depthwise and pointwise: `'instance'` (default, GAN Compression) or `'none'`. */
  norm?: 'instance' | 'none';
  /** Instance-norm epsilon. Default 1e-5. */
  epsilon?: number;
  /** Default `'glorotUniform'`. */
  depthwiseInitializer?: InitializerSpec;
  /** Default `'glorotUniform'`. */
  pointwiseInitializer?: InitializerSpec;
}

/**
 * GAN Compression's SuperSeparableConv2d: depthwise k×k conv (elastic kernel, as OFA) →
 * optional instance norm (no affine) → pointwise 1×1 conv to the first `outChannels` of
 * `filters`. The input width comes from the input; `depthMultiplier` channels per input channel.
 *
 * @example
 * ```ts
 * const sep = new ElasticSeparableConv2d({ filters: 256, kernelSize: 3, padding: 1, padMode: 'reflect' });
 * sep.setActive({ outChannels: 96 });
 * ```
 */
export class ElasticSeparableConv2d extends ElasticKernelConvBase {
  /** The name this class is registered and serialized under. */
  static className = 'ElasticSeparableConv2d';
  /** The options it takes (see {@link ElasticSeparableConv2dConfig}); `useBias` puts biases on both convs. */
  static readonly options = ELASTIC_KERNEL_CONV_OPTIONS.extend({
    filters: option.int({ min: 1, limit: SIZE_LIMITS.width }),
    depthMultiplier: option.int({ min: 1, limit: SIZE_LIMITS.width, default: 1 }),
    norm: option.oneOf(['instance', 'none'] as const, 'instance'),
    epsilon: option.number({ positive: true, default: 1e-5 }),
    depthwiseInitializer: option.initializer({ default: 'glorotUniform' }),
    // Another seed, so the two kernels are not drawn from the same stream.
    pointwiseInitializer: option.initializer({ default: 'glorotUniform', seedOffset: 1 }),
  });
  /** Maximum (full) output width of the pointwise conv. */
  readonly filters: number;
  /** Depthwise output channels per input channel. */
  readonly depthMultiplier: number;
  /** Norm between depthwise and pointwise. */
  readonly norm: 'instance' | 'none';
  /** Instance-norm epsilon. */
  readonly epsilon: number;
  private readonly depthwiseInit: Initializer;
  private readonly pointwiseInit: Initializer;
  private depthwiseKernel: tfl.LayerVariable | null = null;
  private depthwiseBias: tfl.LayerVariable | null = null;
  private pointwiseKernel: tfl.LayerVariable | null = null;

  declare protected readonly options: OptionValues<typeof ElasticSeparableConv2d.options>;

  constructor(config: ElasticSeparableConv2dConfig) {
    super(config, ElasticSeparableConv2d.options);
    ({
      filters: this.filters,
      depthMultiplier: this.depthMultiplier,
      norm: this.norm,
      epsilon: this.epsilon,
      depthwiseInitializer: this.depthwiseInit,
      pointwiseInitializer: this.pointwiseInit,
    } = this.options);
    this.activeOut = this.filters;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const c = this.buildInputWidth(inputShape);
    const k = this.geometry.kernelSize;
    const m = this.depthMultiplier;
    this.depthwiseKernel = this.addWeight('depthwiseKernel', [k, k, c, m], 'float32', this.depthwiseInit);
    if (this.useBias) this.depthwiseBias = this.addWeight('depthwiseBias', [c * m], 'float32', this.biasInit);
    this.pointwiseKernel = this.addWeight(
      'pointwiseKernel',
      [1, 1, c * m, this.filters],
      'float32',
      this.pointwiseInit,
    );
    this.buildBias(this.filters);
    this.buildKernelTransforms();
    this.built = true;
  }

  elasticSpace(): ElasticSpace {
    return { maxOutChannels: this.filters, kernelSizeChoices: this.geometry.kernelSizeChoices };
  }

  /** `[depthwise [k, k, c, m] (transformed), pointwise [1, 1, c·m, outChannels], depthwise bias?, bias?]`. */
  protected activeWeights(c: number): tf.Tensor[] {
    const m = this.depthMultiplier;
    const dw = this.activeKernelOf(this.depthwiseKernel, c, m);
    const pw = prefix(built(this.name, this.pointwiseKernel).read(), [1, 1, c * m, this.activeOut]);
    if (this.depthwiseBias == null) return [dw, pw];
    return [dw, pw, prefix(this.depthwiseBias.read(), [c * m]), ...this.activeBias(this.activeOut)];
  }

  protected forward(x: tf.Tensor4D, [dw, pw, dwBias, bias]: tf.Tensor[]): tf.Tensor {
    const { x: xp, pad } = this.geometry.prepare(x, this.activeKernel);
    let h = tf.depthwiseConv2d(xp, dw as tf.Tensor4D, this.geometry.strides, pad, 'NHWC', this.geometry.dilationRate);
    if (dwBias != null) h = tf.add(h, dwBias);
    if (this.norm === 'instance') h = instanceNorm(h, { epsilon: this.epsilon });
    return tf.fused.conv2d({ x: h, filter: pw as tf.Tensor4D, strides: 1, pad: 'valid', bias });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return this.geometry.outputShape(this.name, singleShape(inputShape, this.name), this.activeKernel, this.filters);
  }

  /**
   * Depthwise `dwElements · k²` + instance norm (`dwElements` under `'torchprofile'`, 0 under
   * `'exact'`) + pointwise `outElements · C·m` MACs; the sliced kernels and biases as parameters.
   */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const s = singleShape(inputShape, this.name);
    const cm = (s[3] ?? Number.NaN) * this.depthMultiplier;
    const dwOut = numElements(this.geometry.outputShape(this.name, s, this.activeKernel, cm));
    const out = this.geometry.outputShape(this.name, s, this.activeKernel, this.activeOut);
    const k2 = this.activeKernel * this.activeKernel;
    const normMacs = this.norm === 'instance' && convention === 'torchprofile' ? dwOut : 0;
    const bias = this.useBias ? cm + this.activeOut : 0;
    return {
      macs: dwOut * k2 + normMacs + numElements(out) * cm,
      params: k2 * cm + cm * this.activeOut + bias,
      outputShape: out,
    };
  }

  /** The depthwise taps, depthwise bias and pointwise rows of an input channel move with it; the pointwise columns and the bias are the output. */
  channelAxes(): ChannelAxes {
    const m = this.depthMultiplier;
    return {
      inputs: [
        { weight: 'depthwiseKernel', axis: 2 },
        { weight: 'depthwiseBias', axis: 0, block: m },
        { weight: 'pointwiseKernel', axis: 2, block: m },
      ],
      outputs: [
        { weight: 'pointwiseKernel', axis: 3 },
        { weight: 'bias', axis: 0 },
      ],
    };
  }

  /**
   * A built-in DepthwiseConv2D (`<name>_dw`, after a padding layer when needed), an
   * {@link InstanceNorm} (`<name>_norm`) and a 1×1 Conv2D (`<name>`).
   */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const input = inputs[0] as tfl.SymbolicTensor;
    const c = this.checkInput(input.shape);
    let h = this.exportDepthwise(input, `${this.name}_dw`, this.depthMultiplier, () => {
      const [dw, , dwBias] = this.activeWeights(c);
      return [dw as tf.Tensor, ...(dwBias == null ? [] : [dwBias])];
    });
    if (this.norm === 'instance')
      h = new InstanceNorm({ name: `${this.name}_norm`, epsilon: this.epsilon }).apply(h) as tfl.SymbolicTensor;
    const pw = tfl.layers.conv2d({ name: this.name, filters: this.activeOut, kernelSize: 1, useBias: this.useBias });
    const y = pw.apply(h) as tfl.SymbolicTensor;
    fillWeights(pw, () => {
      const [, pwKernel, , bias] = this.activeWeights(c);
      return [pwKernel as tf.Tensor, ...(bias == null ? [] : [bias])];
    });
    return y;
  }
}
registerLayer(ElasticSeparableConv2d);
