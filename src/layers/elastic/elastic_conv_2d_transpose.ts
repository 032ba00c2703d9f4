import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../errors.js';
import { assertInt } from '../../util/checks.js';
import { ConvTranspose2d } from '../common/conv_transpose_2d.js';
import { convTranspose2d, convTransposeConfig, convTransposeCost, convTransposeOutputShape, resolveConvTransposeGeometry, type ConvTransposeGeometry, type ResolvedConvTransposeGeometry } from '../common/conv_transpose_op.js';
import { intPair } from '../common/geometry.js';
import { initializerConfig, resolveInitializer, type Initializer } from '../common/initializer.js';
import type { ConvWeightOptions, Kwargs, LayerArgs } from '../common/layer_args.js';
import { built, inputChannels } from '../common/layer_checks.js';
import { type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../cost.js';
import { registerLayer, singleInput, singleShape } from '../layer_utils.js';
import type { ChannelPermutable, ChannelRole } from './channel_permutable.js';
import { validateElasticSetting, type ElasticLayer, type ElasticSetting, type ElasticSpace } from './elastic_layer.js';
import { ActiveWeightCache } from './active_weight_cache.js';
import type { StaticExportable } from './static_export.js';
import { l1PerIndex, permuteWeight, prefix } from './weight_ops.js';

/** Config of {@link ElasticConv2dTranspose}: `tf.layers.conv2dTranspose`'s names with PyTorch's geometry. */
export interface ElasticConv2dTransposeConfig extends LayerArgs, ConvWeightOptions, ConvTransposeGeometry {
  /** Maximum (full) output width. */
  filters: number;
  /** Kernel size `k` or `[kh, kw]` (not elastic). */
  kernelSize: number | [number, number];
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
export class ElasticConv2dTranspose extends tfl.layers.Layer implements ElasticLayer, CostedLayer, ChannelPermutable, StaticExportable {
  /** The name this class is registered and serialized under. */
  static className = 'ElasticConv2dTranspose';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly geometry: ResolvedConvTransposeGeometry;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private activeOut: number;
  private readonly cache = new ActiveWeightCache();

  constructor(config: ElasticConv2dTransposeConfig) {
    super(config);
    assertInt(`${this.name}.filters`, config.filters, 1);
    this.filters = config.filters;
    this.kernelSize = intPair(`${this.name}.kernelSize`, config.kernelSize, 1);
    this.geometry = resolveConvTransposeGeometry(config);
    this.useBias = config.useBias ?? true;
    this.seed = config.seed;
    if (this.seed != null) assertInt(`${this.name}.seed`, this.seed);
    this.kernelInit = resolveInitializer(`${this.name}.kernelInitializer`, config.kernelInitializer, 'glorotUniform', this.seed);
    this.biasInit = resolveInitializer(`${this.name}.biasInitializer`, config.biasInitializer, 'zeros', this.seed);
    this.activeOut = this.filters;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const cin = s[3];
    if (s.length !== 4 || cin == null) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC) with a known channel count');
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, cin], 'float32', this.kernelInit);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInit);
    this.built = true;
  }

  /** Maximum input width (the width the layer was built with). */
  get maxInChannels(): number {
    return this.kernelVariable().shape[3] as number;
  }

  elasticSpace(): ElasticSpace {
    return { maxOutChannels: this.filters };
  }

  getActive(): ElasticSetting {
    return { outChannels: this.activeOut };
  }

  setActive(setting: ElasticSetting): void {
    this.activeOut = validateElasticSetting(this.name, this.elasticSpace(), setting, this.getActive()).outChannels as number;
    this.cache.clear();
  }

  /** Frees the cached active weights along with the layer's weights. */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    this.cache.clear();
    return super.dispose();
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs = {}): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name) as tf.Tensor4D;
      const cin = this.checkInput(x.shape);
      const [kernel, bias] = this.cache.get(`${cin}|${this.activeOut}`, this.weights.map((v) => v.read()), kwargs['training'] === true, () => {
        const w = this.activeWeights(cin);
        return [w.kernel, ...(w.bias == null ? [] : [w.bias])];
      });
      return convTranspose2d(x, kernel as tf.Tensor4D, (bias as tf.Tensor1D | undefined) ?? null, this.geometry);
    });
  }

  private activeWeights(cin: number): { kernel: tf.Tensor4D; bias: tf.Tensor1D | null } {
    const [kh, kw] = this.kernelSize;
    return {
      kernel: prefix(this.kernelVariable().read() as tf.Tensor4D, [kh, kw, this.activeOut, cin]),
      bias: this.bias == null ? null : prefix(this.bias.read() as tf.Tensor1D, [this.activeOut]),
    };
  }

  private kernelVariable(): tfl.LayerVariable {
    return built(this.name, this.kernel);
  }

  private checkInput(shape: readonly (number | null)[]): number {
    return inputChannels(this.name, shape, this.maxInChannels);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    if (s.length !== 4) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC)');
    return convTransposeOutputShape(s, this.kernelSize, this.geometry, this.filters);
  }

  /** `'torchprofile'`: `outElements·Cin·kh·kw`; `'exact'`: `inElements·Cout·kh·kw`; sliced kernel + bias as parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    return convTransposeCost(singleShape(inputShape, this.name), this.kernelSize, this.geometry, this.activeOut, this.useBias, convention);
  }

  channelRole(): ChannelRole {
    return { kind: 'produce' };
  }

  permuteInputChannels(perm: readonly number[]): void {
    permuteWeight(this.kernelVariable(), 3, perm);
  }

  permuteOutputChannels(perm: readonly number[]): void {
    permuteWeight(this.kernelVariable(), 2, perm);
    if (this.bias != null) permuteWeight(this.bias, 0, perm);
  }

  outputChannelImportance(): Float32Array {
    return l1PerIndex(this.kernelVariable().read(), 2);
  }

  inputChannelImportance(): Float32Array {
    return l1PerIndex(this.kernelVariable().read(), 3);
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
    const crops = [0, 1].map((a) => [g.padding[a] as number, Math.max((g.strides[a] as number) - (this.kernelSize[a] as number), 0) + (g.padding[a] as number) - (g.outputPadding[a] as number)]);
    const cropped = crops.some(([a, b]) => a !== 0 || b !== 0);
    const spatialKnown = input.shape[1] != null && input.shape[2] != null;
    const builtIn = g.dilationRate.every((d) => d === 1) && crops.every(([, after]) => (after as number) >= 0) && (spatialKnown || !cropped);
    let layer: tfl.layers.Layer;
    let y: tfl.SymbolicTensor;
    if (builtIn) {
      layer = tfl.layers.conv2dTranspose({ name: cropped ? `${this.name}_conv` : this.name, filters: this.activeOut, kernelSize: this.kernelSize, strides: g.strides, padding: 'valid', useBias: this.useBias });
      y = layer.apply(input) as tfl.SymbolicTensor;
      if (cropped) y = tfl.layers.cropping2D({ name: this.name, cropping: crops as [[number, number], [number, number]] }).apply(y) as tfl.SymbolicTensor;
    } else {
      layer = new ConvTranspose2d({ name: this.name, filters: this.activeOut, kernelSize: this.kernelSize, ...g, useBias: this.useBias });
      y = layer.apply(input) as tfl.SymbolicTensor;
    }
    const weights = tf.tidy(() => {
      const w = this.activeWeights(cin);
      return [tf.clone(w.kernel), ...(w.bias == null ? [] : [tf.clone(w.bias)])];
    });
    layer.setWeights(weights);
    tf.dispose(weights);
    return y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...convTransposeConfig(this.kernelSize, this.geometry),
      useBias: this.useBias,
      ...initializerConfig({ kernelInitializer: this.kernelInit, biasInitializer: this.biasInit }, this.seed),
    };
  }
}
registerLayer(ElasticConv2dTranspose);
