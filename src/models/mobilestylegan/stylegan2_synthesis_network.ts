import * as tfl from '@tensorflow/tfjs-layers';
import { BlurUpsample } from '../../layers/modulated/blur_upsample.js';
import { ConstantInput } from '../../layers/modulated/constant_input.js';
import { StyledConv, type StyledConvConfig } from '../../layers/modulated/styled_conv.js';
import { ToWavelets } from '../../layers/modulated/to_wavelets.js';
import { resolveSynthesisOptions, type SynthesisNetworkOptions } from './options.js';
import { LayerSeeds, StyleRows } from './styles.js';

type ST = tfl.SymbolicTensor;

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
  const seeds = new LayerSeeds(o.seed);
  const blocks = o.channels.length - 1;
  const styleInput = tfl.input({ shape: o.styleMode === 'w' ? [o.styleDim] : [styleGan2StyleCount(o.channels), o.styleDim], name: `${o.name}_style` });
  const styles = new StyleRows(styleInput, o.styleMode);
  const apply = (layer: tfl.layers.Layer, inputs: ST | ST[]): ST => layer.apply(inputs) as ST;
  const conv = (name: string, filters: number, upsample: boolean): StyledConv => {
    const config: StyledConvConfig = { name, filters, styleDim: o.styleDim, conv: 'dense', affine: 'equalized', demodulation: 'style', upsample, activationGain: Math.SQRT2, seed: seeds.take() };
    return new StyledConv(config);
  };
  const toRgb = (name: string): ToWavelets => new ToWavelets({ name, filters: 3, affine: 'equalized', styleDim: o.styleDim, seed: seeds.take() });

  const c0 = o.channels[0] as number;
  let x = apply(new ConstantInput({ name: 'const_input', channels: c0, seed: seeds.take() }), styleInput);
  x = apply(conv('stem_conv', c0, false), [x, styles.row(0)]);
  let rgb = apply(toRgb('stem_torgb'), [x, styles.row(1)]);
  const images = [rgb];
  for (let b = 0; b < blocks; b++) {
    const width = o.channels[b + 1] as number;
    x = apply(conv(`block${b}_conv1`, width, true), [x, styles.row(2 * b + 1)]);
    x = apply(conv(`block${b}_conv2`, width, false), [x, styles.row(2 * b + 2)]);
    const head = apply(toRgb(`block${b}_torgb`), [x, styles.row(2 * b + 3)]);
    const skip = apply(new BlurUpsample({ name: `block${b}_skip` }), rgb);
    rgb = apply(tfl.layers.add({ name: `block${b}_rgb` }), [head, skip]);
    images.push(rgb);
  }
  return tfl.model({ inputs: styleInput, outputs: [rgb, ...images.slice(0, -1)], name: o.name });
}
