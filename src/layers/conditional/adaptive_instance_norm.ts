import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import {
  baseLayerArgs,
  option,
  optionSchema,
  reseeded,
  type InitializerSpec,
  type LayerArgs,
  type OptionValues,
} from '../core/index.js';
import { built, fillWeights, prefix, registerLayer } from '../core/index.js';
import type { CostedLayer, LayerCost, LayerShape, MacConvention } from '../core/index.js';
import type { ChannelAxes, ChannelRole, HasChannelAxes, StaticExportable } from '../core/index.js';
import { adaptiveInstanceNorm } from './adain_op.js';
import { shapePair, tensorPair } from './input_pair.js';

/** Config of {@link AdaptiveInstanceNorm} and {@link ElasticAdaptiveInstanceNorm}. */
export interface AdaptiveInstanceNormConfig extends LayerArgs {
  /** Instance-norm epsilon. Default 1e-5. */
  epsilon?: number;
  /**
   * Initializer of the two projections of the style (the rows of MUNIT's last MLP layer that
   * feed this layer). Default `'pytorchLinear'` (PyTorch `nn.Linear`); the std kernel draws from
   * `seed + 1`.
   */
  kernelInitializer?: InitializerSpec;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec;
  /** Seed of the initializers given by name. */
  seed?: number;
}

const OPTIONS = optionSchema({
  epsilon: option.number({ positive: true, default: 1e-5 }),
  kernelInitializer: option.initializer({ default: 'pytorchLinear' }),
  biasInitializer: option.initializer({ default: 'zeros' }),
  seed: option.seed(),
});

const EXPECTED_INPUTS = '[x, style]: features [N, H, W, C] and the style features [N, S] (or [N, 1, 1, S])';

/** The style length of a `[N, S]` or `[N, 1, 1, S]` shape, or null when the shape is neither. */
function styleLength(shape: readonly (number | null)[]): number | null {
  if (shape.length === 2) return shape[1] ?? null;
  if (shape.length === 4 && shape[1] === 1 && shape[2] === 1) return shape[3] ?? null;
  return null;
}

/**
 * MUNIT's AdaIN (`AdaptiveInstanceNorm2d` fed by its MLP) on inputs `[x, style]`: the layer owns
 * the rows of the MLP's last linear layer that feed it — a projection of the style features
 * (the MLP's hidden layer, `S` wide) to the per-sample `mean` and `std` of each of x's channels —
 * and applies {@link adaptiveInstanceNorm}: `std · IN(x) + mean`. Splitting MUNIT's one linear
 * layer (rows `[mean₁ | std₁ | mean₂ | std₂ | …]`) into one projection per AdaIN layer computes the
 * same function with the same parameter and MAC counts, and makes each layer's rows its own:
 * the elastic form ({@link ElasticAdaptiveInstanceNorm}) selects the first C rows of its mean
 * and std blocks, which is GAN Compression's per-AdaIN row selection at export.
 *
 * MACs: the projection `N·S·2C` (a matmul, in both conventions); the normalisation 0
 * (torchprofile 0.0.1 counts MUNIT's `batch_norm` as 0). Runs at the width it was built with.
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [64, 64, 256] });
 * const mlpHidden = tf.input({ shape: [256] });
 * const y = new AdaptiveInstanceNorm({ name: 'dec_block1_adain1' }).apply([x, mlpHidden]);
 * ```
 */
export class AdaptiveInstanceNorm extends tfl.layers.Layer implements CostedLayer, HasChannelAxes {
  /** The name this class is registered and serialized under. */
  static className = 'AdaptiveInstanceNorm';
  /** The options it takes (see {@link AdaptiveInstanceNormConfig}). */
  static readonly options = OPTIONS;
  readonly epsilon: number;
  /** @internal */
  protected readonly values: OptionValues<typeof OPTIONS>;
  /** @internal `[meanKernel, meanBias, stdKernel, stdBias]`. */
  protected params: tfl.LayerVariable[] = [];
  /** @internal Channels and style length the layer was built with. */
  protected builtShapes: { channels: number; style: number } | null = null;

  constructor(config: AdaptiveInstanceNormConfig = {}) {
    super(baseLayerArgs(config));
    this.values = OPTIONS.parse(this.name, config);
    this.epsilon = this.values.epsilon;
  }

  /** Whether the layer slices its projection to narrower inputs. */
  protected get elastic(): boolean {
    return false;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [x, style] = shapePair(this.name, inputShape, EXPECTED_INPUTS);
    const c = x[3];
    const s = styleLength(style);
    if (x.length !== 4 || c == null)
      throw new ShapeError(`${this.name} x`, x, 'rank 4 (NHWC) with a known channel count');
    if (s == null) throw new ShapeError(`${this.name} style`, style, '[N, S] or [N, 1, 1, S] with a known S');
    const { kernelInitializer: kernel, biasInitializer: bias } = this.values;
    this.params = [
      this.addWeight('meanKernel', [s, c], 'float32', kernel),
      this.addWeight('meanBias', [c], 'float32', bias),
      this.addWeight('stdKernel', [s, c], 'float32', reseeded(kernel, 1)),
      this.addWeight('stdBias', [c], 'float32', bias),
    ];
    this.builtShapes = { channels: c, style: s };
    this.built = true;
  }

  /** @internal x's channel count after checking it against the built width, and the style's shape. */
  protected checkInputs(x: readonly (number | null)[], style: readonly (number | null)[]): number {
    const b = this.builtShapes;
    const c = x[3];
    if (x.length !== 4 || c == null || (b != null && (this.elastic ? c > b.channels : c !== b.channels)))
      throw new ShapeError(
        `${this.name} x`,
        [...x],
        `rank 4 (NHWC) with ${b == null ? 'a known number of' : this.elastic ? `at most ${b.channels}` : b.channels} channels`,
      );
    const s = styleLength(style);
    if (s == null || (b != null && s !== b.style) || (x[0] != null && style[0] != null && x[0] !== style[0]))
      throw new ShapeError(
        `${this.name} style`,
        [...style],
        `[${x[0] ?? 'N'}, ${b?.style ?? 'S'}] or [${x[0] ?? 'N'}, 1, 1, ${b?.style ?? 'S'}]: one style vector per sample of x`,
      );
    return c;
  }

  /** @internal `[meanKernel, meanBias, stdKernel, stdBias]` for `c` channels (call inside a tidy). */
  protected activeParams(c: number): tf.Tensor[] {
    const s = built(this.name, this.builtShapes).style;
    return this.params.map((v, i) => prefix(v.read(), i % 2 === 0 ? [s, c] : [c]));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, style] = tensorPair(this.name, inputs, EXPECTED_INPUTS);
      const c = this.checkInputs(x.shape, style.shape);
      const [meanKernel, meanBias, stdKernel, stdBias] = this.activeParams(c) as [
        tf.Tensor2D,
        tf.Tensor,
        tf.Tensor2D,
        tf.Tensor,
      ];
      const h = tf.reshape<tf.Rank.R2>(style, [style.shape[0] ?? 1, -1]);
      return adaptiveInstanceNorm(
        x as tf.Tensor4D,
        { mean: tf.add(tf.matMul(h, meanKernel), meanBias), std: tf.add(tf.matMul(h, stdKernel), stdBias) },
        this.epsilon,
      );
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [x, style] = shapePair(this.name, inputShape, EXPECTED_INPUTS);
    this.checkInputs(x, style);
    return [...x];
  }

  /** The style projection `N·S·2C` MACs in both conventions; `2·(S·C + C)` parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    const [x, style] = shapePair(this.name, inputShape, EXPECTED_INPUTS);
    const c = this.checkInputs(x, style);
    const s = styleLength(style) ?? Number.NaN;
    return { macs: (x[0] ?? Number.NaN) * s * 2 * c, params: 2 * (s * c + c), outputShape: [...x] };
  }

  /** Follows x channel by channel; the style is not a channel input. */
  channelRole(): ChannelRole {
    return { kind: 'follow', channelInput: 0, fixedInputWidth: !this.elastic };
  }

  /** The projections' columns and biases are indexed by x's channels. */
  channelAxes(): ChannelAxes {
    return {
      inputs: [
        { weight: 'meanKernel', axis: 1 },
        { weight: 'meanBias', axis: 0 },
        { weight: 'stdKernel', axis: 1 },
        { weight: 'stdBias', axis: 0 },
      ],
      outputs: [],
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...OPTIONS.config(this.values) };
  }
}
registerLayer(AdaptiveInstanceNorm);

/**
 * GAN Compression's SuperAdaptiveInstanceNorm2d: {@link AdaptiveInstanceNorm} holding the
 * projection for its full width that runs any input up to it, using the first C rows of its mean
 * and std blocks. `extractSubnet` exports it as an {@link AdaptiveInstanceNorm} holding only
 * those rows — MUNIT's MLP row selection per AdaIN layer.
 *
 * @example
 * ```ts
 * const adain = new ElasticAdaptiveInstanceNorm({ name: 'dec_block1_adain1' });
 * ```
 */
export class ElasticAdaptiveInstanceNorm extends AdaptiveInstanceNorm implements StaticExportable {
  /** The name this class is registered and serialized under. */
  static override className = 'ElasticAdaptiveInstanceNorm';

  protected override get elastic(): boolean {
    return true;
  }

  /** An {@link AdaptiveInstanceNorm} with the selected rows. */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const [x, style] = inputs as [tfl.SymbolicTensor, tfl.SymbolicTensor];
    const c = this.checkInputs(x.shape, style.shape);
    const copy = new AdaptiveInstanceNorm({ name: this.name, epsilon: this.epsilon });
    const y = copy.apply([x, style]) as tfl.SymbolicTensor;
    fillWeights(copy, () => this.activeParams(c));
    return y;
  }
}
registerLayer(ElasticAdaptiveInstanceNorm);
