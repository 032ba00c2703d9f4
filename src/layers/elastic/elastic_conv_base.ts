import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import {
  baseLayerArgs,
  option,
  optionSchema,
  type Initializer,
  type InitializerSpec,
  type OptionSchema,
  type OptionValues,
} from '../core/index.js';
import type { Kwargs, LayerArgs } from '../core/index.js';
import { built, inputChannels } from '../core/index.js';
import type { CostedLayer, LayerCost, LayerShape, MacConvention } from '../core/index.js';
import { singleInput, singleShape } from '../core/index.js';
import { ActiveWeightCache } from '../core/index.js';
import type { ChannelAxes, ChannelPermutable, ChannelRole, HasChannelAxes } from '../core/index.js';
import { validateElasticSetting, type ElasticLayer, type ElasticSetting, type ElasticSpace } from '../core/index.js';
import type { StaticExportable } from '../core/index.js';
import { prefix } from '../core/index.js';
import { WeightPermuter } from '../core/index.js';

/** The options every elastic conv's config has besides its geometry and kernels. */
export interface ElasticConvBaseArgs extends LayerArgs {
  /** Default true. */
  useBias?: boolean;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec;
  /** Seed for initializers given by name. */
  seed?: number;
}

/**
 * The schema of {@link ElasticConvBaseArgs}; each elastic conv's schema extends it.
 *
 * @example
 * ```ts
 * const { useBias, seed } = ELASTIC_CONV_BASE_OPTIONS.parse('conv', { useBias: false, seed: 1 });
 * ```
 */
export const ELASTIC_CONV_BASE_OPTIONS = optionSchema({
  useBias: option.bool(true),
  biasInitializer: option.initializer({ default: 'zeros' }),
  seed: option.seed(),
});

/** The resolved options of an elastic conv (each subclass's include these). */
export type ElasticConvBaseValues = OptionValues<typeof ELASTIC_CONV_BASE_OPTIONS>;

/**
 * What the elastic convs ({@link OnceForAllConv}, {@link ElasticDepthwiseConv2d},
 * {@link ElasticSeparableConv2d}, {@link ElasticConv2dTranspose}) share, as tfjs-layers' BaseConv
 * does for its convs: `useBias`, `seed` and the initializers; the active setting (output width,
 * kernel size — whichever the layer's {@link ElasticSpace} has) with its validation; the cache
 * of the active weights for inference and its invalidation; the input-width check (the input
 * may be narrower than the width the layer was built with, never wider); `call` on the active
 * weights; channel permutation from a table of weight axes; and the config, parsed and written
 * by the subclass's option schema.
 *
 * A subclass declares its space (`elasticSpace`), creates its weights in `build` (starting with
 * `buildInputWidth`), and says how to slice them (`activeWeights`), how to run them (`forward`),
 * which axes its channels index (`channelAxes`), and its options (a static `options` schema
 * extending `ELASTIC_CONV_BASE_OPTIONS`, passed to this constructor).
 *
 * @example
 * ```ts
 * const convs = model.layers.filter((l) => l instanceof ElasticConvBase);
 * convs.forEach((c) => console.log(c.name, c.getActive(), c.maxInChannels));
 * ```
 */
export abstract class ElasticConvBase
  extends tfl.layers.Layer
  implements ElasticLayer, CostedLayer, ChannelPermutable, HasChannelAxes, StaticExportable
{
  /** Whether the layer adds biases. */
  readonly useBias: boolean;
  /** Seed for initializers given by name, if given. */
  readonly seed: number | undefined;
  /** @internal */
  protected readonly biasInit: Initializer;
  /** @internal Every option, resolved by the subclass's schema (a subclass declares its own type). */
  protected readonly options: ElasticConvBaseValues;
  /** @internal The active output width (layers with an elastic output width). */
  protected activeOut = Number.NaN;
  /** @internal The active kernel size (layers with an elastic kernel size). */
  protected activeKernel = Number.NaN;
  private readonly schema: OptionSchema<ElasticConvBaseValues>;
  private readonly cache = new ActiveWeightCache();
  private builtWidth: number | null = null;
  private bias: tfl.LayerVariable | null = null;

  /**
   * @param config The layer's config.
   * @param schema The subclass's option schema (extending {@link ELASTIC_CONV_BASE_OPTIONS}):
   *   the config is checked and resolved by it once, here, and `getConfig` writes from it.
   */
  protected constructor(config: ElasticConvBaseArgs, schema: OptionSchema<ElasticConvBaseValues>) {
    super(baseLayerArgs(config));
    this.schema = schema;
    this.options = schema.parse(this.name, config);
    ({ useBias: this.useBias, seed: this.seed, biasInitializer: this.biasInit } = this.options);
  }

  /** What the layer can be set to. */
  abstract elasticSpace(): ElasticSpace;

  getActive(): ElasticSetting {
    const space = this.elasticSpace();
    return {
      ...(space.maxOutChannels != null && { outChannels: this.activeOut }),
      ...(space.kernelSizeChoices != null && { kernelSize: this.activeKernel }),
    };
  }

  setActive(setting: ElasticSetting): void {
    const next = validateElasticSetting(this.name, this.elasticSpace(), setting, this.getActive());
    if (next.outChannels != null) this.activeOut = next.outChannels;
    if (next.kernelSize != null) this.activeKernel = next.kernelSize;
    this.cache.clear();
  }

  /** Maximum input width (the width the layer was built with). */
  get maxInChannels(): number {
    return built(this.name, this.builtWidth);
  }

  /** @internal For `build`: checks the input shape and records its channel count, the maximum input width. */
  protected buildInputWidth(inputShape: tfl.Shape | tfl.Shape[]): number {
    const s = singleShape(inputShape, this.name);
    const c = s[3];
    if (s.length !== 4 || c == null)
      throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC) with a known channel count');
    this.builtWidth = c;
    return c;
  }

  /** @internal For `build`: adds the bias (`'bias'`, `width` entries) when the layer has one. */
  protected buildBias(width: number): void {
    if (this.useBias) this.bias = this.addWeight('bias', [width], 'float32', this.biasInit);
  }

  /** @internal The first `width` biases, or none (call inside a tidy). */
  protected activeBias(width: number): tf.Tensor[] {
    return this.bias == null ? [] : [prefix(this.bias.read(), [width])];
  }

  /** @internal The input's channel count, after checking it is at most the built width. */
  protected checkInput(shape: readonly (number | null)[]): number {
    return inputChannels(this.name, shape, this.maxInChannels);
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
      // Refuses an input the active kernel does not fit before tfjs reports a negative size.
      this.computeOutputShape(x.shape);
      const key = `${c}|${this.activeOut}|${this.activeKernel}`;
      const weights = this.cache.get(
        key,
        this.weights.map((w) => w.read()),
        kwargs['training'] === true,
        () => this.activeWeights(c),
      );
      return this.forward(x, weights);
    });
  }

  /**
   * @internal The active weights for `c` input channels (sliced, kernel-transformed), in the
   * order `forward` reads them, optional biases last (call inside a tidy).
   */
  protected abstract activeWeights(c: number): tf.Tensor[];

  /** @internal The layer's computation on its active weights. */
  protected abstract forward(x: tf.Tensor4D, weights: tf.Tensor[]): tf.Tensor;

  abstract computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost;

  abstract exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor;

  /** Which weight axes the input and output channels index. */
  abstract channelAxes(): ChannelAxes;

  private permuter(): WeightPermuter {
    const a = this.channelAxes();
    return new WeightPermuter(this, this.channelRole(), a.inputs, a.outputs);
  }

  /** A new channel space (`'produce'`); the depthwise conv follows its input instead. */
  channelRole(): ChannelRole {
    return { kind: 'produce' };
  }

  permuteInputChannels(perm: readonly number[]): void {
    this.permuter().permuteInputChannels(perm);
  }

  /** Producers: re-orders the output axis of the kernel and the bias. */
  permuteOutputChannels(perm: readonly number[]): void {
    this.permuter().permuteOutputChannels(perm);
  }

  /** Producers: L1 norm of each output filter. */
  outputChannelImportance(): Float32Array {
    return this.permuter().outputChannelImportance();
  }

  /** Producers: L1 norm of the weights reading each input channel. */
  inputChannelImportance(): Float32Array {
    return this.permuter().inputChannelImportance();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.schema.config(this.options) };
  }
}
