import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { baseLayerArgs, option, optionSchema, type LayerArgs } from '../layers/core/index.js';
import {
  numElements,
  type CostedLayer,
  type LayerCost,
  type LayerShape,
  type MacConvention,
} from '../layers/core/index.js';
import type { ChannelRole, HasChannelRole } from '../layers/core/index.js';
import { registerLayer, singleInput, singleShape } from '../layers/core/index.js';
import { assertCoefficientShape, assertHaarShape } from './checks.js';
import { haarDwt, haarIdwt } from './haar.js';
import { CHANNEL_LAYOUTS, fromBandMajor, toBandMajor, type ChannelLayout } from './layout.js';

/** Config of {@link HaarDWT} and {@link HaarIDWT}. */
export interface HaarLayerConfig extends LayerArgs {
  /**
   * Channel layout of the coefficients: `'bandmajor'` (default, `[LL | LH | HL | HH]`) or
   * `'interleaved'` (MobileStyleGAN's, see {@link toMobileStyleGanLayout}).
   */
  channelLayout?: ChannelLayout;
}

function half(size: number | null): number | null {
  return size == null ? null : size / 2;
}

function twice(size: number | null): number | null {
  return size == null ? null : size * 2;
}

/** `[N, H, W, C]` → `[N, H/2, W/2, 4C]` (shape check included). */
export function haarDwtShape(argument: string, s: LayerShape): LayerShape {
  assertHaarShape(argument, s);
  return [s[0] ?? null, half(s[1] ?? null), half(s[2] ?? null), s[3] == null ? null : s[3] * 4];
}

/** `[N, h, w, 4C]` → `[N, 2h, 2w, C]` (shape check included). */
export function haarIdwtShape(argument: string, s: LayerShape): LayerShape {
  assertCoefficientShape(argument, s);
  return [s[0] ?? null, twice(s[1] ?? null), twice(s[2] ?? null), (s[3] as number) / 4];
}

/**
 * Each output of a Haar transform is a 4-term ±½ sum of inputs: 4 MACs per output element in
 * both conventions (this reproduces MobileStyleGAN's "IDWT 0.074 GMAC").
 */
export function haarMacs(outputShape: LayerShape): number {
  return 4 * numElements(outputShape);
}

/**
 * The options of {@link HaarDWT} and {@link HaarIDWT} (see {@link HaarLayerConfig}).
 *
 * @example
 * ```ts
 * HAAR_LAYER_OPTIONS.parse('idwt', { channelLayout: 'interleaved' }); // { channelLayout: 'interleaved' }
 * ```
 */
export const HAAR_LAYER_OPTIONS = optionSchema({ channelLayout: option.oneOf(CHANNEL_LAYOUTS, 'bandmajor') });

function haarCost(outputShape: LayerShape): LayerCost {
  return { macs: haarMacs(outputShape), params: 0, outputShape };
}

/**
 * The channel role of an inverse Haar transform (plain or style-modulated): each output channel
 * combines 4 input channels, its sub-bands, which are blocks of the full input width in either
 * layout, so the layer reads that width only.
 */
export function idwtChannelRole(): ChannelRole {
  return { kind: 'follow', divisor: 4, fixedInputWidth: true };
}

/**
 * Layer form of {@link haarDwt}: `[N, H, W, C]` → `[N, H/2, W/2, 4C]`. No weights.
 *
 * @example
 * ```ts
 * const input = tf.input({ shape: [64, 64, 3] });
 * const coeffs = new HaarDWT().apply(input) as tf.SymbolicTensor; // [null, 32, 32, 12]
 * ```
 */
export class HaarDWT extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'HaarDWT';
  /** The options it takes (see {@link HaarLayerConfig}). */
  static readonly options = HAAR_LAYER_OPTIONS;
  /** Layout of the output coefficients. */
  readonly channelLayout: ChannelLayout;

  constructor(config: HaarLayerConfig = {}) {
    super(baseLayerArgs(config));
    this.channelLayout = HAAR_LAYER_OPTIONS.parse(this.name, config).channelLayout;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return haarDwtShape(`${this.name} input`, singleShape(inputShape, this.name));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => fromBandMajor(haarDwt(singleInput(inputs, this.name) as tf.Tensor4D), this.channelLayout));
  }

  /** 4 MACs per output element, no parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    return haarCost(this.computeOutputShape(inputShape));
  }

  /**
   * A barrier that keeps its input width: the 4C output channels are the input's sub-bands in
   * blocks of C (both layouts), so neither a permutation nor a narrower input carries over to
   * the layers reading them.
   */
  channelRole(): ChannelRole {
    return {
      kind: 'barrier',
      fixedInputWidth: true,
      reason:
        'its output channels are the sub-bands of its input channels in blocks of the input width, which channels cannot be sorted or narrowed across',
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...HAAR_LAYER_OPTIONS.config({ channelLayout: this.channelLayout }) };
  }
}
registerLayer(HaarDWT);

/**
 * Layer form of {@link haarIdwt}: `[N, h, w, 4C]` → `[N, 2h, 2w, C]`. No weights. With
 * `channelLayout: 'interleaved'` it turns a MobileStyleGAN 12-channel `to_img` output into RGB.
 *
 * @example
 * ```ts
 * const freq = tf.input({ shape: [512, 512, 12] });
 * const rgb = new HaarIDWT({ channelLayout: 'interleaved' }).apply(freq) as tf.SymbolicTensor; // [null, 1024, 1024, 3]
 * ```
 */
export class HaarIDWT extends tfl.layers.Layer implements CostedLayer, HasChannelRole {
  /** The name this class is registered and serialized under. */
  static className = 'HaarIDWT';
  /** The options it takes (see {@link HaarLayerConfig}). */
  static readonly options = HAAR_LAYER_OPTIONS;
  /** Layout of the input coefficients. */
  readonly channelLayout: ChannelLayout;

  constructor(config: HaarLayerConfig = {}) {
    super(baseLayerArgs(config));
    this.channelLayout = HAAR_LAYER_OPTIONS.parse(this.name, config).channelLayout;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return haarIdwtShape(`${this.name} input`, singleShape(inputShape, this.name));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => haarIdwt(toBandMajor(singleInput(inputs, this.name) as tf.Tensor4D, this.channelLayout)));
  }

  /** 4 MACs per output element, no parameters. */
  computeCost(inputShape: LayerShape | LayerShape[], _convention: MacConvention): LayerCost {
    return haarCost(this.computeOutputShape(inputShape));
  }

  /** As {@link IDWTUpsample}'s: each output channel combines 4 input channels; the input width is fixed. */
  channelRole(): ChannelRole {
    return idwtChannelRole();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...HAAR_LAYER_OPTIONS.config({ channelLayout: this.channelLayout }) };
  }
}
registerLayer(HaarIDWT);
