import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, assertInt, assertKnownKeys, assertOneOf } from '../../util/index.js';
import { PixelShuffle, ReflectionPad2d } from '../../layers/common/index.js';
import type { Initializer } from '../../layers/core/index.js';
import { OnceForAllConv } from '../../layers/elastic/index.js';
import { HaarIDWT } from '../../wavelet/index.js';
import { bicubicSkipKernel } from './bicubic_skip.js';

/** Options of {@link SuperResidualUpscaler}. */
export interface SuperResidualUpscalerOptions {
  /** Up-sampling factor: 2 or 4. Default 4. */
  scale?: number;
  /** Maximum width of the residual trunk (the head's output and every block's output). Default 64. */
  channels?: number;
  /** Maximum hidden width inside each residual block. Default 64. */
  hidden?: number;
  /** Residual blocks. Default 8. */
  blocks?: number;
  /**
   * How the trunk becomes pixels: `'pixelShuffle'` (a conv to `3·scale²` channels, then depth-to-space) or
   * `'wavelet'` (the same conv predicts Haar wavelet coefficients, turned into pixels by `log2(scale)` inverse
   * DWTs, as MobileStyleGAN predicts its images). Default `'pixelShuffle'`.
   */
  head?: 'pixelShuffle' | 'wavelet';
  /**
   * `'bicubic'` (default): a 5×5 conv from the input, initialised to bicubic up-sampling (see
   * `bicubicPixelShuffleKernel`) and trained with the rest, is added before the head's up-sampling, so the network
   * learns a residual over bicubic. `'none'`: no skip.
   */
  skip?: 'bicubic' | 'none';
  /** Fixed input `[height, width]`, or `null` (default) for any size. */
  inputSize?: [number, number] | null;
  /** Seed of the weight initialisation. Default 0. */
  seed?: number;
  /** Model name. Default `'super_residual_upscaler'`. */
  name?: string;
}

const KNOWN = ['scale', 'channels', 'hidden', 'blocks', 'head', 'skip', 'inputSize', 'seed', 'name'];

/**
 * A once-for-all super-resolution student: an EDSR-style residual trunk of elastic convs (head 3×3 conv to
 * `channels`, `blocks` residual blocks conv 3×3 → ReLU → conv 3×3 with an elastic hidden width, a 3×3 tail conv to
 * `3·scale²`), a learned bicubic skip, and a pixel-shuffle or Haar-wavelet up-sampling head. Images in and out are
 * in [0, 1]. Elastic layers: `head` and every `block{i}_conv2` (tied by the residual adds: one trunk width),
 * `block{i}_conv1` (each block's hidden width); the tail's width is fixed by its up-sampling. `extractSubnet` gives
 * a model of tfjs built-in layers plus `PixelShuffle` (or `HaarIDWT`) and `ReflectionPad2d`.
 *
 * Sizes at a 32×32 input (`countMacs`, torchprofile): the full default supernet 0.61 GMAC; `channels: 48, hidden:
 * 32` everywhere 0.25 GMAC.
 *
 * @example
 * ```ts
 * const supernet = SuperResidualUpscaler({ channels: 64, hidden: 64, blocks: 8 });
 * const sr = supernet.predict(tf.zeros([1, 32, 32, 3])) as tf.Tensor; // [1, 128, 128, 3]
 * ```
 */
export function SuperResidualUpscaler(options: SuperResidualUpscalerOptions = {}): tfl.LayersModel {
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, `an object with some of ${KNOWN.join(', ')}`);
  assertKnownKeys(
    'options',
    options as Record<string, unknown>,
    KNOWN,
    `an option of SuperResidualUpscaler (${KNOWN.join(', ')})`,
  );
  const scale = options.scale ?? 4;
  const channels = options.channels ?? 64;
  const hidden = options.hidden ?? 64;
  const blocks = options.blocks ?? 8;
  const head = options.head ?? 'pixelShuffle';
  const skip = options.skip ?? 'bicubic';
  const inputSize = options.inputSize ?? null;
  const seed = options.seed ?? 0;
  assertOneOf('options.scale', scale, [2, 4] as const);
  assertInt('options.channels', channels, 1);
  assertInt('options.hidden', hidden, 1);
  assertInt('options.blocks', blocks, 0);
  assertOneOf('options.head', head, ['pixelShuffle', 'wavelet'] as const);
  assertOneOf('options.skip', skip, ['bicubic', 'none'] as const);
  assertInt('options.seed', seed);
  if (
    inputSize !== null &&
    (!Array.isArray(inputSize) || inputSize.length !== 2 || !inputSize.every((v) => Number.isInteger(v) && v >= 1))
  )
    throw new ConfigError('options.inputSize', inputSize, 'null or [height, width] of positive integers');

  const out = 3 * scale * scale;
  let nextSeed = seed;
  const he = (gain: number): Initializer =>
    tfl.initializers.varianceScaling({
      scale: 2 * gain * gain,
      mode: 'fanIn',
      distribution: 'normal',
      seed: nextSeed++,
    });
  const conv = (name: string, filters: number, gain: number): OnceForAllConv =>
    new OnceForAllConv({ name, filters, kernelSize: 3, padding: 'same', kernelInitializer: he(gain) });

  const input = tfl.input({ shape: [inputSize?.[0] ?? null, inputSize?.[1] ?? null, 3], name: 'lr' });
  const first = conv('head', channels, 1 / Math.sqrt(2)).apply(input) as tfl.SymbolicTensor;
  let x = first;
  for (let b = 0; b < blocks; b++) {
    let y = conv(`block${b}_conv1`, hidden, 1).apply(x) as tfl.SymbolicTensor;
    y = tfl.layers.reLU({ name: `block${b}_relu` }).apply(y) as tfl.SymbolicTensor;
    // Each block starts near the identity (small residual branch), so the untrained network is its skip.
    y = conv(`block${b}_conv2`, channels, 0.1).apply(y) as tfl.SymbolicTensor;
    x = tfl.layers.add({ name: `block${b}_add` }).apply([x, y]) as tfl.SymbolicTensor;
  }
  let coefficients = new OnceForAllConv({
    name: 'tail',
    filters: out,
    kernelSize: 3,
    padding: 'same',
    kernelInitializer: 'zeros',
  }).apply(x) as tfl.SymbolicTensor;
  if (skip === 'bicubic') {
    const padded = new ReflectionPad2d({ name: 'skip_pad', padding: 2 }).apply(input) as tfl.SymbolicTensor;
    const { kernel, size } = bicubicSkipKernel(scale, head);
    const skipConv = tfl.layers.conv2d({
      name: 'skip',
      filters: out,
      kernelSize: size,
      padding: 'valid',
      useBias: false,
      kernelInitializer: tfl.initializers.zeros(),
    });
    const skipped = skipConv.apply(padded) as tfl.SymbolicTensor;
    tf.tidy(() => skipConv.setWeights([tf.tensor4d(kernel, [size, size, 3, out])]));
    coefficients = tfl.layers.add({ name: 'skip_add' }).apply([coefficients, skipped]) as tfl.SymbolicTensor;
  }
  let sr = coefficients;
  if (head === 'pixelShuffle') sr = new PixelShuffle({ name: 'pixel_shuffle', scale }).apply(sr) as tfl.SymbolicTensor;
  else {
    for (let level = 0; level < Math.log2(scale); level++)
      sr = new HaarIDWT({ name: `idwt${level}` }).apply(sr) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: input, outputs: sr, name: options.name ?? 'super_residual_upscaler' });
}
