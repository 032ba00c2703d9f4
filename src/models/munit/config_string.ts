import { ConfigError, assertBoolean, assertInt, describeValue } from '../../util/index.js';
import type { SubnetConfig } from '../../graph/index.js';

/** Options of {@link munitConfigFromString} and {@link munitConfigToString}: the supernet's shape. */
export interface MunitConfigOptions {
  /** Default 2 (GAN Compression's MUNIT). */
  nDownsample?: number;
  /** Default 4. */
  nRes?: number;
  /** The style code's length (the `style_code` conv's width). Default 8. */
  styleDim?: number;
  /** Image channels (the `dec_out_conv` width). Default 3. */
  channels?: number;
  /**
   * Whether the model has its style encoder (false for `styleInput: true` models): without it,
   * `munitConfigFromString` leaves c0 unused and `munitConfigToString` writes `styleWidth` as c0.
   * Default true.
   */
  styleEncoder?: boolean;
  /** c0 to write when the model has no style encoder. */
  styleWidth?: number;
}

interface Shape {
  nDownsample: number;
  nRes: number;
  styleDim: number;
  channels: number;
  styleEncoder: boolean;
  styleWidth: number | undefined;
}

function resolve(options: MunitConfigOptions): Shape {
  if (options == null || typeof options !== 'object')
    throw new ConfigError(
      'options',
      options,
      '{ nDownsample?, nRes?, styleDim?, channels?, styleEncoder?, styleWidth? }',
    );
  const s: Shape = {
    nDownsample: options.nDownsample ?? 2,
    nRes: options.nRes ?? 4,
    styleDim: options.styleDim ?? 8,
    channels: options.channels ?? 3,
    styleEncoder: options.styleEncoder ?? true,
    styleWidth: options.styleWidth,
  };
  assertInt('options.nDownsample', s.nDownsample, 0);
  assertInt('options.nRes', s.nRes, 0);
  if (s.nRes % 2 !== 0) throw new ConfigError('options.nRes', s.nRes, 'an even integer');
  assertInt('options.styleDim', s.styleDim, 1);
  assertInt('options.channels', s.channels, 1);
  assertBoolean('options.styleEncoder', s.styleEncoder);
  if (s.styleWidth !== undefined) assertInt('options.styleWidth', s.styleWidth, 1);
  return s;
}

/** The kernel size of each elastic layer of the MUNIT supernet (none of them is kernel-elastic). */
function kernelOf(name: string): number {
  if (name === 'style_code') return 1;
  if (name === 'style_conv1' || name === 'content_stem_conv' || name === 'dec_out_conv') return 7;
  if (name.startsWith('style_conv') || name.startsWith('content_down')) return 4;
  return name.startsWith('dec_up') ? 5 : 3;
}

/** Length of the config string: c0, the content stem and downsamplings, the block pairs of encoder and decoder, the upsamplings. */
const lengthOf = (s: Shape): number => 2 + 2 * s.nDownsample + s.nRes;

/**
 * The width of each elastic layer of a {@link SuperMobileAdaINGenerator} from GAN Compression's
 * integers (10 for 2 downsamplings and 4 blocks), as its SuperMobileAdaINGenerator reads them:
 * c0 the style encoder (c0, 2·c0, then 4·c0; the style code `styleDim`); c1 the content stem;
 * c2 … the downsamplings (2ⁱ·c); then one hidden width per pair of content blocks and per pair of
 * decoder blocks (2^nDown·c); the residual stream (every block's second conv) is the last
 * downsampling's width; the upsamplings 2^(nDown−i)·c; the output conv the image channels.
 */
function widths(c: readonly number[], s: Shape): Map<string, number> {
  const at = (i: number): number => c[i] as number;
  const w = new Map<string, number>();
  if (s.styleEncoder) {
    [1, 2, 4, 4, 4].forEach((f, i) => w.set(`style_conv${i + 1}`, f * at(0)));
    w.set('style_code', s.styleDim);
  }
  w.set('content_stem_conv', at(1));
  const base = 2 ** s.nDownsample;
  for (let i = 1; i <= s.nDownsample; i++) w.set(`content_down${i}_conv`, 2 ** i * at(1 + i));
  const stream = base * at(1 + s.nDownsample);
  const pairs = s.nRes / 2;
  const contentPairs = 2 + s.nDownsample;
  const decoderPairs = contentPairs + pairs;
  for (let b = 1; b <= s.nRes; b++) {
    const pair = Math.floor((b - 1) / 2);
    w.set(`content_block${b}_conv1`, base * at(contentPairs + pair));
    w.set(`content_block${b}_conv2`, stream);
    w.set(`dec_block${b}_conv1`, base * at(decoderPairs + pair));
    w.set(`dec_block${b}_conv2`, stream);
  }
  for (let i = 1; i <= s.nDownsample; i++)
    w.set(`dec_up${i}_conv`, 2 ** (s.nDownsample - i) * at(decoderPairs + pairs + i - 1));
  w.set('dec_out_conv', s.channels);
  return w;
}

/**
 * GAN Compression's MUNIT channel-config string (`'16_16_16_24_56_16_40_40_32_24'`, 10 integers
 * for 2 downsamplings and 4 residual blocks) as a sub-network config of
 * {@link SuperMobileAdaINGenerator} (`{ layerName: { outChannels } }`), for `setSubnet`,
 * `countMacs(…, { subnet })` and `extractSubnet`. A string of another length, or with a 0, is a
 * `ConfigError` naming it.
 *
 * @example
 * ```ts
 * const subnet = munitConfigFromString('16_16_16_24_56_16_40_40_32_24');
 * subnet.content_down2_conv;   // { outChannels: 96 } — 4·c3, the content code
 * subnet.dec_block3_conv1;     // { outChannels: 160 } — 4·c7
 * subnet.dec_up1_conv;         // { outChannels: 64 } — 2·c8
 * ```
 */
export function munitConfigFromString(configString: string, options: MunitConfigOptions = {}): SubnetConfig {
  const s = resolve(options);
  const n = lengthOf(s);
  const expected = `${n} positive integers joined by '_' (GAN Compression's MUNIT config for ${s.nDownsample} downsamplings and ${s.nRes} blocks)`;
  if (typeof configString !== 'string' || !/^\d+(_\d+)*$/.test(configString))
    throw new ConfigError('configString', configString, expected);
  const c = configString.split('_').map(Number);
  if (c.length !== n || c.some((v) => v < 1))
    throw new ConfigError('configString', configString, `${expected}; it has ${c.length}`);
  const config: SubnetConfig = {};
  for (const [name, w] of widths(c, s)) config[name] = { outChannels: w };
  return config;
}

/**
 * The inverse of {@link munitConfigFromString}: the config string of a sub-network config of
 * {@link SuperMobileAdaINGenerator} (such as `getSubnet(superG)`). Throws a `ConfigError` naming
 * the offending layer when the config is not of GAN Compression's form: a layer missing or
 * unknown, a width that is not a multiple of its factor, a style encoder whose widths are not c,
 * 2c, 4c, 4c, 4c, blocks of one pair with different hidden widths, a block off the residual width.
 *
 * @example
 * ```ts
 * const superG = SuperMobileAdaINGenerator({ ngf: 16, mlpDim: 32 });
 * munitConfigToString(getSubnet(superG)); // '16_16_16_16_16_16_16_16_16_16'
 * ```
 */
export function munitConfigToString(config: SubnetConfig, options: MunitConfigOptions = {}): string {
  const s = resolve(options);
  if (config == null || typeof config !== 'object' || Array.isArray(config))
    throw new ConfigError('config', config, 'a sub-network config { [layerName]: { outChannels } }');
  const n = lengthOf(s);
  const template = widths(new Array<number>(n).fill(1), s);
  for (const name of Object.keys(config))
    if (!template.has(name))
      throw new ConfigError(
        `config.${name}`,
        config[name],
        `no such layer in this SuperMobileAdaINGenerator (layers: ${describeValue([...template.keys()])})`,
      );
  const width = (name: string): number => {
    const setting = config[name];
    if (setting == null)
      throw new ConfigError(
        `config.${name}`,
        setting,
        'a setting { outChannels }: every elastic layer of the MUNIT supernet must be given',
      );
    if (setting.kernelSize !== undefined && setting.kernelSize !== kernelOf(name))
      throw new ConfigError(
        `config.${name}.kernelSize`,
        setting.kernelSize,
        `${kernelOf(name)} (GAN Compression's MUNIT configs have no elastic kernels)`,
      );
    assertInt(`config.${name}.outChannels`, setting.outChannels, 1);
    return setting.outChannels;
  };
  const divided = (name: string, factor: number): number => {
    const w = width(name);
    if (w % factor !== 0)
      throw new ConfigError(`config.${name}.outChannels`, w, `a multiple of ${factor} (GAN Compression's ${factor}·c)`);
    return w / factor;
  };
  const same = (name: string, expected: number, what: string): void => {
    if (width(name) !== expected)
      throw new ConfigError(`config.${name}.outChannels`, width(name), `${expected}, ${what}`);
  };
  const c: number[] = [];
  if (s.styleEncoder) {
    c.push(width('style_conv1'));
    [2, 4, 4, 4].forEach((f, i) =>
      same(`style_conv${i + 2}`, f * (c[0] as number), `${f}·c0 (c0 = style_conv1's width)`),
    );
    same('style_code', s.styleDim, 'the style code length');
  } else {
    if (s.styleWidth === undefined)
      throw new ConfigError(
        'options.styleWidth',
        undefined,
        'c0 to write: a model without a style encoder has no c0 of its own',
      );
    c.push(s.styleWidth);
  }
  c.push(width('content_stem_conv'));
  for (let i = 1; i <= s.nDownsample; i++) c.push(divided(`content_down${i}_conv`, 2 ** i));
  const base = 2 ** s.nDownsample;
  const stream = base * (c[1 + s.nDownsample] as number);
  for (const prefix of ['content_block', 'dec_block']) {
    for (let b = 1; b <= s.nRes; b += 2) {
      const h = divided(`${prefix}${b}_conv1`, base);
      same(`${prefix}${b + 1}_conv1`, base * h, `the hidden width of ${prefix}${b}_conv1 (blocks share it in pairs)`);
      for (const k of [b, b + 1]) same(`${prefix}${k}_conv2`, stream, "the residual width (the last downsampling's)");
      c.push(h);
    }
  }
  for (let i = 1; i <= s.nDownsample; i++) c.push(divided(`dec_up${i}_conv`, 2 ** (s.nDownsample - i)));
  same('dec_out_conv', s.channels, 'the image channels');
  return c.join('_');
}
