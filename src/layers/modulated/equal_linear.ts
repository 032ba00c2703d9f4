import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import {
  baseLayerArgs,
  normalInitializer,
  option,
  optionSchema,
  seededInitializer,
  SIZE_LIMITS,
  type LayerArgs,
  type OptionValues,
} from '../core/index.js';
import { built } from '../core/index.js';
import { numElements, type CostedLayer, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import type { ChannelAxes, ChannelRole, HasChannelAxes } from '../core/index.js';
import { registerLayer, singleInput, singleShape } from '../core/index.js';
import { scaledLeakyRelu } from './activation.js';
import { STYLED_OUTPUT_OPTIONS, type StyledActivation } from './modulated_spec.js';

/** Config of {@link EqualLinear}. */
export interface EqualLinearConfig extends LayerArgs {
  /** Output features. */
  units: number;
  /** Learning-rate multiplier (the mapping network uses 0.01). Default 1. */
  lrMul?: number;
  /** Initial bias value (before the multiplier). Default 0. */
  biasInit?: number;
  /** `'lrelu'` (StyleGAN2's fused leaky ReLU) or `'linear'` (default). */
  activation?: StyledActivation;
  /** Leaky ReLU slope. Default 0.2. */
  negativeSlope?: number;
  /** Gain after the leaky ReLU. Default √2. */
  activationGain?: number;
  /** Seed of the kernel's initialisation. */
  seed?: number;
}

/**
 * StyleGAN2's equalized-learning-rate linear layer: the kernel is stored as N(0, 1)/lrMul and
 * used times `lrMul/√in`, the bias times `lrMul`: `y = x·(W·lrMul/√in) + b·lrMul`, optionally
 * followed by `leakyRelu(·, 0.2)·√2` (its `fused_lrelu`).
 *
 * @example
 * ```ts
 * const z = tf.input({ shape: [512] });
 * const fc = new EqualLinear({ units: 512, lrMul: 0.01, activation: 'lrelu', seed: 1 });
 * const y = fc.apply(z) as tf.SymbolicTensor; // [null, 512]
 * ```
 */
export class EqualLinear extends tfl.layers.Layer implements CostedLayer, HasChannelAxes {
  /** The name this class is registered and serialized under. */
  static className = 'EqualLinear';
  /** The options it takes (see {@link EqualLinearConfig}). */
  static readonly options = optionSchema({
    units: option.int({ min: 1, limit: SIZE_LIMITS.width }),
    lrMul: option.number({ positive: true, default: 1 }),
    biasInit: option.number({ default: 0 }),
    activation: STYLED_OUTPUT_OPTIONS.option('activation'),
    negativeSlope: STYLED_OUTPUT_OPTIONS.option('negativeSlope'),
    activationGain: option.number({ positive: true, default: Math.SQRT2 }),
    seed: option.seed(),
  });
  readonly units: number;
  readonly lrMul: number;
  readonly biasInit: number;
  readonly activation: StyledActivation;
  readonly negativeSlope: number;
  readonly activationGain: number;
  readonly seed: number | undefined;
  private readonly values: OptionValues<typeof EqualLinear.options>;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(config: EqualLinearConfig) {
    super(baseLayerArgs(config));
    this.values = EqualLinear.options.parse(this.name, config);
    ({
      units: this.units,
      lrMul: this.lrMul,
      biasInit: this.biasInit,
      activation: this.activation,
      negativeSlope: this.negativeSlope,
      activationGain: this.activationGain,
      seed: this.seed,
    } = this.values);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    const d = s[s.length - 1];
    if (s.length !== 2 || d == null)
      throw new ShapeError(`${this.name} input`, s, '[N, features] with a known feature count');
    this.kernel = this.addWeight(
      'kernel',
      [d, this.units],
      'float32',
      seededInitializer(normalInitializer(1 / this.lrMul), this.seed),
    );
    this.bias = this.addWeight('bias', [this.units], 'float32', tfl.initializers.constant({ value: this.biasInit }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name) as tf.Tensor2D;
      const kernel = built(this.name, this.kernel).read() as tf.Tensor2D;
      if (x.rank !== 2 || x.shape[1] !== kernel.shape[0])
        throw new ShapeError(`${this.name} input`, x.shape, `[N, ${kernel.shape[0]}]`);
      const y = tf.add(
        tf.mul(tf.matMul(x, kernel), this.lrMul / Math.sqrt(kernel.shape[0])),
        tf.mul(built(this.name, this.bias).read(), this.lrMul),
      );
      return this.activation === 'lrelu' ? scaledLeakyRelu(y, this.negativeSlope, this.activationGain) : y;
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    return [s[0] ?? null, this.units];
  }

  /**
   * `N·in·units` MACs; `'torchprofile'` adds the activation gain when it is not 1 (one
   * `aten::mul` per output element; the leaky ReLU itself counts 0, as in torchprofile 0.0.1).
   * Parameters: kernel and bias.
   */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const s = singleShape(inputShape, this.name);
    const d = s[s.length - 1] ?? Number.NaN;
    const out = [s[0] ?? null, this.units];
    let macs = numElements(out) * d;
    if (convention === 'torchprofile' && this.activation === 'lrelu' && this.activationGain !== 1)
      macs += numElements(out);
    return { macs, params: d * this.units + this.units, outputShape: out };
  }

  /** A new channel space (its units), read at the width the layer was built with. */
  channelRole(): ChannelRole {
    return { kind: 'produce', fixedInputWidth: true };
  }

  /** The kernel `[in, units]`: input features on axis 0, units on axis 1 and the bias. */
  channelAxes(): ChannelAxes {
    return {
      inputs: [{ weight: 'kernel', axis: 0 }],
      outputs: [
        { weight: 'kernel', axis: 1 },
        { weight: 'bias', axis: 0 },
      ],
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...EqualLinear.options.config(this.values) };
  }
}
registerLayer(EqualLinear);
