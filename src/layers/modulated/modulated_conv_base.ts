import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../../util/index.js';
import { Random } from '../../util/index.js';
import {
  baseLayerArgs,
  normalInitializer,
  reseeded,
  seededInitializer,
  type LayerArgs,
  type OptionSchema,
} from '../core/index.js';
import type { Kwargs } from '../core/index.js';
import { inputChannels } from '../core/index.js';
import { numElements, type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import { ActiveWeightCache } from '../core/index.js';
import type { ChannelPermutable, ChannelRole } from '../core/index.js';
import type { StaticExportable } from '../core/index.js';
import { fillWeights } from '../core/index.js';
import { scaledLeakyRelu } from './activation.js';
import { demodulationCoefficients, kernelEnergy, separableKernelEnergy } from './demodulation.js';
import { modulatedConv2d, modulatedDwConv2d } from './modulated_conv_op.js';
import {
  modulatedSpec,
  type ModulatedConvKind,
  type ModulatedConvOptions,
  type ModulatedConvValues,
  type ModulatedSpec,
  type NoiseMode,
  type StyledOutputOptions,
} from './modulated_spec.js';
import { ModulatedWeights, type RoleValues, type WeightRole, type WeightSpec } from './modulated_weights.js';

/**
 * The machinery every modulated conv layer shares: the style's affine map, the conv weights
 * (dense or depthwise-separable), MobileStyleGAN's `styleInv`, the noise / bias / activation
 * that follow, first-k slicing of the input width (taken from the input) and of the output
 * width, cost, channel permutation and static export. Inputs are `[x, style]`: `x`
 * `[N, H, W, C]` and `style` `[N, styleDim]`. The concrete layers are {@link ModulatedConv2d},
 * {@link ModulatedDWConv2d}, {@link StyledConv}, {@link ToWavelets} and {@link FusedModulatedConv2d}.
 *
 * @example
 * ```ts
 * const convs = model.layers.filter((l) => l instanceof ModulatedConvBase);
 * ```
 */
export abstract class ModulatedConvBase
  extends tfl.layers.Layer
  implements CostedLayer, ChannelPermutable, StaticExportable
{
  /** Every option, resolved (read-only: change a layer by building another). */
  readonly spec: ModulatedSpec;
  /** Seed of the initializers and of the random noise, if given. */
  readonly seed: number | undefined;
  /** @internal */
  protected readonly modulatedWeights = new ModulatedWeights();
  /** @internal The output width that runs (the full `filters` unless an elastic subclass narrows it). */
  protected activeOut: number;
  /** @internal */
  protected readonly cache = new ActiveWeightCache();
  private readonly schema: OptionSchema<ModulatedConvValues>;
  private readonly options: ModulatedConvValues;
  private builtFanIn: number | null = null;
  private builtWidth: number | null = null;
  private builtSize: [number | null, number | null] = [null, null];
  private noiseStream: Random | null = null;

  /**
   * @param config The layer's config (options, initializers, seed).
   * @param schema The class's option schema ({@link MODULATED_CONV_OPTIONS} with the class's
   *   defaults, fixed options and additions): the config is checked and resolved by it, and
   *   `getConfig` writes from it.
   */
  protected constructor(config: LayerArgs, schema: OptionSchema<ModulatedConvValues>) {
    super(baseLayerArgs(config));
    this.schema = schema;
    this.options = schema.parse(this.name, config);
    this.spec = modulatedSpec(this.options);
    this.seed = this.options.seed;
    this.activeOut = this.spec.filters;
    if (this.seed != null) this.noiseStream = new Random(this.seed + 4);
  }

  /** Output channels (the maximum width). */
  get filters(): number {
    return this.spec.filters;
  }

  /** The equalized-learning-rate fan-in in use (known once built). */
  get fanIn(): number {
    return this.spec.fanIn ?? this.builtFanIn ?? Number.NaN;
  }

  /** Maximum input width (the width the layer was built with). */
  get maxInChannels(): number {
    if (this.builtWidth == null) throw new ShapeError(this.name, [], 'a built layer (apply it to [x, style] first)');
    return this.builtWidth;
  }

  /**
   * The roles of the weights in `this.weights` order (parameters first, then buffers:
   * the order `getWeights` / `setWeights` use).
   */
  weightRoles(): WeightRole[] {
    return this.weights.map((v) => this.modulatedWeights.roleOf(v));
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [x] = this.splitShapes(inputShape);
    const c = x[3];
    if (c == null) throw new ShapeError(`${this.name} x`, x, '[N, H, W, C] with a known channel count');
    const s = this.spec;
    const k = s.kernelSize;
    const o = this.options;
    const normal = (offset: number) => seededInitializer(normalInitializer(1), this.seed, offset);
    const specs: WeightSpec[] = [
      { role: 'affineKernel', shape: [s.styleDim, c], init: o.affineKernelInitializer, trainable: true },
      { role: 'affineBias', shape: [c], init: o.affineBiasInitializer, trainable: true },
    ];
    if (s.conv === 'dense') {
      specs.push({ role: 'kernel', shape: [k, k, c, s.filters], init: o.kernelInitializer, trainable: true });
    } else {
      specs.push({ role: 'depthwise', shape: [k, k, c, 1], init: o.kernelInitializer, trainable: true });
      // The next seed of the same initializer, so the two kernels are not drawn from one stream.
      const pointwise = reseeded(o.kernelInitializer, 1);
      specs.push({ role: 'pointwise', shape: [1, 1, c, s.filters], init: pointwise, trainable: true });
    }
    if (s.demodulation === 'styleinv')
      specs.push({ role: 'styleInv', shape: [c], init: normal(3), trainable: s.styleInvTrainable });
    if (s.noise) specs.push({ role: 'noiseStrength', shape: [1], init: tfl.initializers.zeros(), trainable: true });
    if (s.useBias) specs.push({ role: 'bias', shape: [s.filters], init: tfl.initializers.zeros(), trainable: true });
    const [, oh, ow] = this.outputShapeFor(x, s.filters);
    if (s.noise && oh != null && ow != null)
      specs.push({ role: 'noise', shape: [1, oh, ow, 1], init: normal(4), trainable: false });
    this.modulatedWeights.build(specs, (name, shape, initializer, trainable) =>
      this.addWeight(name, shape, 'float32', initializer, undefined, trainable),
    );
    this.builtWidth = c;
    this.builtSize = [x[1] ?? null, x[2] ?? null];
    this.builtFanIn = c * k * k;
    this.built = true;
  }

  /** Frees the cached active weights along with the layer's weights. */
  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    this.cache.clear();
    return super.dispose();
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs = {}): tf.Tensor {
    return tf.tidy(() => {
      const [x, style] = this.splitInputs(inputs);
      const c = inputChannels(this.name, x.shape, this.maxInChannels);
      const o = this.activeOut;
      const roles = this.modulatedWeights.roles();
      const values = this.cache.get(
        `${c}|${o}`,
        this.weights.map((v) => v.read()),
        kwargs['training'] === true,
        () => {
          const sliced = this.modulatedWeights.sliced(c, o);
          return roles.map((r) => sliced[r] as tf.Tensor);
        },
      );
      const w: RoleValues = {};
      roles.forEach((r, i) => (w[r] = values[i]));
      return this.forward(x, style, w);
    });
  }

  /** The layer's computation on given (sliced) weights. */
  private forward(x: tf.Tensor4D, style: tf.Tensor2D, w: RoleValues): tf.Tensor4D {
    const s = this.spec;
    let st = tf.matMul(style, w.affineKernel as tf.Tensor2D);
    if (s.affine === 'equalized') st = tf.mul(st, 1 / Math.sqrt(s.styleDim));
    st = tf.add(st, w.affineBias as tf.Tensor);
    const options = {
      scale: 1 / Math.sqrt(this.fanIn),
      demodulation: s.demodulation,
      styleInv: w.styleInv,
      foldStyle: s.foldStyle,
    };
    const s2 = st as tf.Tensor2D;
    let y =
      s.conv === 'dense'
        ? modulatedConv2d(x, s2, w.kernel as tf.Tensor4D, { ...options, upsample: s.upsample })
        : modulatedDwConv2d(x, s2, w.depthwise as tf.Tensor4D, w.pointwise as tf.Tensor4D, options);
    if (s.noise) y = tf.add(y, tf.mul(w.noiseStrength as tf.Tensor, this.noiseMap(y.shape, w.noise)));
    if (s.useBias) y = tf.add(y, w.bias as tf.Tensor);
    if (s.activation === 'lrelu') y = scaledLeakyRelu(y, s.negativeSlope, s.activationGain);
    return y;
  }

  private noiseMap(shape: readonly number[], stored: tf.Tensor | undefined): tf.Tensor {
    const [, h, w] = shape as [number, number, number, number];
    if (this.spec.noiseMode === 'fixed') {
      if (stored == null || stored.shape[1] !== h || stored.shape[2] !== w) {
        throw new ShapeError(
          `${this.name} noise map`,
          stored?.shape ?? [],
          `[1, ${h}, ${w}, 1] (the output size; set the layer's noise with setNoise)`,
        );
      }
      return stored;
    }
    const seed = this.noiseStream?.nextUint32();
    return tf.randomNormal([1, h, w, 1], 0, 1, 'float32', seed);
  }

  /** Where noise comes from now (see `setNoise`). */
  get noiseMode(): NoiseMode {
    return this.spec.noiseMode;
  }

  /** The shape of the stored noise map, or null when the layer has none. */
  noiseMapShape(): number[] | null {
    const v = this.modulatedWeights.variable('noise');
    return v == null ? null : (v.shape as number[]);
  }

  /**
   * Switches to fresh random noise per call (`'random'`) or stores `map` (`[1, H, W, 1]`)
   * and uses it on every call.
   */
  setNoiseMap(map: tf.Tensor | 'random'): void {
    if (!this.spec.noise)
      throw new ConfigError(
        `${this.name} noise`,
        map === 'random' ? map : 'a map',
        'nothing: this layer has no noise input (noise: false)',
      );
    if (map === 'random') {
      this.spec.noiseMode = 'random';
      return;
    }
    const v = this.modulatedWeights.variable('noise');
    if (v == null)
      throw new ConfigError(
        `${this.name} noise`,
        'a fixed map',
        'a layer built with a known output size (it stores its fixed map as a weight)',
      );
    if (!(map instanceof tf.Tensor) || map.shape.length !== 4 || map.shape.some((d, i) => d !== v.shape[i])) {
      throw new ShapeError(
        `${this.name} noise map`,
        map instanceof tf.Tensor ? map.shape : [],
        `[${v.shape.join(', ')}]`,
      );
    }
    tf.tidy(() => {
      v.write(tf.cast(map, 'float32'));
    });
    this.spec.noiseMode = 'fixed';
  }

  /** The stored noise map (a copy: dispose it), or null. */
  storedNoise(): tf.Tensor | null {
    const v = this.modulatedWeights.variable('noise');
    return v == null ? null : tf.clone(v.read());
  }

  /** Splits `[x, style]`, checking ranks and the style length. */
  private splitInputs(inputs: tf.Tensor | tf.Tensor[]): [tf.Tensor4D, tf.Tensor2D] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    this.splitShapes(list.map((t) => t.shape));
    const [x, style] = list as [tf.Tensor4D, tf.Tensor2D];
    if (style.shape[0] !== x.shape[0])
      throw new ShapeError(
        `${this.name} style`,
        style.shape,
        `[${x.shape[0]}, ${this.spec.styleDim}] (one style per sample of x)`,
      );
    return [x, style];
  }

  private splitShapes(
    inputShape: tfl.Shape | tfl.Shape[] | readonly (readonly (number | null)[])[],
  ): [LayerShape, LayerShape] {
    const shapes = Array.isArray(inputShape[0]) ? (inputShape as LayerShape[]) : [inputShape as LayerShape];
    if (shapes.length !== 2)
      throw new ConfigError(
        `${this.name} inputs`,
        `${shapes.length} input(s)`,
        '[x, style]: x [N, H, W, C] and style [N, styleDim]',
      );
    const [x, style] = shapes as [LayerShape, LayerShape];
    if (x.length !== 4) throw new ShapeError(`${this.name} x`, x, 'rank 4 (NHWC)');
    if (style.length !== 2 || (style[1] != null && style[1] !== this.spec.styleDim))
      throw new ShapeError(`${this.name} style`, style, `[N, ${this.spec.styleDim}]`);
    return [x, style];
  }

  private outputShapeFor(x: LayerShape, channels: number): LayerShape {
    const up = this.spec.upsample ? 2 : 1;
    return [x[0] ?? null, x[1] == null ? null : x[1] * up, x[2] == null ? null : x[2] * up, channels];
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return this.outputShapeFor(this.splitShapes(inputShape)[0], this.spec.filters);
  }

  /**
   * `'exact'`: the affine map (`N·styleDim·C`), the conv (dense `N·H·W·Cout·C·k²`; separable
   * `N·H·W·C·k² + N·H·W·Cout·C`; up-sampling: the transposed conv at its input resolution plus
   * the 4×4 blur, `N·2H·2W·Cout·16`). `'torchprofile'` counts the transposed conv at its output
   * resolution `(2H + 1)²` and adds one per element for the products on activations: the
   * modulation (input size), the demodulation, the noise scaling (map size) and the activation
   * gain when it is not 1 (output size). The leaky ReLU itself counts 0, as in torchprofile 0.0.1
   * (leaky_relu was added in 0.0.2). Parameters: the sliced trainable weights (`styleInv` only
   * when trainable; the noise map never).
   */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const [x] = this.splitShapes(inputShape);
    const s = this.spec;
    const c = x[3] ?? Number.NaN;
    const o = this.activeOut;
    const out = this.outputShapeFor(x, o);
    const n = x[0] ?? Number.NaN;
    const k2 = s.kernelSize * s.kernelSize;
    const inElements = numElements(x);
    const outElements = numElements(out);
    let macs = n * s.styleDim * c;
    if (s.conv === 'depthwise') {
      macs += inElements * k2 + outElements * c;
    } else if (!s.upsample) {
      macs += outElements * c * k2;
    } else {
      const k = s.kernelSize;
      const transposedOut = numElements([
        n,
        x[1] == null ? null : 2 * x[1] + k - 2,
        x[2] == null ? null : 2 * x[2] + k - 2,
        o,
      ]);
      macs += (convention === 'exact' ? inElements * o * k2 : transposedOut * c * k2) + outElements * 16;
    }
    if (convention === 'torchprofile') {
      macs += inElements;
      if (s.demodulation !== 'none') macs += outElements;
      if (s.noise) macs += numElements([1, out[1] ?? null, out[2] ?? null, 1]);
      if (s.activation === 'lrelu' && s.activationGain !== 1) macs += outElements;
    }
    return {
      macs,
      params: this.builtWidth == null ? Number.NaN : this.modulatedWeights.parameterCount(c, o),
      outputShape: out,
    };
  }

  channelRole(): ChannelRole {
    return { kind: 'produce', channelInput: 0 };
  }

  /** Re-orders the affine map's outputs, `styleInv` and the kernels' input axes. */
  permuteInputChannels(perm: readonly number[]): void {
    this.modulatedWeights.permuteInput(perm);
    this.cache.clear();
  }

  /** Re-orders the kernels' output axes and the bias. */
  permuteOutputChannels(perm: readonly number[]): void {
    this.modulatedWeights.permuteOutput(perm);
    this.cache.clear();
  }

  /** L1 norm of each output filter (the dense kernel's, or the pointwise kernel's). */
  outputChannelImportance(): Float32Array {
    return this.modulatedWeights.l1(this.spec.conv === 'dense' ? 'kernel' : 'pointwise', 'out');
  }

  /** L1 norm of the conv weights reading each input channel. */
  inputChannelImportance(): Float32Array {
    if (this.spec.conv === 'dense') return this.modulatedWeights.l1('kernel', 'in');
    const dw = this.modulatedWeights.l1('depthwise', 'in');
    const pw = this.modulatedWeights.l1('pointwise', 'in');
    return dw.map((a, i) => a + (pw[i] as number));
  }

  /** A layer of the same class at the active widths with the sliced weights (named like this one). */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const [x, style] = inputs as [tfl.SymbolicTensor, tfl.SymbolicTensor];
    const c = inputChannels(this.name, x.shape, this.maxInChannels);
    const cls = this.constructor as tf.serialization.SerializableConstructor<ModulatedConvBase>;
    const copy = cls.fromConfig(cls, { ...this.getConfig(), filters: this.activeOut, fanIn: this.fanIn });
    const y = copy.apply([x, style]) as tfl.SymbolicTensor;
    fillWeights(copy, () => {
      const sliced = this.modulatedWeights.sliced(c, this.activeOut);
      return copy.weightRoles().map((r) => sliced[r] as tf.Tensor);
    });
    return y;
  }

  /**
   * The weights of the layer's inference form (`FusedModulatedConv2d`) at `c` input channels and
   * the active output width: the affine map times the equalized-lr scale; for `'styleinv'` the
   * demodulation folded into the dense or pointwise kernel's output axis. Throws for `'style'`
   * demodulation (see {@link assertFusable}). New tensors: call inside a `tf.tidy`.
   */
  fusedWeights(c: number): RoleValues {
    this.assertFusable();
    const s = this.spec;
    const w = this.modulatedWeights.sliced(c, this.activeOut);
    const scale = 1 / Math.sqrt(this.fanIn);
    const affineScale = scale * (s.affine === 'equalized' ? 1 / Math.sqrt(s.styleDim) : 1);
    const out: RoleValues = {
      ...w,
      affineKernel: tf.mul(w.affineKernel as tf.Tensor, affineScale),
      affineBias: tf.mul(w.affineBias as tf.Tensor, scale),
    };
    delete out.styleInv;
    if (s.demodulation === 'styleinv') {
      const energy =
        s.conv === 'dense'
          ? kernelEnergy(w.kernel as tf.Tensor4D)
          : separableKernelEnergy(w.depthwise as tf.Tensor4D, w.pointwise as tf.Tensor4D);
      const d = tf.reshape(
        demodulationCoefficients(energy, tf.reshape<tf.Rank.R2>(w.styleInv as tf.Tensor, [1, c]), scale),
        [1, 1, 1, this.activeOut],
      );
      if (s.conv === 'dense') out.kernel = tf.mul(w.kernel as tf.Tensor, d);
      else out.pointwise = tf.mul(w.pointwise as tf.Tensor, d);
    }
    return out;
  }

  /** Throws a `ConfigError` unless the demodulation can be folded into weights (it must not depend on the style). */
  assertFusable(): void {
    if (this.spec.demodulation === 'style') {
      throw new ConfigError(
        `layer '${this.name}' demodulation`,
        'style',
        "'styleinv' or 'none': StyleGAN2's demodulation depends on each sample's style, so it cannot be folded into weights",
      );
    }
  }

  /** The config of the layer's inference form (`FusedModulatedConv2d`) at the active output width. */
  fusedConfig(): ModulatedConvOptions & StyledOutputOptions & { conv: ModulatedConvKind; upsample: boolean } {
    const s = this.spec;
    return {
      name: this.name,
      filters: this.activeOut,
      styleDim: s.styleDim,
      kernelSize: s.kernelSize,
      conv: s.conv,
      upsample: s.upsample,
      noise: s.noise,
      noiseMode: s.noiseMode,
      useBias: s.useBias,
      activation: s.activation,
      negativeSlope: s.negativeSlope,
      activationGain: s.activationGain,
      ...(this.seed == null ? {} : { seed: this.seed }),
    };
  }

  /** The `[H, W]` of the input the layer was built with (entries may be null). */
  get builtInputSize(): [number | null, number | null] {
    return this.builtSize;
  }

  override getConfig(): tf.serialization.ConfigDict {
    // The noise mode is the one setting that changes after construction (setNoise).
    return { ...super.getConfig(), ...this.schema.config({ ...this.options, noiseMode: this.spec.noiseMode }) };
  }
}
