import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../util/index.js';
import {
  baseLayerArgs,
  option,
  SIZE_LIMITS,
  type Initializer,
  type InitializerSpec,
  type OptionValues,
  type ResolvedOptions,
} from '../layers/core/index.js';
import type { ChannelRole, HasChannelRole } from '../layers/core/index.js';
import {
  numElements,
  type CostedLayer,
  type LayerCost,
  type LayerShape,
  type MacConvention,
} from '../layers/core/index.js';
import { registerLayer } from '../layers/core/index.js';
import { haarIdwt } from './haar.js';
import { HAAR_LAYER_OPTIONS, haarIdwtShape, haarMacs, idwtChannelRole } from './haar_layers.js';
import { toBandMajor, type ChannelLayout } from './layout.js';
import type { HaarLayerConfig } from './haar_layers.js';

/** The initializers mean something only with a style to map. */
const WITH_STYLE = {
  test: (resolved: ResolvedOptions) => resolved['styleDim'] != null,
  description: 'with styleDim set',
};

/** Config of {@link IDWTUpsample}. */
export interface IDWTUpsampleConfig extends HaarLayerConfig {
  /**
   * Length of the style vector. When set, the layer takes `[x, style]` and scales each of the
   * 4C input channels by `style · kernel + bias` before the IDWT (MobileStyleGAN's upsampler);
   * when unset it is a plain IDWT of `x`.
   */
  styleDim?: number;
  /**
   * Initializer of the `[styleDim, 4C]` kernel (with `styleDim` only). Default `'pytorchLinear'`:
   * PyTorch `nn.Linear`'s, uniform in ±1/√styleDim.
   */
  kernelInitializer?: InitializerSpec;
  /** Initializer of the `[4C]` bias (with `styleDim` only). Default `'ones'` (MobileStyleGAN's). */
  biasInitializer?: InitializerSpec;
  /** Seed of the initializers. */
  seed?: number;
}

/**
 * MobileStyleGAN's IDWT upsampler (`IDWTUpsaplme`): Haar coefficients with 4C channels at h×w
 * become C channels at 2h×2w. With `styleDim` set, a style vector first scales every input channel:
 * `m = style · kernel + bias` (a plain affine map, no equalized-learning-rate scale, bias
 * initialised to 1), `x ← m ⊙ x`, then the IDWT. The layer has no other parameters.
 *
 * Inputs: `x` `[N, h, w, 4C]`, or `[x, style]` with `style` `[N, styleDim]` when `styleDim` is set.
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [16, 16, 512] });
 * const w = tf.input({ shape: [512] });
 * const up = new IDWTUpsample({ styleDim: 512, channelLayout: 'interleaved', seed: 1 });
 * const y = up.apply([x, w]) as tf.SymbolicTensor; // [null, 32, 32, 128]
 * ```
 */
export class IDWTUpsample extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'IDWTUpsample';
  /**
   * The options it takes (see {@link IDWTUpsampleConfig}); `channelLayout` is the Haar layers'
   * (`'bandmajor'` or MobileStyleGAN's `'interleaved'`, which lets its trained weights be used
   * unchanged), also for the modulation's 4C outputs.
   */
  static readonly options = HAAR_LAYER_OPTIONS.extend({
    styleDim: option.int({ min: 1, limit: SIZE_LIMITS.width, optional: true }),
    kernelInitializer: option.initializer({ default: 'pytorchLinear', appliesWhen: WITH_STYLE }),
    biasInitializer: option.initializer({ default: 'ones', appliesWhen: WITH_STYLE }),
    seed: option.seed(),
  });
  /** Style length, or `null` without modulation. */
  readonly styleDim: number | null;
  /** Layout of the input channels. */
  readonly channelLayout: ChannelLayout;
  /** Seed of the initializers, if given. */
  readonly seed: number | undefined;
  private readonly values: OptionValues<typeof IDWTUpsample.options>;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(config: IDWTUpsampleConfig = {}) {
    super(baseLayerArgs(config));
    this.values = IDWTUpsample.options.parse(this.name, config);
    ({
      channelLayout: this.channelLayout,
      seed: this.seed,
      kernelInitializer: this.kernelInit,
      biasInitializer: this.biasInit,
    } = this.values);
    this.styleDim = this.values.styleDim ?? null;
  }

  /** The x and style shapes, checked against `styleDim`. */
  private splitShapes(inputShape: tfl.Shape | tfl.Shape[]): [LayerShape, LayerShape | null] {
    const shapes = Array.isArray(inputShape[0]) ? (inputShape as tfl.Shape[]) : [inputShape as tfl.Shape];
    const expected = this.styleDim == null ? 1 : 2;
    if (shapes.length !== expected) {
      throw new ConfigError(
        `${this.name} inputs`,
        `${shapes.length} input(s)`,
        this.styleDim == null ? 'one input x (styleDim is not set)' : '[x, style] (styleDim is set)',
      );
    }
    const style = shapes[1] ?? null;
    if (style != null && (style.length !== 2 || (style[1] != null && style[1] !== this.styleDim))) {
      throw new ShapeError(`${this.name} style`, style, `[N, ${this.styleDim}]`);
    }
    return [shapes[0] as LayerShape, style];
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [x] = this.splitShapes(inputShape);
    haarIdwtShape(`${this.name} x`, x);
    if (this.styleDim != null) {
      const c4 = x[3] as number;
      this.kernel = this.addWeight('kernel', [this.styleDim, c4], 'float32', this.kernelInit);
      this.bias = this.addWeight('bias', [c4], 'float32', this.biasInit);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return haarIdwtShape(`${this.name} x`, this.splitShapes(inputShape)[0]);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const [x, style] = list as [tf.Tensor4D, tf.Tensor2D | undefined];
      this.splitShapes(list.map((t) => t.shape));
      haarIdwtShape(`${this.name} x`, x.shape);
      let modulated: tf.Tensor4D = x;
      if (this.kernel != null && this.bias != null && style != null) {
        const c4 = this.kernel.shape[1] as number;
        if (x.shape[3] !== c4 || style.shape[0] !== x.shape[0]) {
          throw new ShapeError(
            `${this.name} x`,
            x.shape,
            `[${style.shape[0]}, h, w, ${c4}] (the batch of style and the channels the layer was built with)`,
          );
        }
        const m = tf.add(tf.matMul(style, this.kernel.read() as tf.Tensor2D), this.bias.read());
        modulated = tf.mul(x, tf.reshape(m, [x.shape[0], 1, 1, c4]));
      }
      return haarIdwt(toBandMajor(modulated, this.channelLayout));
    });
  }

  /**
   * The IDWT's 4 MACs per output element, plus with a style the affine map's `styleDim · 4C` per
   * sample and, in the `'torchprofile'` convention only, one MAC per input element for the
   * per-channel scaling (torchprofile counts `aten::mul`). Parameters: kernel and bias.
   */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost {
    const outputShape = this.computeOutputShape(inputShape);
    let macs = haarMacs(outputShape);
    let params = 0;
    if (this.styleDim != null) {
      const [x] = this.splitShapes(inputShape);
      const c4 = x[3] as number;
      const batch = x[0] ?? Number.NaN;
      macs += batch * this.styleDim * c4 + (convention === 'torchprofile' ? numElements(x) : 0);
      params = this.styleDim * c4 + c4;
    }
    return { macs, params, outputShape };
  }

  /**
   * For `setSubnet`'s width checks: each output channel combines 4 input channels (the
   * sub-bands, which are blocks of the full width in either layout, so the input width is fixed).
   */
  channelRole(): ChannelRole {
    return idwtChannelRole();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...IDWTUpsample.options.config(this.values) };
  }
}
registerLayer(IDWTUpsample);
