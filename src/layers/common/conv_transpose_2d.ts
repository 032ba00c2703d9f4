import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import { type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import { registerLayer, singleInput, singleShape } from '../core/index.js';
import type { ChannelAxes, ChannelRole, HasChannelAxes } from '../core/index.js';
import {
  CONV_TRANSPOSE_LAYER_OPTIONS,
  convTransposeChannelAxes,
  convTransposeCost,
  convTransposeGeometryOf,
  convTransposeOutputShape,
  type ConvTransposeLayerOptions,
  type ResolvedConvTransposeGeometry,
} from './conv_transpose_geometry.js';
import { convTranspose2d } from './conv_transpose_op.js';
import { baseLayerArgs, CONV_WEIGHT_OPTIONS, type Initializer, type OptionValues } from '../core/index.js';
import type { ConvWeightOptions, LayerArgs } from '../core/index.js';

/**
 * Config of {@link ConvTranspose2d}: `tf.layers.conv2dTranspose`'s names plus PyTorch's geometry
 * (`filters`: output channels; `kernelSize`: `k` or `[kh, kw]`).
 */
export interface ConvTranspose2dConfig extends LayerArgs, ConvWeightOptions, ConvTransposeLayerOptions {}

/**
 * PyTorch's `ConvTranspose2d` for NHWC tensors: output size `(n − 1)·s − 2p + d·(k − 1) + op + 1`
 * per axis, so PyTorch generators port exactly (tfjs's `conv2dTranspose` layer only knows
 * `'same'`/`'valid'` and no output padding or dilation). The kernel is in tfjs's layout
 * `[kh, kw, filters, inChannels]`; a PyTorch weight `[in, out, kh, kw]` is permuted by `[2, 3, 1, 0]`.
 *
 * MACs (`computeCost`): `'torchprofile'` counts `outElements · Cin · kh · kw` (torchprofile 0.0.1),
 * `'exact'` counts `inElements · Cout · kh · kw`.
 *
 * @example
 * ```ts
 * // nn.ConvTranspose2d(256, 128, 3, stride=2, padding=1, output_padding=1)
 * const up = new ConvTranspose2d({ filters: 128, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 });
 * ```
 */
export class ConvTranspose2d extends tfl.layers.Layer implements CostedLayer, HasChannelAxes {
  /** The name this class is registered and serialized under. */
  static className = 'ConvTranspose2d';
  /** The options it takes: {@link ConvTransposeLayerOptions} and {@link ConvWeightOptions}. */
  static readonly options = CONV_TRANSPOSE_LAYER_OPTIONS.extend(CONV_WEIGHT_OPTIONS);
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly geometry: ResolvedConvTransposeGeometry;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private readonly values: OptionValues<typeof ConvTranspose2d.options>;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(config: ConvTranspose2dConfig) {
    super(baseLayerArgs(config));
    this.values = ConvTranspose2d.options.parse(this.name, config);
    ({
      filters: this.filters,
      kernelSize: this.kernelSize,
      useBias: this.useBias,
      seed: this.seed,
      kernelInitializer: this.kernelInit,
      biasInitializer: this.biasInit,
    } = this.values);
    this.geometry = convTransposeGeometryOf(this.values);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const cin = s[3];
    if (s.length !== 4 || cin == null)
      throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC) with a known channel count');
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, cin], 'float32', this.kernelInit);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInit);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name) as tf.Tensor4D;
      return convTranspose2d(
        x,
        this.kernel?.read() as tf.Tensor4D,
        (this.bias?.read() as tf.Tensor1D | undefined) ?? null,
        this.geometry,
      );
    });
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

  /** `'torchprofile'`: `outElements·Cin·kh·kw`; `'exact'`: `inElements·Cout·kh·kw`. */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    return convTransposeCost(
      this.name,
      singleShape(inputShape, this.name),
      this.kernelSize,
      this.geometry,
      this.filters,
      this.useBias,
      convention,
    );
  }

  /** A new channel space, read at the width the layer was built with (its kernel is not sliced). */
  channelRole(): ChannelRole {
    return { kind: 'produce', fixedInputWidth: true };
  }

  /** The kernel's input axis; the kernel's output axis and the bias. */
  channelAxes(): ChannelAxes {
    return convTransposeChannelAxes();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...ConvTranspose2d.options.config(this.values) };
  }
}
registerLayer(ConvTranspose2d);
