import * as tfl from '@tensorflow/tfjs-layers';
import { assertInt, assertOneOf, ConfigError } from '../../util/index.js';
import { InstanceNorm } from '../../layers/common/index.js';

/** The normalisation of a {@link PatchGanDiscriminator}'s inner convs. */
export type PatchGanNorm = 'instance' | 'batch';

/** Options of {@link PatchGanDiscriminator}. */
export interface PatchGanOptions {
  /** Width of the first conv; later convs double it up to 8·ndf. Default 64. */
  ndf?: number;
  /** Stride-2 convs after the first, plus one stride-1 conv (pix2pix's `n_layers_D`). Default 3 (70×70 patches). */
  nLayers?: number;
  /**
   * `'instance'` (default, as GAN Compression: InstanceNorm without affine, and biased convs) or
   * `'batch'` (pix2pix's default: BatchNorm, convs without bias).
   */
  norm?: PatchGanNorm;
  /** Image channels: 3 for an unconditional D (CycleGAN), 6 for pix2pix's conditional D (input ‖ output). Default 3. */
  inputChannels?: number;
  /** Fixed input `[height, width]`, or null (default) for any size ≥ the receptive field. */
  inputSize?: [number, number] | null;
  /** Seed of the weight initialisation (normal, std 0.02, as pix2pix). Default 0. */
  seed?: number;
  /** Model name. Default `'patchgan_discriminator'`. */
  name?: string;
}

const KNOWN = ['ndf', 'nLayers', 'norm', 'inputChannels', 'inputSize', 'seed', 'name'];

type ST = tfl.SymbolicTensor;
const apply = (layer: tfl.layers.Layer, x: ST): ST => layer.apply(x) as ST;

/**
 * pix2pix's PatchGAN discriminator (`NLayerDiscriminator`), layer for layer, NHWC: a 4×4 conv with
 * stride 2 to `ndf` and LeakyReLU(0.2); `nLayers − 1` more 4×4 stride-2 convs, each doubling the
 * width (up to 8·ndf), with a norm and LeakyReLU; one 4×4 stride-1 conv, norm, LeakyReLU; and a 4×4
 * stride-1 conv to one channel of raw logits — one per overlapping patch (70×70 pixels for 3
 * layers). Every conv zero-pads 1 pixel. With `norm: 'instance'` the inner convs have biases (the
 * norm has no affine parameters), with `'batch'` they have none (the norm's β is the bias), as in
 * pix2pix. Weights are drawn N(0, 0.02) (batch norm's γ N(1, 0.02)), biases 0.
 *
 * Layer names: `conv1` … `conv{nLayers+1}` (each after `conv{i}_pad`, followed by `conv{i}_norm`
 * from the second on, and `conv{i}_lrelu`), then `head_pad`, `head`.
 *
 * At ndf 64, 3 layers and 3 input channels: 2,764,737 parameters with instance norm, 2,765,633
 * with batch norm (PyTorch's counts, tests/fixtures/distill_torch.json).
 *
 * @example
 * ```ts
 * const D = PatchGanDiscriminator({ ndf: 64, nLayers: 3, norm: 'instance' });
 * const logits = D.predict(tf.zeros([1, 256, 256, 3])) as tf.Tensor; // [1, 30, 30, 1]
 * ```
 */
export function PatchGanDiscriminator(options: PatchGanOptions = {}): tfl.LayersModel {
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, `an object with some of ${KNOWN.join(', ')}`);
  for (const key of Object.keys(options))
    if (!KNOWN.includes(key))
      throw new ConfigError(
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        `no such option (known: ${KNOWN.join(', ')})`,
      );
  const ndf = options.ndf ?? 64;
  const nLayers = options.nLayers ?? 3;
  const norm = options.norm ?? 'instance';
  const inputChannels = options.inputChannels ?? 3;
  const seed = options.seed ?? 0;
  const name = options.name ?? 'patchgan_discriminator';
  const size = options.inputSize ?? null;
  assertInt('options.ndf', ndf, 1);
  assertInt('options.nLayers', nLayers, 1);
  assertOneOf('options.norm', norm, ['instance', 'batch'] as const);
  assertInt('options.inputChannels', inputChannels, 1);
  assertInt('options.seed', seed);
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('options.name', name, 'a non-empty string');
  if (size !== null && !(Array.isArray(size) && size.length === 2 && size.every((d) => Number.isInteger(d) && d > 0)))
    throw new ConfigError('options.inputSize', size, '[height, width] (positive integers) or null for any size');

  let nextSeed = seed;
  const conv = (layerName: string, filters: number, strides: number, useBias: boolean): tfl.layers.Layer =>
    tfl.layers.conv2d({
      name: layerName,
      filters,
      kernelSize: 4,
      strides,
      padding: 'valid',
      useBias,
      kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: nextSeed++ }),
      biasInitializer: 'zeros',
    });
  const normLayer = (layerName: string): tfl.layers.Layer =>
    norm === 'instance'
      ? new InstanceNorm({ name: layerName })
      : tfl.layers.batchNormalization({
          name: layerName,
          axis: -1,
          momentum: 0.9, // PyTorch's momentum 0.1 weighs the new batch; tfjs weighs the running value
          epsilon: 1e-5,
          gammaInitializer: tfl.initializers.randomNormal({ mean: 1, stddev: 0.02, seed: nextSeed++ }),
        });
  const block = (x: ST, i: number, filters: number, strides: number, normed: boolean): ST => {
    const padded = apply(tfl.layers.zeroPadding2d({ name: `conv${i}_pad`, padding: 1 }), x);
    let y = apply(conv(`conv${i}`, filters, strides, !normed || norm === 'instance'), padded);
    if (normed) y = apply(normLayer(`conv${i}_norm`), y);
    return apply(tfl.layers.leakyReLU({ name: `conv${i}_lrelu`, alpha: 0.2 }), y);
  };

  const input = tfl.input({ shape: [size?.[0] ?? null, size?.[1] ?? null, inputChannels], name: `${name}_input` });
  let x = block(input, 1, ndf, 2, false);
  for (let n = 1; n < nLayers; n++) x = block(x, n + 1, ndf * Math.min(2 ** n, 8), 2, true);
  x = block(x, nLayers + 1, ndf * Math.min(2 ** nLayers, 8), 1, true);
  const padded = apply(tfl.layers.zeroPadding2d({ name: 'head_pad', padding: 1 }), x);
  const logits = apply(conv('head', 1, 1, true), padded);
  return tfl.model({ inputs: input, outputs: logits, name });
}
