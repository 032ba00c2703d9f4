import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import {
  baseLayerArgs,
  option,
  optionSchema,
  type InitializerSpec,
  type LayerArgs,
  type OptionValues,
} from '../core/index.js';
import { fillWeights, prefix, registerLayer, singleInput, singleShape } from '../core/index.js';
import { numElements, type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import type { ChannelAxes, ChannelRole, HasChannelAxes, StaticExportable } from '../core/index.js';
import { munitLayerNorm } from './munit_layer_norm_op.js';

/** Config of {@link MUNITLayerNorm} and {@link ElasticMUNITLayerNorm}. */
export interface MUNITLayerNormConfig extends LayerArgs {
  /** Added to the standard deviation. Default 1e-5. */
  epsilon?: number;
  /** Learn a per-channel scale and shift. Default true (MUNIT). */
  affine?: boolean;
  /** Default U[0, 1), as MUNIT's `uniform_()`, seeded by `seed`. */
  gammaInitializer?: InitializerSpec;
  /** Default `'zeros'`. */
  betaInitializer?: InitializerSpec;
  /** Seed of the initializers given by name and of the default gamma. */
  seed?: number;
}

const OPTIONS = optionSchema({
  epsilon: option.number({ positive: true, default: 1e-5 }),
  affine: option.bool(true),
  gammaInitializer: option.initializer({
    default: (seed) => tfl.initializers.randomUniform({ minval: 0, maxval: 1, seed }),
  }),
  betaInitializer: option.initializer({ default: 'zeros' }),
  seed: option.seed(),
});

/**
 * MUNIT's `LayerNorm` as a layer (see {@link munitLayerNorm}): per sample, mean and unbiased
 * standard deviation over C×H×W, `(x − mean)/(std + ε)`, then per-channel `gamma` and `beta`.
 * Runs at the width it was built with; {@link ElasticMUNITLayerNorm} slices `gamma` and `beta`
 * to the channels its input has (GAN Compression's SuperLayerNorm).
 *
 * MACs (`'torchprofile'`): one per element (the product with gamma, when affine) plus one per
 * sample (the mean), as torchprofile 0.0.1 counts MUNIT's explicit ops; 0 under `'exact'`.
 *
 * @example
 * ```ts
 * const y = new MUNITLayerNorm({ name: 'up1_norm' }).apply(tf.input({ shape: [64, 64, 128] }));
 * ```
 */
export class MUNITLayerNorm extends tfl.layers.Layer implements CostedLayer, HasChannelAxes {
  /** The name this class is registered and serialized under. */
  static className = 'MUNITLayerNorm';
  /** The options it takes (see {@link MUNITLayerNormConfig}). */
  static readonly options = OPTIONS;
  readonly epsilon: number;
  readonly affine: boolean;
  /** @internal */
  protected readonly values: OptionValues<typeof OPTIONS>;
  /** @internal */
  protected gamma: tfl.LayerVariable | null = null;
  /** @internal */
  protected beta: tfl.LayerVariable | null = null;
  /** @internal The width the layer was built with. */
  protected builtChannels: number | null = null;

  constructor(config: MUNITLayerNormConfig = {}) {
    super(baseLayerArgs(config));
    this.values = OPTIONS.parse(this.name, config);
    ({ epsilon: this.epsilon, affine: this.affine } = this.values);
  }

  /** Whether the layer slices its parameters to narrower inputs. */
  protected get elastic(): boolean {
    return false;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const c = s[s.length - 1];
    if (s.length < 2 || c == null)
      throw new ShapeError(`${this.name} input`, s, 'rank >= 2 with a known channel count (last axis)');
    if (this.affine) {
      this.gamma = this.addWeight('gamma', [c], 'float32', this.values.gammaInitializer);
      this.beta = this.addWeight('beta', [c], 'float32', this.values.betaInitializer);
    }
    this.builtChannels = c;
    this.built = true;
  }

  /** @internal The input's channel count, checked against the built width. */
  protected checkInput(shape: readonly (number | null)[]): number {
    const max = this.builtChannels;
    const c = shape[shape.length - 1];
    if (shape.length < 2 || c == null || (max != null && (this.elastic ? c > max : c !== max)))
      throw new ShapeError(
        `${this.name} input`,
        [...shape],
        `rank >= 2 with ${max == null ? 'a known number of' : this.elastic ? `at most ${max}` : max} channels (last axis)`,
      );
    return c;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      const c = this.checkInput(x.shape);
      if (!this.affine) return munitLayerNorm(x, { epsilon: this.epsilon });
      return munitLayerNorm(x, {
        epsilon: this.epsilon,
        gamma: prefix(this.gamma?.read() as tf.Tensor1D, [c]),
        beta: prefix(this.beta?.read() as tf.Tensor1D, [c]),
      });
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    this.checkInput(s);
    return s;
  }

  /** `N·(elements + 1)` MACs under `'torchprofile'` (N only, without affine), 0 under `'exact'`; `2·C` parameters when affine. */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const s = singleShape(inputShape, this.name);
    const c = this.checkInput(s);
    const n = s[0] ?? Number.NaN;
    const macs = convention === 'torchprofile' ? (this.affine ? numElements(s) : 0) + n : 0;
    return { macs, params: this.affine ? 2 * c : 0, outputShape: s };
  }

  /** Follows its input channel by channel (the statistics are over all channels, which a permutation keeps). */
  channelRole(): ChannelRole {
    return { kind: 'follow', fixedInputWidth: this.affine && !this.elastic };
  }

  /** `gamma` and `beta` are indexed by channel. */
  channelAxes(): ChannelAxes {
    return {
      inputs: [
        { weight: 'gamma', axis: 0 },
        { weight: 'beta', axis: 0 },
      ],
      outputs: [],
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...OPTIONS.config(this.values) };
  }
}
registerLayer(MUNITLayerNorm);

/**
 * GAN Compression's SuperLayerNorm: {@link MUNITLayerNorm} holding full-width `gamma` and `beta`
 * that runs any input up to that width, using `gamma[:C]` and `beta[:C]`. `extractSubnet`
 * exports it as a {@link MUNITLayerNorm} with the sliced parameters.
 *
 * @example
 * ```ts
 * const norm = new ElasticMUNITLayerNorm({ name: 'up1_norm' });
 * ```
 */
export class ElasticMUNITLayerNorm extends MUNITLayerNorm implements StaticExportable {
  /** The name this class is registered and serialized under. */
  static override className = 'ElasticMUNITLayerNorm';

  protected override get elastic(): boolean {
    return true;
  }

  /** A {@link MUNITLayerNorm} with the first C parameters. */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const input = inputs[0] as tfl.SymbolicTensor;
    const c = this.checkInput(input.shape);
    const norm = new MUNITLayerNorm({ name: this.name, epsilon: this.epsilon, affine: this.affine });
    const y = norm.apply(input) as tfl.SymbolicTensor;
    if (this.affine)
      fillWeights(norm, () => [
        prefix(this.gamma?.read() as tf.Tensor, [c]),
        prefix(this.beta?.read() as tf.Tensor, [c]),
      ]);
    return y;
  }
}
registerLayer(ElasticMUNITLayerNorm);
