import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../../util/index.js';
import { baseLayerArgs, option, optionSchema, type InitializerSpec, type OptionValues } from '../core/index.js';
import type { Kwargs, LayerArgs } from '../core/index.js';
import { built, inputChannels } from '../core/index.js';
import type { CostedLayer, LayerCost, LayerShape, MacConvention } from '../core/index.js';
import { registerLayer, singleInput, singleShape } from '../core/index.js';
import type { ChannelPermutable, ChannelRole } from '../core/index.js';
import type { StaticExportable } from '../core/index.js';
import { fillWeights, permuteWeight, prefix } from '../core/index.js';

/** Config of {@link ElasticBatchNorm}: `tf.layers.batchNormalization`'s names (channels last). */
export interface ElasticBatchNormConfig extends LayerArgs {
  /**
   * The normalised (channel) axis: `-1` (default) or, once the rank is known, `rank − 1`. Only
   * the last axis is supported (tfjs's NHWC layout).
   */
  axis?: number;
  /**
   * Moving-average momentum in [0, 1], tfjs/Keras convention: `moving = moving·momentum + batch·(1 − momentum)`.
   * Default 0.99. PyTorch's `momentum=0.1` is `0.9` here.
   */
  momentum?: number;
  /** Default 1e-3 (tfjs); PyTorch uses 1e-5. */
  epsilon?: number;
  /** Learn a shift (beta). Default true. */
  center?: boolean;
  /** Learn a scale (gamma). Default true. */
  scale?: boolean;
  /** Default `'zeros'`. */
  betaInitializer?: InitializerSpec;
  /** Default `'ones'`. */
  gammaInitializer?: InitializerSpec;
  /** Default `'zeros'`. */
  movingMeanInitializer?: InitializerSpec;
  /** Default `'ones'`. */
  movingVarianceInitializer?: InitializerSpec;
}

/**
 * Batch norm over the last axis whose parameters and running statistics are sliced to the
 * channels the input has (OFA's DynamicBatchNorm2d). Training (`fit`, or `apply(x, {training:
 * true})`) normalises with the batch mean and biased variance of the active channels and updates
 * only the first C running statistics; inference uses the sliced running statistics.
 * `recalibrateBatchNorm` re-estimates them for the active sub-network.
 *
 * @example
 * ```ts
 * const bn = new ElasticBatchNorm({ momentum: 0.9, epsilon: 1e-5 }); // PyTorch's defaults
 * ```
 */
export class ElasticBatchNorm extends tfl.layers.Layer implements CostedLayer, ChannelPermutable, StaticExportable {
  /** The name this class is registered and serialized under. */
  static className = 'ElasticBatchNorm';
  /** The options it takes (see {@link ElasticBatchNormConfig}); the initializers are not seeded. */
  static readonly options = optionSchema({
    axis: option.int({ default: -1 }),
    momentum: option.number({ min: 0, max: 1, default: 0.99 }),
    epsilon: option.number({ positive: true, default: 1e-3 }),
    center: option.bool(true),
    scale: option.bool(true),
    betaInitializer: option.initializer({ default: 'zeros' }),
    gammaInitializer: option.initializer({ default: 'ones' }),
    movingMeanInitializer: option.initializer({ default: 'zeros' }),
    movingVarianceInitializer: option.initializer({ default: 'ones' }),
  });
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly values: OptionValues<typeof ElasticBatchNorm.options>;
  private gamma: tfl.LayerVariable | null = null;
  private beta: tfl.LayerVariable | null = null;
  private movingMean: tfl.LayerVariable | null = null;
  private movingVariance: tfl.LayerVariable | null = null;

  constructor(config: ElasticBatchNormConfig = {}) {
    super(baseLayerArgs(config));
    this.values = ElasticBatchNorm.options.parse(this.name, config);
    ({ momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale } = this.values);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const c = s[s.length - 1];
    if (s.length < 2 || c == null)
      throw new ShapeError(`${this.name} input`, s, 'rank >= 2 with a known channel count (last axis)');
    const { axis } = this.values;
    if (axis !== -1 && axis !== s.length - 1)
      throw new ConfigError(
        `${this.name}.axis`,
        axis,
        `-1 or ${s.length - 1}: the last axis of its rank-${s.length} input`,
      );
    const v = this.values;
    if (this.scale) this.gamma = this.addWeight('gamma', [c], 'float32', v.gammaInitializer);
    if (this.center) this.beta = this.addWeight('beta', [c], 'float32', v.betaInitializer);
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', v.movingMeanInitializer, undefined, false);
    this.movingVariance = this.addWeight(
      'moving_variance',
      [c],
      'float32',
      v.movingVarianceInitializer,
      undefined,
      false,
    );
    this.built = true;
  }

  /** The width the layer was built with. */
  get maxChannels(): number {
    return this.stats().mean.shape[0] as number;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      const c = this.checkInput(x.shape);
      const { gamma, beta } = this.affine(c);
      const stats = this.stats();
      if (kwargs['training'] === true) {
        const { mean, variance } = tf.moments(x, x.shape.map((_, i) => i).slice(0, -1));
        this.updateMoving(stats.mean, mean, c);
        this.updateMoving(stats.variance, variance, c);
        return tf.batchNorm(x, mean, variance, beta, gamma, this.epsilon);
      }
      return tf.batchNorm(
        x,
        prefix(stats.mean.read(), [c]),
        prefix(stats.variance.read(), [c]),
        beta,
        gamma,
        this.epsilon,
      );
    });
  }

  /** `moving[:c] ← moving[:c]·momentum + batch·(1 − momentum)`; the rest is kept. */
  private updateMoving(variable: tfl.LayerVariable, batch: tf.Tensor, c: number): void {
    const full = variable.read();
    const n = full.shape[0];
    const head = tf.add(tf.mul(prefix(full, [c]), this.momentum), tf.mul(batch, 1 - this.momentum));
    variable.write(c === n ? head : tf.concat([head, tf.slice(full, [c], [n - c])]));
  }

  /** The sliced gamma and beta for c channels (call inside a tidy). */
  private affine(c: number): { gamma: tf.Tensor | undefined; beta: tf.Tensor | undefined } {
    return {
      gamma: this.gamma == null ? undefined : prefix(this.gamma.read(), [c]),
      beta: this.beta == null ? undefined : prefix(this.beta.read(), [c]),
    };
  }

  private stats(): { mean: tfl.LayerVariable; variance: tfl.LayerVariable } {
    return { mean: built(this.name, this.movingMean), variance: built(this.name, this.movingVariance) };
  }

  private checkInput(shape: readonly (number | null)[]): number {
    return inputChannels(this.name, shape, this.maxChannels, 0);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return singleShape(inputShape, this.name);
  }

  /** No MACs (as torchprofile); gamma and beta of the active channels as parameters (running statistics are buffers, not parameters, as in PyTorch). */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    const s = singleShape(inputShape, this.name);
    const c = s[s.length - 1] ?? Number.NaN;
    return { macs: 0, params: (this.scale ? c : 0) + (this.center ? c : 0), outputShape: s };
  }

  channelRole(): ChannelRole {
    return { kind: 'follow' };
  }

  permuteInputChannels(perm: readonly number[]): void {
    for (const v of [this.gamma, this.beta, this.movingMean, this.movingVariance])
      if (v != null) permuteWeight(v, 0, perm);
  }

  /** A built-in BatchNormalization holding the first C parameters and running statistics. */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const input = inputs[0] as tfl.SymbolicTensor;
    const c = this.checkInput(input.shape);
    const bn = tfl.layers.batchNormalization({
      name: this.name,
      axis: -1,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
    });
    const y = bn.apply(input) as tfl.SymbolicTensor;
    fillWeights(bn, () =>
      [this.gamma, this.beta, this.movingMean, this.movingVariance]
        .filter((v): v is tfl.LayerVariable => v != null)
        .map((v) => prefix(v.read(), [c])),
    );
    return y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...ElasticBatchNorm.options.config(this.values) };
  }
}
registerLayer(ElasticBatchNorm);
