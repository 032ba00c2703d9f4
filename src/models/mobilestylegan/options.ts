import { ConfigError } from '../../util/index.js';
import { assertInt, assertOneOf } from '../../util/index.js';

/** How a synthesis network takes its styles: one `w` for every layer, or one per layer (W+). */
export type StyleMode = 'w' | 'wplus';

/** Options of the synthesis networks ({@link MobileSynthesisNetwork}, {@link StyleGan2SynthesisNetwork}). */
export interface SynthesisNetworkOptions {
  /**
   * The width at 4×4 (the constant input and the first conv), then each block's output width,
   * as the reference constructors take them.
   */
  channels: number[];
  /** Length of the style vector `w`. */
  styleDim: number;
  /** Output image size; when given it must agree with `channels`. */
  resolution?: number;
  /**
   * `'w'` (default): the style input is `[N, styleDim]`, used by every layer; `'wplus'`: it is
   * `[N, numStyles, styleDim]`, one row per layer (indices in the guide).
   */
  styleMode?: StyleMode;
  /** Seed of the weight initialisation and of the random noise. Default 0. */
  seed?: number;
  /** Model name. */
  name?: string;
}

/** Options with every default filled in. */
export interface ResolvedSynthesisOptions {
  channels: number[];
  styleDim: number;
  resolution: number;
  styleMode: StyleMode;
  seed: number;
  name: string;
}

const KNOWN = ['channels', 'styleDim', 'resolution', 'styleMode', 'seed', 'name'];

/**
 * Validates `options` (naming the offending field) and fills in the defaults. `firstSize` is the
 * image size with one entry in `channels` (8 for MobileStyleGAN, whose last IDWT doubles the
 * size; 4 for StyleGAN2); `divisibleBy4` asks every width but the last to be a multiple of 4 (the
 * IDWT upsampler's input).
 */
export function resolveSynthesisOptions(
  options: unknown,
  defaultName: string,
  firstSize: number,
  divisibleBy4: boolean,
): ResolvedSynthesisOptions {
  if (options == null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(
      'options',
      options,
      `an object { channels, styleDim, resolution?, styleMode?, seed?, name? }`,
    );
  }
  const o = options as SynthesisNetworkOptions;
  for (const key of Object.keys(o))
    if (!KNOWN.includes(key))
      throw new ConfigError(
        `options.${key}`,
        (o as unknown as Record<string, unknown>)[key],
        `no such option (known: ${KNOWN.join(', ')})`,
      );
  const channels = o.channels;
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every((c) => Number.isInteger(c) && c >= 1)) {
    throw new ConfigError(
      'options.channels',
      channels,
      'a non-empty array of positive integers (the 4×4 width, then each block’s output width)',
    );
  }
  if (divisibleBy4) {
    channels.slice(0, -1).forEach((c, i) => {
      if (c % 4 !== 0)
        throw new ConfigError(
          `options.channels[${i}]`,
          c,
          'a multiple of 4 (it feeds an IDWT upsampler, which turns 4C channels into C)',
        );
    });
  }
  assertInt('options.styleDim', o.styleDim, 1);
  const resolution = firstSize * 2 ** (channels.length - 1);
  if (o.resolution !== undefined && o.resolution !== resolution) {
    throw new ConfigError(
      'options.resolution',
      o.resolution,
      `${resolution}, the size ${channels.length} channel entries give (${firstSize}·2^${channels.length - 1})`,
    );
  }
  const styleMode = o.styleMode ?? 'w';
  assertOneOf('options.styleMode', styleMode, ['w', 'wplus'] as const);
  const seed = o.seed ?? 0;
  assertInt('options.seed', seed);
  const name = o.name ?? defaultName;
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('options.name', name, 'a non-empty string');
  return { channels: [...channels], styleDim: o.styleDim, resolution, styleMode, seed, name };
}
