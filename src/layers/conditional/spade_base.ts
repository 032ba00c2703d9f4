import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../util/index.js';
import {
  baseLayerArgs,
  option,
  optionSchema,
  reseeded,
  type Initializer,
  type InitializerSpec,
  type LayerArgs,
  type OptionSchema,
  type OptionValues,
} from '../core/index.js';
import { built, prefix } from '../core/index.js';
import type { CostedLayer, LayerCost, LayerShape, MacConvention } from '../core/index.js';
import type { ChannelAxes, ChannelRole, HasChannelAxes } from '../core/index.js';
import { shapePair, tensorPair } from './input_pair.js';
import { spade, type SpadeConvBranch, type SpadeSeparableBranch, type SpadeWeights } from './spade_op.js';

/** The options every SPADE layer has ({@link SPADE}, {@link MobileSPADE}, {@link ElasticSPADE}). */
export interface SpadeConfig extends LayerArgs {
  /**
   * The parameter-free normalisation of `x`: `'none'` when `x` arrives normalised — GauGAN's
   * sync batch norm is the layer before (a batch norm without `center` and `scale`), so that
   * `recalibrateBatchNorm` and `extractSubnet` treat it as every batch norm — or `'instance'`
   * (`spadeinstance3x3`). Required.
   */
  norm: 'none' | 'instance';
  /** Width of the shared embedding of the map (`nhidden`; GauGAN: 2·ngf). Default 128. */
  hidden?: number;
  /** Kernel size of every conv (odd; padded by k//2 zeros). Default 3. */
  kernelSize?: number;
  /** Epsilon of the instance norms. Default 1e-5. */
  epsilon?: number;
  /** Default `'glorotUniform'`; each kernel draws from its own seed (`seed + i`). */
  kernelInitializer?: InitializerSpec;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec;
  /** Seed of the initializers given by name. */
  seed?: number;
}

/**
 * The schema of {@link SpadeConfig}.
 *
 * @example
 * ```ts
 * const { hidden, kernelSize } = SPADE_OPTIONS.parse('norm_0', { norm: 'none' }); // 128, 3
 * ```
 */
export const SPADE_OPTIONS = optionSchema({
  norm: option.oneOf(['none', 'instance'] as const),
  hidden: option.int({ min: 1, default: 128 }),
  kernelSize: option.int({ min: 1, odd: true, default: 3 }),
  epsilon: option.number({ positive: true, default: 1e-5 }),
  kernelInitializer: option.initializer({ default: 'glorotUniform' }),
  biasInitializer: option.initializer({ default: 'zeros' }),
  seed: option.seed(),
});

/** Options of the SPADE layers whose γ/β branches are depthwise-separable. */
export interface SeparableSpadeConfig extends SpadeConfig {
  /** Norm between the depthwise and pointwise convs (GAN Compression's `separable_conv_norm`). Default `'instance'`. */
  separableNorm?: 'instance' | 'none';
}

/**
 * The schema of {@link SeparableSpadeConfig}.
 *
 * @example
 * ```ts
 * const { separableNorm } = SEPARABLE_SPADE_OPTIONS.parse('norm_0', { norm: 'none' }); // 'instance'
 * ```
 */
export const SEPARABLE_SPADE_OPTIONS = SPADE_OPTIONS.extend({
  separableNorm: option.oneOf(['instance', 'none'] as const, 'instance'),
});

type SpadeValues = OptionValues<typeof SPADE_OPTIONS> & { separableNorm?: 'instance' | 'none' };

const BRANCHES = ['gamma', 'beta'] as const;
const EXPECTED_INPUTS = "[x, segmap]: features [N, H, W, C] and the segmentation map [N, H', W', labels]";

/**
 * What the SPADE layers share: the inputs `[x, segmap]`, the weights (shared embedding conv, γ
 * and β branches as convs or depthwise-separable convs), slicing to the input width and the
 * active hidden width (elastic layers), the op call, the cost and the channel axes. Subclasses
 * fix the branch kind and whether the layer is elastic.
 *
 * @example
 * ```ts
 * const spades = model.layers.filter((l): l is SpadeBase => l instanceof SpadeBase);
 * spades.forEach((l) => console.log(l.name, l.branch, l.elastic, l.builtWidths));
 * ```
 */
export abstract class SpadeBase extends tfl.layers.Layer implements CostedLayer, HasChannelAxes {
  readonly norm: 'none' | 'instance';
  /** Full hidden width (the shared conv's filters). */
  readonly hidden: number;
  readonly kernelSize: number;
  readonly epsilon: number;
  /** Norm inside the separable branches (separable layers only). */
  readonly separableNorm: 'instance' | 'none';
  /** @internal */
  protected activeHidden: number;
  private readonly values: SpadeValues;
  private readonly schema: OptionSchema<SpadeValues>;
  private builtShapes: { channels: number; labels: number } | null = null;
  private readonly variables = new Map<string, tfl.LayerVariable>();

  /**
   * @param schema The subclass's option schema ({@link SPADE_OPTIONS} or
   *   {@link SEPARABLE_SPADE_OPTIONS}).
   * @param branch How γ and β are computed from the embedding.
   * @param elastic Whether the layer runs narrower inputs and hidden widths by slicing.
   */
  protected constructor(
    config: SpadeConfig,
    schema: OptionSchema<SpadeValues>,
    readonly branch: 'conv' | 'separable',
    readonly elastic: boolean,
  ) {
    super(baseLayerArgs(config));
    this.schema = schema;
    this.values = schema.parse(this.name, config);
    ({ norm: this.norm, hidden: this.hidden, kernelSize: this.kernelSize, epsilon: this.epsilon } = this.values);
    this.separableNorm = this.values.separableNorm ?? 'instance';
    this.activeHidden = this.hidden;
  }

  /** Channels of x and label channels of the map the layer was built with. */
  get builtWidths(): { channels: number; labels: number } {
    return built(this.name, this.builtShapes);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [x, seg] = shapePair(this.name, inputShape, EXPECTED_INPUTS);
    const c = x[3];
    const labels = seg[3];
    if (x.length !== 4 || c == null)
      throw new ShapeError(`${this.name} x`, x, 'rank 4 (NHWC) with a known channel count');
    if (seg.length !== 4 || labels == null)
      throw new ShapeError(`${this.name} segmap`, seg, 'rank 4 (NHWC) with a known label count');
    const k = this.kernelSize;
    const h = this.hidden;
    const { kernelInitializer: kernel, biasInitializer: bias } = this.values;
    let draw = 0;
    const add = (name: string, shape: number[], init: Initializer): void => {
      this.variables.set(name, this.addWeight(name, shape, 'float32', init));
    };
    add('sharedKernel', [k, k, labels, h], reseeded(kernel, draw++));
    add('sharedBias', [h], bias);
    for (const b of BRANCHES) {
      if (this.branch === 'conv') {
        add(`${b}Kernel`, [k, k, h, c], reseeded(kernel, draw++));
      } else {
        add(`${b}DepthwiseKernel`, [k, k, h, 1], reseeded(kernel, draw++));
        add(`${b}DepthwiseBias`, [h], bias);
        add(`${b}PointwiseKernel`, [1, 1, h, c], reseeded(kernel, draw++));
      }
      add(`${b}Bias`, [c], bias);
    }
    this.builtShapes = { channels: c, labels };
    this.built = true;
  }

  /** The input's channel count, after checking it fits the built width (equal, or at most it when elastic). */
  protected checkX(shape: readonly (number | null)[]): number {
    const { channels } = this.builtWidths;
    const c = shape[3];
    if (shape.length !== 4 || c == null || (this.elastic ? c > channels : c !== channels))
      throw new ShapeError(
        `${this.name} x`,
        [...shape],
        `rank 4 (NHWC) with ${this.elastic ? `at most ${channels}` : channels} channels (the width it was built with)`,
      );
    return c;
  }

  /** Checks the map's rank and label count against the built layer. */
  protected checkSegmap(shape: readonly (number | null)[], batch: number | null): void {
    const { labels } = this.builtWidths;
    if (shape.length !== 4 || shape[3] !== labels || (batch != null && shape[0] != null && shape[0] !== batch))
      throw new ShapeError(
        `${this.name} segmap`,
        [...shape],
        `[${batch ?? 'N'}, H, W, ${labels}]: one map per sample with the ${labels} label channels the layer was built with`,
      );
  }

  /** @internal The weights for `c` input channels at the active hidden width, in the op's form (call inside a tidy). */
  protected activeWeights(c: number): SpadeWeights {
    const k = this.kernelSize;
    const h = this.activeHidden;
    const { labels } = this.builtWidths;
    const v = (name: string, sizes: number[]): tf.Tensor =>
      prefix(built(this.name, this.variables.get(name) ?? null).read(), sizes);
    const branch = (b: string): SpadeConvBranch | SpadeSeparableBranch =>
      this.branch === 'conv'
        ? { kernel: v(`${b}Kernel`, [k, k, h, c]) as tf.Tensor4D, bias: v(`${b}Bias`, [c]) as tf.Tensor1D }
        : {
            depthwiseKernel: v(`${b}DepthwiseKernel`, [k, k, h, 1]) as tf.Tensor4D,
            depthwiseBias: v(`${b}DepthwiseBias`, [h]) as tf.Tensor1D,
            pointwiseKernel: v(`${b}PointwiseKernel`, [1, 1, h, c]) as tf.Tensor4D,
            pointwiseBias: v(`${b}Bias`, [c]) as tf.Tensor1D,
            norm: this.separableNorm,
          };
    return {
      sharedKernel: v('sharedKernel', [k, k, labels, h]) as tf.Tensor4D,
      sharedBias: v('sharedBias', [h]) as tf.Tensor1D,
      gamma: branch('gamma'),
      beta: branch('beta'),
    };
  }

  /** @internal The active weights for `c` channels as a flat list in the layer's weight order (for export). */
  protected activeWeightList(c: number): tf.Tensor[] {
    const w = this.activeWeights(c);
    const out: tf.Tensor[] = [w.sharedKernel, w.sharedBias as tf.Tensor];
    for (const b of [w.gamma, w.beta]) {
      if ('kernel' in b) out.push(b.kernel, b.bias as tf.Tensor);
      else out.push(b.depthwiseKernel, b.depthwiseBias as tf.Tensor, b.pointwiseKernel, b.pointwiseBias as tf.Tensor);
    }
    return out;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, seg] = tensorPair(this.name, inputs, EXPECTED_INPUTS);
      const c = this.checkX(x.shape);
      this.checkSegmap(seg.shape, x.shape[0] ?? null);
      return spade(x as tf.Tensor4D, seg as tf.Tensor4D, this.activeWeights(c), {
        norm: this.norm,
        epsilon: this.epsilon,
      });
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [x, seg] = shapePair(this.name, inputShape, EXPECTED_INPUTS);
    if (this.builtShapes != null) {
      this.checkX(x);
      this.checkSegmap(seg, x[0] ?? null);
    }
    return [...x];
  }

  /**
   * MACs at the active widths (torchprofile 0.0.1's rules, as GAN Compression counts GauGAN):
   * the shared conv `N·H·W·hidden·labels·k²`; each branch `N·H·W·C·hidden·k²` (conv) or
   * `N·H·W·hidden·k²` + instance norm `N·H·W·hidden` + `N·H·W·C·hidden` (separable); the
   * modulation `x̂·(1 + γ)` one per element, and the instance norm of x one per element when
   * `norm` is `'instance'`. Under `'exact'` only the convs count. The resize, ReLU and additions
   * cost 0. Parameters: the sliced kernels and biases.
   */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const [x, seg] = shapePair(this.name, inputShape, EXPECTED_INPUTS);
    if (this.builtShapes != null) this.checkX(x);
    const nan = Number.NaN;
    const positions = (x[0] ?? nan) * (x[1] ?? nan) * (x[2] ?? nan);
    const c = x[3] ?? nan;
    const labels = seg[3] ?? nan;
    const h = this.activeHidden;
    const k2 = this.kernelSize * this.kernelSize;
    const tp = convention === 'torchprofile';
    let macs = positions * h * labels * k2;
    let params = labels * k2 * h + h;
    for (let i = 0; i < BRANCHES.length; i++) {
      if (this.branch === 'conv') {
        macs += positions * c * h * k2;
        params += h * k2 * c + c;
      } else {
        macs += positions * h * k2 + (tp && this.separableNorm === 'instance' ? positions * h : 0) + positions * c * h;
        params += h * k2 + h + h * c + c;
      }
    }
    if (tp) macs += positions * c * (this.norm === 'instance' ? 2 : 1);
    return { macs, params, outputShape: [...x] };
  }

  /**
   * Follows x channel by channel (output channel i is x̂ᵢ·(1 + γᵢ) + βᵢ); the segmap is not a
   * channel input. Static layers run at the width they were built with only.
   */
  channelRole(): ChannelRole {
    return { kind: 'follow', channelInput: 0, fixedInputWidth: !this.elastic };
  }

  /** The γ and β branches' output filters and biases are indexed by x's channels. */
  channelAxes(): ChannelAxes {
    const kernel = this.branch === 'conv' ? 'Kernel' : 'PointwiseKernel';
    return {
      inputs: BRANCHES.flatMap((b) => [
        { weight: `${b}${kernel}`, axis: 3 },
        { weight: `${b}Bias`, axis: 0 },
      ]),
      outputs: [],
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.schema.config(this.values) };
  }
}
