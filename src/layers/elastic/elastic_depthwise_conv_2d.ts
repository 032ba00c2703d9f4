import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../errors.js';
import { assertInt } from '../../util/checks.js';
import { dilateKernel } from '../common/conv_transpose_op.js';
import { effectiveKernel } from '../common/geometry.js';
import { initializerConfig, resolveInitializer, type Initializer, type InitializerSpec } from '../common/initializer.js';
import type { Kwargs, LayerArgs } from '../common/layer_args.js';
import { built, inputChannels } from '../common/layer_checks.js';
import { numElements, type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../cost.js';
import { registerLayer, singleInput, singleShape } from '../layer_utils.js';
import type { ChannelPermutable, ChannelRole } from './channel_permutable.js';
import { ElasticConvGeometry, type ElasticConvGeometryConfig } from './elastic_geometry.js';
import { validateElasticSetting, type ElasticLayer, type ElasticSetting, type ElasticSpace } from './elastic_layer.js';
import { ActiveWeightCache } from './active_weight_cache.js';
import { KernelTransforms } from './kernel_transforms.js';
import type { StaticExportable } from './static_export.js';
import { permuteWeight, prefix } from './weight_ops.js';

/** Config of {@link ElasticDepthwiseConv2d}: `tf.layers.depthwiseConv2d`'s names plus `kernelSizeChoices` and `padMode`. */
export interface ElasticDepthwiseConv2dConfig extends LayerArgs, ElasticConvGeometryConfig {
  /** Output channels per input channel. Default 1. */
  depthMultiplier?: number;
  /** Default true. */
  useBias?: boolean;
  /** Default `'glorotUniform'`. */
  depthwiseInitializer?: InitializerSpec;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec;
  /** Seed for initializers given by name. */
  seed?: number;
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
export class ElasticDepthwiseConv2d extends tfl.layers.Layer implements ElasticLayer, CostedLayer, ChannelPermutable, StaticExportable {
  /** The name this class is registered and serialized under. */
  static className = 'ElasticDepthwiseConv2d';
  readonly depthMultiplier: number;
  /** @internal The resolved kernel, stride, dilation and padding rules. */
  readonly geometry: ElasticConvGeometry;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private readonly depthwiseInit: Initializer;
  private readonly biasInit: Initializer;
  private readonly transforms: KernelTransforms;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private activeKernel: number;
  private readonly cache = new ActiveWeightCache();

  constructor(config: ElasticDepthwiseConv2dConfig) {
    super(config);
    this.depthMultiplier = config.depthMultiplier ?? 1;
    assertInt(`${this.name}.depthMultiplier`, this.depthMultiplier, 1);
    this.geometry = new ElasticConvGeometry(this.name, config);
    this.useBias = config.useBias ?? true;
    this.seed = config.seed;
    if (this.seed != null) assertInt(`${this.name}.seed`, this.seed);
    this.depthwiseInit = resolveInitializer(`${this.name}.depthwiseInitializer`, config.depthwiseInitializer, 'glorotUniform', this.seed);
    this.biasInit = resolveInitializer(`${this.name}.biasInitializer`, config.biasInitializer, 'zeros', this.seed);
    this.transforms = new KernelTransforms(this.geometry.kernelSizeChoices);
    this.activeKernel = this.geometry.kernelSize;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const c = s[3];
    if (s.length !== 4 || c == null) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC) with a known channel count');
    const k = this.geometry.kernelSize;
    this.kernel = this.addWeight('depthwiseKernel', [k, k, c, this.depthMultiplier], 'float32', this.depthwiseInit);
    if (this.useBias) this.bias = this.addWeight('bias', [c * this.depthMultiplier], 'float32', this.biasInit);
    this.transforms.build((name, shape, init) => this.addWeight(name, shape, 'float32', init));
    this.built = true;
  }

  /** Maximum input width (the width the layer was built with). */
  get maxInChannels(): number {
    return this.kernelVariable().shape[2] as number;
  }

  elasticSpace(): ElasticSpace {
    return { kernelSizeChoices: this.geometry.kernelSizeChoices };
  }

  getActive(): ElasticSetting {
    return { kernelSize: this.activeKernel };
  }

  setActive(setting: ElasticSetting): void {
    this.activeKernel = validateElasticSetting(this.name, this.elasticSpace(), setting, this.getActive()).kernelSize as number;
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
      const c = this.checkInput(x.shape);
      const [filter, bias] = this.cache.get(`${c}|${this.activeKernel}`, this.weights.map((w) => w.read()), kwargs['training'] === true, () => [
        this.activeFilter(c),
        ...(this.bias == null ? [] : [prefix(this.bias.read(), [c * this.depthMultiplier])]),
      ]);
      const { x: xp, pad } = this.geometry.prepare(x, this.activeKernel);
      const y = tf.depthwiseConv2d(xp, filter as tf.Tensor4D, this.geometry.strides, pad, 'NHWC', this.geometry.dilationRate);
      return bias == null ? y : tf.add(y, bias);
    });
  }

  /** The active `[k, k, c, multiplier]` kernel (call inside a tidy). */
  private activeFilter(c: number): tf.Tensor4D {
    const k = this.geometry.kernelSize;
    return this.transforms.apply(prefix(this.kernelVariable().read() as tf.Tensor4D, [k, k, c, this.depthMultiplier]), this.activeKernel);
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
    const [oh, ow] = this.geometry.outputSize(this.activeKernel, s[1] ?? null, s[2] ?? null);
    return [s[0] ?? null, oh, ow, s[3] == null ? null : (s[3] as number) * this.depthMultiplier];
  }

  /** `outElements · k²` MACs; the sliced kernel and bias as parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention?: MacConvention): LayerCost {
    const out = this.computeOutputShape(inputShape);
    const cout = out[3] ?? Number.NaN;
    const k2 = this.activeKernel * this.activeKernel;
    return { macs: numElements(out) * k2, params: k2 * cout + (this.useBias ? cout : 0), outputShape: out };
  }

  channelRole(): ChannelRole {
    return { kind: 'follow', multiplier: this.depthMultiplier };
  }

  permuteInputChannels(perm: readonly number[]): void {
    permuteWeight(this.kernelVariable(), 2, perm);
    if (this.bias != null) permuteWeight(this.bias, 0, perm, this.depthMultiplier);
  }

  /**
   * A built-in DepthwiseConv2D (after a padding layer when needed) with the active, transformed
   * kernel. tfjs-layers' DepthwiseConv2D ignores `dilationRate`, so a dilated kernel is exported
   * spread out (zeros between the taps), which computes the same function.
   */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const input = inputs[0] as tfl.SymbolicTensor;
    const c = this.checkInput(input.shape);
    const { x, padding } = this.geometry.exportPadding(input, this.activeKernel, this.name);
    const [dh, dw] = this.geometry.dilationRate;
    const conv = tfl.layers.depthwiseConv2d({
      name: this.name,
      kernelSize: [effectiveKernel(this.activeKernel, dh), effectiveKernel(this.activeKernel, dw)],
      depthMultiplier: this.depthMultiplier,
      strides: this.geometry.strides,
      padding,
      useBias: this.useBias,
    });
    const y = conv.apply(x) as tfl.SymbolicTensor;
    const weights = tf.tidy(() => [tf.clone(dilateKernel(this.activeFilter(c), [dh, dw])), ...(this.bias == null ? [] : [tf.clone(prefix(this.bias.read(), [c * this.depthMultiplier]))])]);
    conv.setWeights(weights);
    tf.dispose(weights);
    return y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      depthMultiplier: this.depthMultiplier,
      ...this.geometry.getConfig(),
      useBias: this.useBias,
      ...initializerConfig({ depthwiseInitializer: this.depthwiseInit, biasInitializer: this.biasInit }, this.seed),
    };
  }
}
registerLayer(ElasticDepthwiseConv2d);
