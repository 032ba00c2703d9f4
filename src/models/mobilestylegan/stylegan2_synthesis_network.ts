import * as tfl from '@tensorflow/tfjs-layers';
import { assertIntList } from '../../util/index.js';
import { BlurUpsample } from '../../layers/modulated/index.js';
import { StyledConv } from '../../layers/modulated/index.js';
import { ToWavelets } from '../../layers/modulated/index.js';
import { resolveSynthesisOptions, type SynthesisNetworkOptions } from './options.js';
import { SynthesisBuilder } from './synthesis_builder.js';

/**
 * StyleGAN2 config-f's 1024² widths at 4², 8², …, 1024² (channel multiplier 2).
 *
 * @example
 * ```ts
 * StyleGan2SynthesisNetwork({ channels: [...STYLEGAN2_CONFIG_F_CHANNELS], styleDim: 512 }); // 28,268,812 parameters
 * ```
 */
export const STYLEGAN2_CONFIG_F_CHANNELS: readonly number[] = [512, 512, 512, 512, 512, 256, 128, 64, 32];

/**
 * The number of W+ style rows a {@link StyleGan2SynthesisNetwork} with `channels` reads:
 * `2·log2(R) − 2` (18 at 1024²), rosinality's `n_latent`.
 *
 * @example
 * ```ts
 * styleGan2StyleCount(STYLEGAN2_CONFIG_F_CHANNELS); // 18
 * ```
 */
export function styleGan2StyleCount(channels: readonly number[]): number {
  assertIntList('channels', channels, { min: 1, minLength: 1 });
  return 2 * (channels.length - 1) + 2;
}

/**
 * StyleGAN2's synthesis network in rosinality's layout (the teacher MobileStyleGAN distils): a
 * learned 4×4 constant, a modulated 3×3 `StyledConv`, then per resolution 8² … R² an up-sampling
 * `StyledConv` (stride-2 transposed conv + `[1, 3, 3, 1]` blur) and a `StyledConv`; every
 * resolution has a ToRGB head (1×1 modulated conv without demodulation, plus bias) whose output
 * is added to the previous RGB image up-sampled with the `[1, 3, 3, 1]` FIR (`BlurUpsample`). The
 * convs use the equalized-lr affine map, per-sample demodulation and the √2 leaky-ReLU gain. With
 * `STYLEGAN2_CONFIG_F_CHANNELS` and `styleDim` 512 it has 28,268,812 parameters.
 *
 * - Input: `[N, styleDim]` (`'w'`) or `[N, numStyles, styleDim]` (`'wplus'`, numStyles =
 *   2·log2(R) − 2). Rows: stem conv 0, stem ToRGB 1; block b: up conv `2b + 1`, conv `2b + 2`,
 *   ToRGB `2b + 3` (rosinality's indexing: a ToRGB shares its row with the next block's up conv).
 * - Outputs: `[image [N, R, R, 3], RGB at 4², 8², …, R/2²]` (the skip images, coarsest first).
 * - Noise: one map at 4², two per block (`setNoise`).
 * - Layer names: `const_input`, `stem_conv`, `stem_torgb`, `block<b>_conv1` (up-sampling),
 *   `block<b>_conv2`, `block<b>_torgb`, `block<b>_skip`, `block<b>_rgb`.
 *
 * @example
 * ```ts
 * const teacher = StyleGan2SynthesisNetwork({ channels: [32, 32, 16, 16], styleDim: 32 }); // 32²
 * setNoise(teacher, { seed: 0 });
 * const [image] = teacher.predict(w) as tf.Tensor[];
 * ```
 */
export function StyleGan2SynthesisNetwork(options: SynthesisNetworkOptions): tfl.LayersModel {
  const o = resolveSynthesisOptions(options, 'stylegan2_synthesis_network', 4, false);
  const g = new SynthesisBuilder(o, styleGan2StyleCount(o.channels));
  const styleDim = o.styleDim;
  const conv = (name: string, filters: number, upsample: boolean): StyledConv =>
    new StyledConv({
      name,
      filters,
      styleDim,
      conv: 'dense',
      affine: 'equalized',
      demodulation: 'style',
      upsample,
      activationGain: Math.SQRT2,
      seed: g.seed(),
    });
  const toRgb = (name: string): ToWavelets =>
    new ToWavelets({ name, filters: 3, affine: 'equalized', styleDim, seed: g.seed() });

  const constant = g.constant();
  let x = g.apply(conv('stem_conv', o.channels[0] as number, false), [constant, g.style(0)]);
  let rgb = g.apply(toRgb('stem_torgb'), [x, g.style(1)]);
  const images = [rgb];
  for (let b = 0; b < o.channels.length - 1; b++) {
    const width = o.channels[b + 1] as number;
    x = g.apply(conv(`block${b}_conv1`, width, true), [x, g.style(2 * b + 1)]);
    x = g.apply(conv(`block${b}_conv2`, width, false), [x, g.style(2 * b + 2)]);
    const head = g.apply(toRgb(`block${b}_torgb`), [x, g.style(2 * b + 3)]);
    const skip = g.apply(new BlurUpsample({ name: `block${b}_skip` }), rgb);
    rgb = g.apply(tfl.layers.add({ name: `block${b}_rgb` }), [head, skip]);
    images.push(rgb);
  }
  return tfl.model({ inputs: g.styleInput, outputs: [rgb, ...images.slice(0, -1)], name: o.name });
}
