import { ConfigError, assertBoolean, assertInt, assertOneOf } from '../../util/index.js';

/** Options of the MUNIT generators ({@link AdaINGenerator}, {@link SuperMobileAdaINGenerator}). */
export interface AdaINGeneratorOptions {
  /** Base width: content stem ngf, downsampling 2·ngf, 4·ngf (the content code); style encoder ngf … 4·ngf. Default 64. */
  ngf?: number;
  /** Length of the style code. Default 8. */
  styleDim?: number;
  /** Stride-2 stages of the content encoder (and ×2 upsamplings of the decoder). Default 2. */
  nDownsample?: number;
  /** Residual blocks of the content encoder and of the decoder (even: blocks share widths in pairs). Default 4. */
  nRes?: number;
  /** Hidden width of the MLP from the style code to the AdaIN parameters. Default 256. */
  mlpDim?: number;
  /** Image channels (input and output). Default 3. */
  channels?: number;
  /** Padding of every conv: `'reflect'` (default, GAN Compression's MUNIT) or `'zero'`. */
  padType?: 'reflect' | 'zero';
  /**
   * Fixed input `[height, width]`, multiples of 2^nDownsample, or `null` (default) for any size —
   * the generators are fully convolutional (the style encoder pools globally).
   */
  inputSize?: [number, number] | null;
  /**
   * When true the model takes `[image, style]` — a style code `[N, styleDim]` (MUNIT's `z`) — and has
   * no style encoder; by default it encodes the style of its one input image (MUNIT's
   * reconstruction, which GAN Compression profiles).
   */
  styleInput?: boolean;
  /** Seed of the weight initialisation. Default 0. */
  seed?: number;
  /** Model name. Defaults to the generator's name in snake case. */
  name?: string;
}

/** Options with every default filled in. */
export type ResolvedAdaINOptions = Required<AdaINGeneratorOptions>;

const KNOWN = [
  'ngf',
  'styleDim',
  'nDownsample',
  'nRes',
  'mlpDim',
  'channels',
  'padType',
  'inputSize',
  'styleInput',
  'seed',
  'name',
];

/** Validates `options` (naming the offending field) and fills in the defaults. */
export function resolveAdaINOptions(options: unknown, defaultName: string): ResolvedAdaINOptions {
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, `an object with some of ${KNOWN.join(', ')}`);
  const o = options as AdaINGeneratorOptions;
  for (const key of Object.keys(o))
    if (!KNOWN.includes(key))
      throw new ConfigError(
        `options.${key}`,
        (o as Record<string, unknown>)[key],
        `no such option (known: ${KNOWN.join(', ')})`,
      );
  const r: ResolvedAdaINOptions = {
    ngf: o.ngf ?? 64,
    styleDim: o.styleDim ?? 8,
    nDownsample: o.nDownsample ?? 2,
    nRes: o.nRes ?? 4,
    mlpDim: o.mlpDim ?? 256,
    channels: o.channels ?? 3,
    padType: o.padType ?? 'reflect',
    inputSize: o.inputSize ?? null,
    styleInput: o.styleInput ?? false,
    seed: o.seed ?? 0,
    name: o.name ?? defaultName,
  };
  assertInt('options.ngf', r.ngf, 1);
  assertInt('options.styleDim', r.styleDim, 1);
  assertInt('options.nDownsample', r.nDownsample, 0);
  assertInt('options.nRes', r.nRes, 0);
  if (r.nRes % 2 !== 0)
    throw new ConfigError('options.nRes', r.nRes, 'an even integer (blocks share their widths in pairs)');
  assertInt('options.mlpDim', r.mlpDim, 1);
  assertInt('options.channels', r.channels, 1);
  assertOneOf('options.padType', r.padType, ['reflect', 'zero'] as const);
  assertBoolean('options.styleInput', r.styleInput);
  assertInt('options.seed', r.seed);
  if (typeof r.name !== 'string' || r.name.length === 0)
    throw new ConfigError('options.name', r.name, 'a non-empty string');
  const step = 2 ** r.nDownsample;
  const size = r.inputSize as unknown;
  if (
    size !== null &&
    !(Array.isArray(size) && size.length === 2 && size.every((d) => Number.isInteger(d) && d > 0 && d % step === 0))
  )
    throw new ConfigError(
      'options.inputSize',
      size,
      `[height, width], positive multiples of ${step} (2^nDownsample), or null for any size`,
    );
  return r;
}
