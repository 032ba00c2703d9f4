import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConvTranspose2d } from '../common/index.js';
import {
  CONV_TRANSPOSE_LAYER_OPTIONS,
  convTransposeChannelAxes,
  convTransposeCost,
  convTransposeGeometryOf,
  convTransposeOutputShape,
  type ConvTransposeLayerOptions,
  type ResolvedConvTransposeGeometry,
} from '../common/index.js';
import { convTranspose2d } from '../common/index.js';
import { option, type Initializer, type InitializerSpec, type OptionValues } from '../core/index.js';
import { built } from '../core/index.js';
import type { LayerCost, LayerShape, MacConvention } from '../core/index.js';
import { registerLayer, singleShape } from '../core/index.js';
import type { ChannelAxes } from '../core/index.js';
import { ELASTIC_CONV_BASE_OPTIONS, ElasticConvBase, type ElasticConvBaseArgs } from './elastic_conv_base.js';
import type { ElasticSpace } from '../core/index.js';
import { fillWeights, prefix } from '../core/index.js';

/**
 * Config of {@link ElasticConv2dTranspose}: `tf.layers.conv2dTranspose`'s names with PyTorch's
 * geometry (`filters`: the maximum, full output width; `kernelSize`: `k` or `[kh, kw]`, not elastic).
 */
export interface ElasticConv2dTransposeConfig extends ElasticConvBaseArgs, ConvTransposeLayerOptions {
  /** Default `'glorotUniform'`. */
  kernelInitializer?: InitializerSpec;
}

/**
 * Elastic transposed conv with PyTorch `ConvTranspose2d` geometry (GAN Compression's
 * SuperConvTranspose2d): full kernel `[kh, kw, filters, inMax]` (tfjs layout); runs the first
 * `outChannels` filters on the channels the input has. Output size per axis
 * `(n − 1)·s − 2p + d·(k − 1) + op + 1`.
 *
 * @example
 * ```ts
 * const up = new ElasticConv2dTranspose({ filters: 128, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 });
 * up.setActive({ outChannels: 48 });
 * ```
 */
export class ElasticConv2dTranspose extends ElasticConvBase {
  /** The name this class is registered and serialized under. */
  static className = 'ElasticConv2dTranspose';
  /** The options it takes (see {@link ElasticConv2dTransposeConfig}). */
  static readonly options = ELASTIC_CONV_BASE_OPTIONS.extend(CONV_TRANSPOSE_LAYER_OPTIONS).extend({
    kernelInitializer: option.initializer({ default: 'glorotUniform' }),
  });
  /** Maximum (full) output width. */
  readonly filters: number;
  /** Kernel size `[kh, kw]`. */
  readonly kernelSize: [number, number];
  /** Strides, padding, output padding and dilation, resolved. */
  readonly geometry: ResolvedConvTransposeGeometry;
  declare protected readonly options: OptionValues<typeof ElasticConv2dTranspose.options>;
  private readonly kernelInit: Initializer;
  private kernel: tfl.LayerVariable | null = null;

  constructor(config: ElasticConv2dTransposeConfig) {
    super(config, ElasticConv2dTranspose.options);
    ({ filters: this.filters, kernelSize: this.kernelSize, kernelInitializer: this.kernelInit } = this.options);
    this.geometry = convTransposeGeometryOf(this.options);
    this.activeOut = this.filters;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const cin = this.buildInputWidth(inputShape);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, cin], 'float32', this.kernelInit);
    this.buildBias(this.filters);
    this.built = true;
  }

  elasticSpace(): ElasticSpace {
    return { maxOutChannels: this.filters };
  }

  /** `[kernel [kh, kw, outChannels, cin], bias?]`. */
  protected activeWeights(cin: number): tf.Tensor[] {
    const kernel = prefix(built(this.name, this.kernel).read(), [...this.kernelSize, this.activeOut, cin]);
    return [kernel, ...this.activeBias(this.activeOut)];
  }

  protected forward(x: tf.Tensor4D, [kernel, bias]: tf.Tensor[]): tf.Tensor {
    return convTranspose2d(x, kernel as tf.Tensor4D, (bias as tf.Tensor1D | undefined) ?? null, this.geometry);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return convTransposeOutputShape(
      this.name,
      singleShape(inputShape, this.name),
      this.kernelSize,
      this.geometry,
      this.filters,
    );
  }

  /** `'torchprofile'`: `outElements·Cin·kh·kw`; `'exact'`: `inElements·Cout·kh·kw`; sliced kernel + bias as parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    return convTransposeCost(
      this.name,
      singleShape(inputShape, this.name),
      this.kernelSize,
      this.geometry,
      this.activeOut,
      this.useBias,
      convention,
    );
  }

  channelAxes(): ChannelAxes {
    return convTransposeChannelAxes();
  }

  /**
   * A built-in Conv2DTranspose (`'valid'`) followed by a Cropping2D of `p` at the top/left and
   * `max(s − k, 0) + p − op` at the bottom/right, which is PyTorch's geometry whenever that crop
   * is non-negative and the dilation is 1; otherwise this library's {@link ConvTranspose2d}.
   * A cropped form also needs known input height and width: tfjs's Cropping2D turns an unknown
   * size into a negative one, which breaks every layer after it in a fully convolutional net.
   */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const input = inputs[0] as tfl.SymbolicTensor;
    const cin = this.checkInput(input.shape);
    const g = this.geometry;
    const crops = [0, 1].map((a) => [
      g.padding[a] as number,
      Math.max((g.strides[a] as number) - (this.kernelSize[a] as number), 0) +
        (g.padding[a] as number) -
        (g.outputPadding[a] as number),
    ]);
    const cropped = crops.some(([a, b]) => a !== 0 || b !== 0);
    const spatialKnown = input.shape[1] != null && input.shape[2] != null;
    const builtIn =
      g.dilationRate.every((d) => d === 1) &&
      crops.every(([, after]) => (after as number) >= 0) &&
      (spatialKnown || !cropped);
    let layer: tfl.layers.Layer;
    let y: tfl.SymbolicTensor;
    if (builtIn) {
      layer = tfl.layers.conv2dTranspose({
        name: cropped ? `${this.name}_conv` : this.name,
        filters: this.activeOut,
        kernelSize: this.kernelSize,
        strides: g.strides,
        padding: 'valid',
        useBias: this.useBias,
      });
      y = layer.apply(input) as tfl.SymbolicTensor;
      if (cropped)
        y = tfl.layers
          .cropping2D({ name: this.name, cropping: crops as [[number, number], [number, number]] })
          .apply(y) as tfl.SymbolicTensor;
    } else {
      layer = new ConvTranspose2d({
        name: this.name,
        filters: this.activeOut,
        kernelSize: this.kernelSize,
        ...g,
        useBias: this.useBias,
      });
      y = layer.apply(input) as tfl.SymbolicTensor;
    }
    fillWeights(layer, () => this.activeWeights(cin));
    return y;
  }
}
registerLayer(ElasticConv2dTranspose);
