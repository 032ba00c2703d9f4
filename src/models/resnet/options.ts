import { ConfigError } from '../../util/index.js';
import { assertInt } from '../../util/index.js';

/** Options of the ResNet generators ({@link ResnetGenerator}, {@link MobileResnetGenerator}, ...). */
export interface ResnetGeneratorOptions {
  /** Base width: stem `ngf`, downsampling `2·ngf` and `4·ngf` (the residual stream). Default 64. */
  ngf?: number;
  /** Residual blocks. Default 9 (GAN Compression's `resnet_9blocks`). */
  nBlocks?: number;
  /** Input image channels. Default 3. */
  inputChannels?: number;
  /** Output image channels. Default 3. */
  outputChannels?: number;
  /**
   * Fixed input `[height, width]` (multiples of 4), or `null` (default) for any size — the
   * generators are fully convolutional. A fixed size gives every layer known shapes, which some
   * exporters need.
   */
  inputSize?: [number, number] | null;
  /** Seed of the weight initialisation (normal, std 0.02, as pix2pix/CycleGAN). Default 0. */
  seed?: number;
  /** Model name. Defaults to the generator's name in snake case. */
  name?: string;
}

/** Options with every default filled in. */
export type ResolvedResnetOptions = Required<ResnetGeneratorOptions>;

const KNOWN = ['ngf', 'nBlocks', 'inputChannels', 'outputChannels', 'inputSize', 'seed', 'name'];

/** Validates `options` (naming the offending field) and fills in the defaults. */
export function resolveResnetOptions(options: unknown, defaultName: string): ResolvedResnetOptions {
  if (options == null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError('options', options, `an object with some of ${KNOWN.join(', ')}`);
  }
  const o = options as ResnetGeneratorOptions;
  for (const key of Object.keys(o))
    if (!KNOWN.includes(key))
      throw new ConfigError(
        `options.${key}`,
        (o as Record<string, unknown>)[key],
        `no such option (known: ${KNOWN.join(', ')})`,
      );
  const resolved: ResolvedResnetOptions = {
    ngf: o.ngf ?? 64,
    nBlocks: o.nBlocks ?? 9,
    inputChannels: o.inputChannels ?? 3,
    outputChannels: o.outputChannels ?? 3,
    inputSize: o.inputSize ?? null,
    seed: o.seed ?? 0,
    name: o.name ?? defaultName,
  };
  assertInt('options.ngf', resolved.ngf, 1);
  assertInt('options.nBlocks', resolved.nBlocks, 0);
  assertInt('options.inputChannels', resolved.inputChannels, 1);
  assertInt('options.outputChannels', resolved.outputChannels, 1);
  assertInt('options.seed', resolved.seed);
  const size = resolved.inputSize;
  if (
    size !== null &&
    !(Array.isArray(size) && size.length === 2 && size.every((d) => Number.isInteger(d) && d > 0 && d % 4 === 0))
  ) {
    throw new ConfigError(
      'options.inputSize',
      size,
      '[height, width], positive multiples of 4 (two stride-2 stages), or null for any size',
    );
  }
  if (typeof resolved.name !== 'string' || resolved.name.length === 0)
    throw new ConfigError('options.name', resolved.name, 'a non-empty string');
  return resolved;
}
