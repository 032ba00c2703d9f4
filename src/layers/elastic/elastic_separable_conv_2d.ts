import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../errors.js';
import { assertFinite, assertInt, assertOneOf } from '../../util/checks.js';
import { dilateKernel } from '../common/conv_transpose_op.js';
import { effectiveKernel } from '../common/geometry.js';
import { initializerConfig, resolveInitializer, type Initializer, type InitializerSpec } from '../common/initializer.js';
import { InstanceNorm } from '../common/instance_norm.js';
import { instanceNorm } from '../common/instance_norm_op.js';
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
import { l1PerIndex, permuteWeight, prefix } from './weight_ops.js';

/** Config of {@link ElasticSeparableConv2d}. */
export interface ElasticSeparableConv2dConfig extends LayerArgs, ElasticConvGeometryConfig {
  /** Maximum (full) output width of the pointwise conv. */
  filters: number;
  /** Depthwise output channels per input channel (GAN Compression's `scale_factor`). Default 1. */
  depthMultiplier?: number;
  /** Norm between depthwise and pointwise: `'instance'` (default, GAN Compression) or `'none'`. */
  norm?: 'instance' | 'none';
  /** Instance-norm epsilon. Default 1e-5. */
  epsilon?: number;
  /** Biases on both convs. Default true. */
  useBias?: boolean;
  /** Default `'glorotUniform'`. */
  depthwiseInitializer?: InitializerSpec;
  /** Default `'glorotUniform'`. */
  pointwiseInitializer?: InitializerSpec;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec;
  /** Seed for initializers given by name. */
  seed?: number;
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
export class ElasticSeparableConv2d extends tfl.layers.Layer implements ElasticLayer, CostedLayer, ChannelPermutable, StaticExportable {
  /** The name this class is registered and serialized under. */
  static className = 'ElasticSeparableConv2d';
  readonly filters: number;
  readonly depthMultiplier: number;
  readonly norm: 'instance' | 'none';
  readonly epsilon: number;
  /** @internal The resolved kernel, stride, dilation and padding rules. */
  readonly geometry: ElasticConvGeometry;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private readonly depthwiseInit: Initializer;
  private readonly pointwiseInit: Initializer;
  private readonly biasInit: Initializer;
  private readonly transforms: KernelTransforms;
  private depthwiseKernel: tfl.LayerVariable | null = null;
  private depthwiseBias: tfl.LayerVariable | null = null;
  private pointwiseKernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private activeOut: number;
  private activeKernel: number;
  private readonly cache = new ActiveWeightCache();

  constructor(config: ElasticSeparableConv2dConfig) {
    super(config);
    assertInt(`${this.name}.filters`, config.filters, 1);
    this.filters = config.filters;
    this.depthMultiplier = config.depthMultiplier ?? 1;
    assertInt(`${this.name}.depthMultiplier`, this.depthMultiplier, 1);
    this.norm = config.norm ?? 'instance';
    assertOneOf(`${this.name}.norm`, this.norm, ['instance', 'none'] as const);
    this.epsilon = config.epsilon ?? 1e-5;
    assertFinite(`${this.name}.epsilon`, this.epsilon, { positive: true });
    this.geometry = new ElasticConvGeometry(this.name, config);
    this.useBias = config.useBias ?? true;
    this.seed = config.seed;
    if (this.seed != null) assertInt(`${this.name}.seed`, this.seed);
    // Distinct seeds so the two kernels are not drawn from the same stream.
    this.depthwiseInit = resolveInitializer(`${this.name}.depthwiseInitializer`, config.depthwiseInitializer, 'glorotUniform', this.seed);
    this.pointwiseInit = resolveInitializer(`${this.name}.pointwiseInitializer`, config.pointwiseInitializer, 'glorotUniform', this.seed == null ? undefined : this.seed + 1);
    this.biasInit = resolveInitializer(`${this.name}.biasInitializer`, config.biasInitializer, 'zeros', this.seed);
    this.transforms = new KernelTransforms(this.geometry.kernelSizeChoices);
    this.activeOut = this.filters;
    this.activeKernel = this.geometry.kernelSize;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const c = s[3];
    if (s.length !== 4 || c == null) throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC) with a known channel count');
    const k = this.geometry.kernelSize;
    const m = this.depthMultiplier;
    this.depthwiseKernel = this.addWeight('depthwiseKernel', [k, k, c, m], 'float32', this.depthwiseInit);
    if (this.useBias) this.depthwiseBias = this.addWeight('depthwiseBias', [c * m], 'float32', this.biasInit);
    this.pointwiseKernel = this.addWeight('pointwiseKernel', [1, 1, c * m, this.filters], 'float32', this.pointwiseInit);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInit);
    this.transforms.build((name, shape, init) => this.addWeight(name, shape, 'float32', init));
    this.built = true;
  }

  /** Maximum input width (the width the layer was built with). */
  get maxInChannels(): number {
    return this.variables().dw.shape[2] as number;
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
      const c = this.checkInput(x.shape);
      const [dw, dwBias, pw, bias] = this.cache.get(`${c}|${this.activeOut}|${this.activeKernel}`, this.weights.map((v) => v.read()), kwargs['training'] === true, () => {
        const a = this.activeWeights(c);
        return [a.dw, a.dwBias ?? tf.scalar(0), a.pw, a.bias ?? tf.scalar(0)];
      });
      const w = { dw: dw as tf.Tensor4D, dwBias: this.useBias ? dwBias : null, pw: pw as tf.Tensor4D, bias: this.useBias ? bias : null };
      const { x: xp, pad } = this.geometry.prepare(x, this.activeKernel);
      let h = tf.depthwiseConv2d(xp, w.dw, this.geometry.strides, pad, 'NHWC', this.geometry.dilationRate);
      if (w.dwBias != null) h = tf.add(h, w.dwBias);
      if (this.norm === 'instance') h = instanceNorm(h, { epsilon: this.epsilon });
      return tf.fused.conv2d({ x: h, filter: w.pw, strides: 1, pad: 'valid', bias: w.bias ?? undefined });
    });
  }

  /** The active weights for `c` input channels (call inside a tidy). */
  private activeWeights(c: number): { dw: tf.Tensor4D; dwBias: tf.Tensor | null; pw: tf.Tensor4D; bias: tf.Tensor | null } {
    const v = this.variables();
    const k = this.geometry.kernelSize;
    const m = this.depthMultiplier;
    return {
      dw: this.transforms.apply(prefix(v.dw.read() as tf.Tensor4D, [k, k, c, m]), this.activeKernel),
      dwBias: this.depthwiseBias == null ? null : prefix(this.depthwiseBias.read(), [c * m]),
      pw: prefix(v.pw.read() as tf.Tensor4D, [1, 1, c * m, this.activeOut]),
      bias: this.bias == null ? null : prefix(this.bias.read(), [this.activeOut]),
    };
  }

  private variables(): { dw: tfl.LayerVariable; pw: tfl.LayerVariable } {
    return { dw: built(this.name, this.depthwiseKernel), pw: built(this.name, this.pointwiseKernel) };
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

  /**
   * Depthwise `dwElements · k²` + instance norm (`dwElements` under `'torchprofile'`, 0 under
   * `'exact'`) + pointwise `outElements · C·m` MACs; the sliced kernels and biases as parameters.
   */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const s = singleShape(inputShape, this.name);
    const cm = (s[3] ?? Number.NaN) * this.depthMultiplier;
    const [oh, ow] = this.geometry.outputSize(this.activeKernel, s[1] ?? null, s[2] ?? null);
    const dwOut = numElements([s[0] ?? null, oh, ow, cm]);
    const out = [s[0] ?? null, oh, ow, this.activeOut];
    const k2 = this.activeKernel * this.activeKernel;
    const normMacs = this.norm === 'instance' && convention === 'torchprofile' ? dwOut : 0;
    const bias = this.useBias ? cm + this.activeOut : 0;
    return { macs: dwOut * k2 + normMacs + numElements(out) * cm, params: k2 * cm + cm * this.activeOut + bias, outputShape: out };
  }

  channelRole(): ChannelRole {
    return { kind: 'produce' };
  }

  permuteInputChannels(perm: readonly number[]): void {
    const v = this.variables();
    permuteWeight(v.dw, 2, perm);
    if (this.depthwiseBias != null) permuteWeight(this.depthwiseBias, 0, perm, this.depthMultiplier);
    permuteWeight(v.pw, 2, perm, this.depthMultiplier);
  }

  permuteOutputChannels(perm: readonly number[]): void {
    permuteWeight(this.variables().pw, 3, perm);
    if (this.bias != null) permuteWeight(this.bias, 0, perm);
  }

  outputChannelImportance(): Float32Array {
    return l1PerIndex(this.variables().pw.read(), 3);
  }

  /** L1 norm of every weight that reads input channel c (its depthwise taps and its pointwise rows). */
  inputChannelImportance(): Float32Array {
    const v = this.variables();
    const dw = l1PerIndex(v.dw.read(), 2);
    const pw = l1PerIndex(v.pw.read(), 2, this.depthMultiplier);
    return dw.map((a, i) => a + (pw[i] as number));
  }

  /**
   * A built-in DepthwiseConv2D (`<name>_dw`, after a padding layer when needed), an
   * {@link InstanceNorm} (`<name>_norm`) and a 1×1 Conv2D (`<name>`).
   */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const input = inputs[0] as tfl.SymbolicTensor;
    const c = this.checkInput(input.shape);
    const { x, padding } = this.geometry.exportPadding(input, this.activeKernel, this.name);
    const [dh, dwd] = this.geometry.dilationRate;
    const dw = tfl.layers.depthwiseConv2d({
      name: `${this.name}_dw`,
      kernelSize: [effectiveKernel(this.activeKernel, dh), effectiveKernel(this.activeKernel, dwd)],
      depthMultiplier: this.depthMultiplier,
      strides: this.geometry.strides,
      padding,
      useBias: this.useBias,
    });
    let h = dw.apply(x) as tfl.SymbolicTensor;
    if (this.norm === 'instance') h = new InstanceNorm({ name: `${this.name}_norm`, epsilon: this.epsilon }).apply(h) as tfl.SymbolicTensor;
    const pw = tfl.layers.conv2d({ name: this.name, filters: this.activeOut, kernelSize: 1, useBias: this.useBias });
    const y = pw.apply(h) as tfl.SymbolicTensor;
    const weights = tf.tidy(() => {
      const w = this.activeWeights(c);
      const dwWeights = [tf.clone(dilateKernel(w.dw, [dh, dwd])), ...(w.dwBias == null ? [] : [tf.clone(w.dwBias)])];
      const pwWeights = [tf.clone(w.pw), ...(w.bias == null ? [] : [tf.clone(w.bias)])];
      return { dwWeights, pwWeights };
    });
    dw.setWeights(weights.dwWeights);
    pw.setWeights(weights.pwWeights);
    tf.dispose([...weights.dwWeights, ...weights.pwWeights]);
    return y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      depthMultiplier: this.depthMultiplier,
      norm: this.norm,
      epsilon: this.epsilon,
      ...this.geometry.getConfig(),
      useBias: this.useBias,
      ...initializerConfig({ depthwiseInitializer: this.depthwiseInit, pointwiseInitializer: this.pointwiseInit, biasInitializer: this.biasInit }, this.seed),
    };
  }
}
registerLayer(ElasticSeparableConv2d);
