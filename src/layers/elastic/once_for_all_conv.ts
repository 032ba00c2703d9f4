import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../errors.js';
import { assertInt } from '../../util/checks.js';
import { initializerConfig, resolveInitializer, type Initializer } from '../common/initializer.js';
import type { ConvWeightOptions, Kwargs, LayerArgs } from '../common/layer_args.js';
import { built, inputChannels } from '../common/layer_checks.js';
import { numElements, type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../cost.js';
import { registerLayer, singleInput, singleShape } from '../layer_utils.js';
import type { ChannelPermutable, ChannelRole } from './channel_permutable.js';
import { ElasticConvGeometry, type ElasticConvGeometryConfig } from './elastic_geometry.js';
import { validateElasticSetting, type ElasticLayer, type ElasticSetting, type ElasticSpace } from './elastic_layer.js';
import { ActiveWeightCache } from './active_weight_cache.js';
import { KernelTransforms } from './kernel_transforms.js';
import type { StaticExportable } from './static_export.js';
import { l1PerIndex, permuteWeight, prefix } from './weight_ops.js';

/** Config of {@link OnceForAllConv}: `tf.layers.conv2d`'s names plus `kernelSizeChoices` and `padMode`. */
export interface OnceForAllConvConfig extends LayerArgs, ConvWeightOptions, ElasticConvGeometryConfig {
  /** Maximum (full) output width. */
  filters: number;
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
export class OnceForAllConv extends tfl.layers.Layer implements ElasticLayer, CostedLayer, ChannelPermutable, StaticExportable {
  /** The name this class is registered and serialized under. */
  static className = 'OnceForAllConv';
  readonly filters: number;
  /** @internal The resolved kernel, stride, dilation and padding rules. */
  readonly geometry: ElasticConvGeometry;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private readonly transforms: KernelTransforms;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private activeOut: number;
  private activeKernel: number;
  private readonly cache = new ActiveWeightCache();

  constructor(config: OnceForAllConvConfig) {
    super(config);
    assertInt(`${this.name}.filters`, config.filters, 1);
    this.filters = config.filters;
    this.geometry = new ElasticConvGeometry(this.name, config);
    this.useBias = config.useBias ?? true;
    this.seed = config.seed;
    if (this.seed != null) assertInt(`${this.name}.seed`, this.seed);
    this.kernelInit = resolveInitializer(`${this.name}.kernelInitializer`, config.kernelInitializer, 'glorotUniform', this.seed);
    this.biasInit = resolveInitializer(`${this.name}.biasInitializer`, config.biasInitializer, 'zeros', this.seed);
    this.transforms = new KernelTransforms(this.geometry.kernelSizeChoices);
    this.activeOut = this.filters;
    this.activeKernel = this.geometry.kernelSize;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const cin = s[3];
    if (s.length !== 4 || cin == null) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC) with a known channel count');
    const k = this.geometry.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, cin, this.filters], 'float32', this.kernelInit);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInit);
    this.transforms.build((name, shape, init) => this.addWeight(name, shape, 'float32', init));
    this.built = true;
  }

  /** Maximum input width (the width the layer was built with). */
  get maxInChannels(): number {
    return this.kernelVariable().shape[2] as number;
  }

  elasticSpace(): ElasticSpace {
    return { maxOutChannels: this.filters, kernelSizeChoices: this.geometry.kernelSizeChoices };
  }

  getActive(): ElasticSetting {
    return { outChannels: this.activeOut, kernelSize: this.activeKernel };
  }

  setActive(setting: ElasticSetting): void {
    const next = validateElasticSetting(this.name, this.elasticSpace(), setting, this.getActive());
    this.activeOut = next.outChannels as number;
    this.activeKernel = next.kernelSize as number;
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
      const [filter, bias] = this.cache.get(`${cin}|${this.activeOut}|${this.activeKernel}`, this.weights.map((w) => w.read()), kwargs['training'] === true, () => [
        this.activeFilter(cin),
        ...(this.bias == null ? [] : [prefix(this.bias.read(), [this.activeOut])]),
      ]);
      const { x: xp, pad } = this.geometry.prepare(x, this.activeKernel);
      return tf.fused.conv2d({ x: xp, filter: filter as tf.Tensor4D, strides: this.geometry.strides, pad, dilations: this.geometry.dilationRate, bias });
    });
  }

  /** The active `[k, k, cin, outChannels]` kernel (call inside a tidy). */
  private activeFilter(cin: number): tf.Tensor4D {
    const k = this.geometry.kernelSize;
    const sliced = prefix(this.kernelVariable().read() as tf.Tensor4D, [k, k, cin, this.activeOut]);
    return this.transforms.apply(sliced, this.activeKernel);
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
    return [s[0] ?? null, oh, ow, this.filters];
  }

  /** `outElements · Cin · k²` MACs and the sliced kernel + bias as parameters, at the active setting. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention?: MacConvention): LayerCost {
    const s = singleShape(inputShape, this.name);
    const cin = s[3] ?? Number.NaN;
    const [oh, ow] = this.geometry.outputSize(this.activeKernel, s[1] ?? null, s[2] ?? null);
    const out = [s[0] ?? null, oh, ow, this.activeOut];
    const k2 = this.activeKernel * this.activeKernel;
    return { macs: numElements(out) * cin * k2, params: k2 * cin * this.activeOut + (this.useBias ? this.activeOut : 0), outputShape: out };
  }

  channelRole(): ChannelRole {
    return { kind: 'produce' };
  }

  permuteInputChannels(perm: readonly number[]): void {
    permuteWeight(this.kernelVariable(), 2, perm);
  }

  permuteOutputChannels(perm: readonly number[]): void {
    permuteWeight(this.kernelVariable(), 3, perm);
    if (this.bias != null) permuteWeight(this.bias, 0, perm);
  }

  outputChannelImportance(): Float32Array {
    return l1PerIndex(this.kernelVariable().read(), 3);
  }

  inputChannelImportance(): Float32Array {
    return l1PerIndex(this.kernelVariable().read(), 2);
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
    const weights = tf.tidy(() => [tf.clone(this.activeFilter(cin)), ...(this.bias == null ? [] : [tf.clone(prefix(this.bias.read(), [this.activeOut]))])]);
    conv.setWeights(weights);
    tf.dispose(weights);
    return y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...this.geometry.getConfig(),
      useBias: this.useBias,
      ...initializerConfig({ kernelInitializer: this.kernelInit, biasInitializer: this.biasInit }, this.seed),
    };
  }
}
registerLayer(OnceForAllConv);
