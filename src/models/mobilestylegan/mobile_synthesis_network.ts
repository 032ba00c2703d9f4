import * as tfl from '@tensorflow/tfjs-layers';
import { assertIntList } from '../../util/index.js';
import { StyledConv } from '../../layers/modulated/index.js';
import { ToWavelets } from '../../layers/modulated/index.js';
import { HaarIDWT, IDWTUpsample } from '../../wavelet/index.js';
import { resolveSynthesisOptions, type SynthesisNetworkOptions } from './options.js';
import { SynthesisBuilder } from './synthesis_builder.js';

/**
 * MobileStyleGAN's FFHQ 1024² widths: the 4×4 stem, then blocks at 8² … 512² (the final IDWT makes 1024²).
 *
 * @example
 * ```ts
 * MobileSynthesisNetwork({ channels: [...MOBILE_STYLEGAN_CHANNELS], styleDim: 512 }); // 1024²
 * ```
 */
export const MOBILE_STYLEGAN_CHANNELS: readonly number[] = [512, 512, 512, 512, 512, 256, 128, 64];

/**
 * The number of W+ style rows a {@link MobileSynthesisNetwork} with `channels` reads:
 * `3·blocks + 2` (23 at 1024²; the last row is never read, as in the reference).
 *
 * @example
 * ```ts
 * mobileSynthesisStyleCount(MOBILE_STYLEGAN_CHANNELS); // 23
 * ```
 */
export function mobileSynthesisStyleCount(channels: readonly number[]): number {
  assertIntList('channels', channels, { min: 1, minLength: 1 });
  return 3 * (channels.length - 1) + 2;
}

/**
 * MobileStyleGAN's synthesis network (Belousov 2021, `MobileSynthesisNetwork`): a learned 4×4
 * constant, a dense modulated 3×3 `StyledConv` stem, then one block per further `channels`
 * entry — an IDWT upsampler (style-modulated, 4C channels → C at twice the size), two
 * depthwise-separable `StyledConv`s — each stage ending in a `ToWavelets` head (12 Haar channels);
 * the image is the IDWT of the last head. With `channels` `[512, 512, 512, 512, 512, 256, 128, 64]`
 * and `styleDim` 512 it is the released 1024² model: 8,852,079 parameters (heads and constant
 * included; the 3,744 `styleInv` values are buffers) and 7.545 GMAC (`countMacs`, `'exact'`).
 *
 * - Input: the style, `[N, styleDim]` (`styleMode: 'w'`) or `[N, numStyles, styleDim]` (`'wplus'`,
 *   numStyles = 3·blocks + 2). W+ rows: stem conv 0, stem head 1; block b: upsampler and conv1
 *   `3b + 1`, conv2 `3b + 2`, head `3b + 3`.
 * - Outputs: `[image [N, R, R, 3], wavelets at 4², 8², …, R/2²]` — the pyramid coarsest first,
 *   12 channels each in MobileStyleGAN's interleaved layout (`HaarIDWT({ channelLayout:
 *   'interleaved' })` turns one into an image at twice its size).
 * - Noise: one map at 4², two per block, drawn inside (seeded) or fixed with `setNoise`.
 * - Layer names: `const_input`, `stem_conv`, `stem_towavelets`, `block<b>_up`, `block<b>_conv1`,
 *   `block<b>_conv2`, `block<b>_towavelets`, `image`.
 * - Elastic: the `StyledConv`s implement first-k output widths; the blocks' `conv1` widths (and
 *   the last block's `conv2`) can be narrowed with `setSubnet`, the others feed IDWT upsamplers,
 *   which need their full width.
 *
 * Initialisation follows the reference: conv weights, `styleInv` and the constant N(0, 1),
 * biases and noise strengths 0, affine maps PyTorch `nn.Linear`'s with bias 1.
 *
 * @example
 * ```ts
 * const g = MobileSynthesisNetwork({ channels: [64, 64, 32], styleDim: 64, styleMode: 'wplus' }); // 32²
 * setNoise(g, { seed: 1 });
 * const [image, ...pyramid] = g.predict(tf.randomNormal([2, 8, 64])) as tf.Tensor[];
 * ```
 */
export function MobileSynthesisNetwork(options: SynthesisNetworkOptions): tfl.LayersModel {
  const o = resolveSynthesisOptions(options, 'mobile_synthesis_network', 8, true);
  const g = new SynthesisBuilder(o, mobileSynthesisStyleCount(o.channels));
  const styleDim = o.styleDim;
  const c0 = o.channels[0] as number;
  const constant = g.constant();
  let x = g.apply(new StyledConv({ name: 'stem_conv', conv: 'dense', filters: c0, styleDim, seed: g.seed() }), [
    constant,
    g.style(0),
  ]);
  const pyramid = [g.apply(new ToWavelets({ name: 'stem_towavelets', styleDim, seed: g.seed() }), [x, g.style(1)])];
  for (let b = 0; b < o.channels.length - 1; b++) {
    const width = o.channels[b + 1] as number;
    const w1 = g.style(3 * b + 1);
    x = g.apply(new IDWTUpsample({ name: `block${b}_up`, styleDim, channelLayout: 'interleaved', seed: g.seed() }), [
      x,
      w1,
    ]);
    x = g.apply(new StyledConv({ name: `block${b}_conv1`, filters: width, styleDim, seed: g.seed() }), [x, w1]);
    x = g.apply(new StyledConv({ name: `block${b}_conv2`, filters: width, styleDim, seed: g.seed() }), [
      x,
      g.style(3 * b + 2),
    ]);
    pyramid.push(
      g.apply(new ToWavelets({ name: `block${b}_towavelets`, styleDim, seed: g.seed() }), [x, g.style(3 * b + 3)]),
    );
  }
  const image = g.apply(
    new HaarIDWT({ name: 'image', channelLayout: 'interleaved' }),
    pyramid[pyramid.length - 1] as tfl.SymbolicTensor,
  );
  return tfl.model({ inputs: g.styleInput, outputs: [image, ...pyramid], name: o.name });
}
