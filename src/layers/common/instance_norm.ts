import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import { numElements, type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import type { ChannelAxes, ChannelRole, HasChannelAxes } from '../core/index.js';
import { registerLayer, singleInput, singleShape } from '../core/index.js';
import { baseLayerArgs, option, optionSchema, type InitializerSpec } from '../core/index.js';
import { instanceNorm } from './instance_norm_op.js';
import type { LayerArgs, OptionValues } from '../core/index.js';

/** Config of {@link InstanceNorm}. */
export interface InstanceNormConfig extends LayerArgs {
  /** Added to the variance. Default 1e-5 (PyTorch). */
  epsilon?: number;
  /** Learn a per-channel scale and shift (PyTorch `affine=True`). Default false (PyTorch's default). */
  affine?: boolean;
  /** Default `'ones'`. */
  gammaInitializer?: InitializerSpec;
  /** Default `'zeros'`. */
  betaInitializer?: InitializerSpec;
}

/**
 * PyTorch's `InstanceNorm2d` (without running statistics) for NHWC tensors: each sample's
 * channel is normalised over H×W with its biased variance; optional affine scale and shift.
 *
 * MACs (`computeCost`): one per output element under `'torchprofile'` (torchprofile 0.0.1 counts
 * instance norm even without affine), 0 under `'exact'`.
 *
 * @example
 * ```ts
 * const norm = new InstanceNorm({ affine: true });
 * const y = norm.apply(x) as tf.Tensor;
 * ```
 */
export class InstanceNorm extends tfl.layers.Layer implements CostedLayer, HasChannelAxes {
  /** The name this class is registered and serialized under. */
  static className = 'InstanceNorm';
  /** The options it takes (see {@link InstanceNormConfig}); the initializers are not seeded. */
  static readonly options = optionSchema({
    epsilon: option.number({ positive: true, default: 1e-5 }),
    affine: option.bool(false),
    gammaInitializer: option.initializer({ default: 'ones' }),
    betaInitializer: option.initializer({ default: 'zeros' }),
  });
  readonly epsilon: number;
  readonly affine: boolean;
  private readonly values: OptionValues<typeof InstanceNorm.options>;
  protected gamma: tfl.LayerVariable | null = null;
  protected beta: tfl.LayerVariable | null = null;

  constructor(config: InstanceNormConfig = {}) {
    super(baseLayerArgs(config));
    this.values = InstanceNorm.options.parse(this.name, config);
    ({ epsilon: this.epsilon, affine: this.affine } = this.values);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const c = s[3];
    if (s.length !== 4 || c == null)
      throw new ShapeError(`${this.name} input`, s, 'rank 4 (NHWC) with a known channel count');
    if (this.affine) {
      this.gamma = this.addWeight('gamma', [c], 'float32', this.values.gammaInitializer);
      this.beta = this.addWeight('beta', [c], 'float32', this.values.betaInitializer);
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name) as tf.Tensor4D;
      if (!this.affine) return instanceNorm(x, { epsilon: this.epsilon });
      return instanceNorm(x, {
        epsilon: this.epsilon,
        gamma: this.gamma?.read() as tf.Tensor1D,
        beta: this.beta?.read() as tf.Tensor1D,
      });
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return singleShape(inputShape, this.name);
  }

  /** One MAC per output element (`'torchprofile'`) or none (`'exact'`); `2·C` parameters when affine. */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const s = singleShape(inputShape, this.name);
    const c = s[3];
    return {
      macs: convention === 'torchprofile' ? numElements(s) : 0,
      params: this.affine ? 2 * (c ?? Number.NaN) : 0,
      outputShape: s,
    };
  }

  /**
   * Follows its input channel by channel. With `affine` it runs only at the width it was built
   * with (its `gamma` and `beta` are not sliced; {@link ElasticInstanceNorm} slices them).
   */
  channelRole(): ChannelRole {
    return { kind: 'follow', fixedInputWidth: this.affine };
  }

  /** `gamma` and `beta` (when `affine`) are indexed by channel. */
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
    return { ...super.getConfig(), ...InstanceNorm.options.config(this.values) };
  }
}
registerLayer(InstanceNorm);
