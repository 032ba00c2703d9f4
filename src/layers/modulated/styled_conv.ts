import { registerLayer } from '../core/index.js';
import { ElasticModulatedConv } from './elastic_modulated_conv.js';
import {
  CONV_KIND_OPTIONS,
  MODULATED_CONV_OPTIONS,
  STYLED_OUTPUT_OPTIONS,
  type ModulatedConvKind,
  type ModulatedConvOptions,
  type StyledOutputOptions,
} from './modulated_spec.js';

/** Config of {@link StyledConv}. */
export interface StyledConvConfig extends ModulatedConvOptions, StyledOutputOptions {
  /** `'depthwise'` (default, MobileStyleGAN's {@link ModulatedDWConv2d}) or `'dense'` ({@link ModulatedConv2d}). */
  conv?: ModulatedConvKind;
  /** Dense only: StyleGAN2's ×2 up-sampling conv. Default false. */
  upsample?: boolean;
}

/**
 * A modulated conv followed by noise injection, a bias and a leaky ReLU:
 * `y = act(conv(x, w) + strength · noise + b)` — MobileStyleGAN's `StyledConv2d` and, with
 * `{ conv: 'dense', affine: 'equalized', demodulation: 'style', activationGain: Math.SQRT2 }`,
 * StyleGAN2's `StyledConv` (its FusedLeakyReLU carries the √2 gain; MobileStyleGAN's plain
 * LeakyReLU(0.2) does not). Defaults are MobileStyleGAN's: depthwise-separable conv, linear
 * affine map, `styleInv` demodulation, noise on, bias on, LeakyReLU(0.2) with gain 1.
 *
 * Noise: `strength` (`noiseStrength`, one learned scalar initialised to 0) times a
 * `[1, H, W, 1]` map broadcast over the batch and the channels. In `noiseMode: 'random'` a fresh
 * map is drawn on every call (seeded by the layer's `seed`); in `'fixed'` the stored map (the
 * non-trainable weight `noise`, saved with the model) is used — see {@link setNoise}. The
 * output width is elastic.
 *
 * @example
 * ```ts
 * const conv = new StyledConv({ name: 'block0_conv1', filters: 512, styleDim: 512, seed: 3 });
 * const y = conv.apply([x, w]) as tf.SymbolicTensor;
 * ```
 */
export class StyledConv extends ElasticModulatedConv {
  /** The name this class is registered and serialized under. */
  static className = 'StyledConv';
  /** The options it takes (see {@link StyledConvConfig}), with MobileStyleGAN's defaults. */
  static readonly options = MODULATED_CONV_OPTIONS.extend(CONV_KIND_OPTIONS)
    .extend(STYLED_OUTPUT_OPTIONS)
    .withDefaults({
      conv: 'depthwise',
      affine: 'linear',
      demodulation: 'styleinv',
      noise: true,
      useBias: true,
      activation: 'lrelu',
      activationGain: 1,
    });

  constructor(config: StyledConvConfig) {
    super(config, StyledConv.options);
  }
}
registerLayer(StyledConv);
