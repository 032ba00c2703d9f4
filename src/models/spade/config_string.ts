import { ConfigError, assertInt, describeValue } from '../../util/index.js';
import type { SubnetConfig } from '../../graph/index.js';

/** Options of {@link spadeConfigFromString} and {@link spadeConfigToString}. */
export interface SpadeConfigOptions {
  /** Output image channels (the `conv_img` width). Default 3. */
  outputChannels?: number;
}

/** Blocks whose width is the residual stream 16·c0 (no learned shortcut), with their position in the string. */
const MIDDLE = [
  ['head_0', 1],
  ['G_middle_0', 2],
  ['G_middle_1', 3],
] as const;

/** Blocks with a learned shortcut, their position and width factor. */
const UPS = [
  ['up_0', 4, 8],
  ['up_1', 5, 4],
  ['up_2', 6, 2],
  ['up_3', 7, 1],
] as const;

/**
 * The setting of each elastic layer of a {@link SuperMobileSPADEGenerator} from GAN Compression's
 * 8 integers `c0…c7`: `fc` 16·c0 (the residual stream of the three middle blocks); in `head_0`,
 * `G_middle_0`, `G_middle_1` the first conv 16·c1, 16·c2, 16·c3 and the second back to 16·c0; in
 * `up_0` … `up_3` every conv (`conv_0`, `conv_1`, the shortcut `conv_s`) 8·c4, 4·c5, 2·c6, c7;
 * every SPADE's hidden width 2·c of its block; `conv_img` the image channels.
 */
function widths(c: readonly number[], outputChannels: number): Map<string, number> {
  const w = new Map<string, number>([['fc', 16 * (c[0] as number)]]);
  for (const [block, i] of MIDDLE) {
    w.set(`${block}_conv_0`, 16 * (c[i] as number));
    w.set(`${block}_conv_1`, 16 * (c[0] as number));
    for (const n of ['0', '1']) w.set(`${block}_norm_${n}`, 2 * (c[i] as number));
  }
  for (const [block, i, factor] of UPS) {
    for (const n of ['0', '1', 's']) {
      w.set(`${block}_conv_${n}`, factor * (c[i] as number));
      w.set(`${block}_norm_${n}`, 2 * (c[i] as number));
    }
  }
  w.set('conv_img', outputChannels);
  return w;
}

function resolveOutputChannels(options: SpadeConfigOptions): number {
  if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ outputChannels? }');
  const outputChannels = options.outputChannels ?? 3;
  assertInt('options.outputChannels', outputChannels, 1);
  return outputChannels;
}

/**
 * GAN Compression's GauGAN channel-config string (`'32_32_48_32_32_32_32_24'`, 8 integers) as a
 * sub-network config of {@link SuperMobileSPADEGenerator} (`{ layerName: { outChannels } }`,
 * where an `ElasticSPADE`'s `outChannels` is its hidden width), for `setSubnet`,
 * `countMacs(…, { subnet })` and `extractSubnet`. A string of another length, or with a 0, is a
 * `ConfigError` naming it.
 *
 * @example
 * ```ts
 * const subnet = spadeConfigFromString('32_32_48_32_32_32_32_24');
 * subnet.fc;             // { outChannels: 512 } — 16·c0
 * subnet.head_0_norm_0;  // { outChannels: 64 }  — SPADE hidden width 2·c1
 * subnet.up_3_conv_s;    // { outChannels: 24 }  — c7
 * ```
 */
export function spadeConfigFromString(configString: string, options: SpadeConfigOptions = {}): SubnetConfig {
  const outputChannels = resolveOutputChannels(options);
  const expected = "8 positive integers joined by '_' (GAN Compression's GauGAN config c0_c1_..._c7)";
  if (typeof configString !== 'string' || !/^\d+(_\d+)*$/.test(configString))
    throw new ConfigError('configString', configString, expected);
  const c = configString.split('_').map(Number);
  if (c.length !== 8 || c.some((v) => v < 1))
    throw new ConfigError('configString', configString, `${expected}; it has ${c.length}`);
  const config: SubnetConfig = {};
  for (const [name, w] of widths(c, outputChannels)) config[name] = { outChannels: w };
  return config;
}

/**
 * The inverse of {@link spadeConfigFromString}: the 8-integer string of a sub-network config of
 * {@link SuperMobileSPADEGenerator} (such as `getSubnet(superG)`). Throws a `ConfigError` naming
 * the offending layer when the config is not of GAN Compression's form: a layer missing or
 * unknown, a width that is not a multiple of its factor, a block whose convs or SPADE hidden
 * widths disagree, a middle block's second conv off the residual width 16·c0.
 *
 * @example
 * ```ts
 * const superG = SuperMobileSPADEGenerator({ ngf: 8 });
 * spadeConfigToString(getSubnet(superG)); // '8_8_8_8_8_8_8_8'
 * ```
 */
export function spadeConfigToString(config: SubnetConfig, options: SpadeConfigOptions = {}): string {
  const outputChannels = resolveOutputChannels(options);
  if (config == null || typeof config !== 'object' || Array.isArray(config))
    throw new ConfigError('config', config, 'a sub-network config { [layerName]: { outChannels } }');
  const template = widths([1, 1, 1, 1, 1, 1, 1, 1], outputChannels);
  for (const name of Object.keys(config))
    if (!template.has(name))
      throw new ConfigError(
        `config.${name}`,
        config[name],
        `no such layer in a SuperMobileSPADEGenerator (layers: ${describeValue([...template.keys()])})`,
      );
  const width = (name: string): number => {
    const setting = config[name];
    if (setting == null)
      throw new ConfigError(
        `config.${name}`,
        setting,
        'a setting { outChannels }: every elastic layer of the SPADE supernet must be given',
      );
    if (setting.kernelSize !== undefined && setting.kernelSize !== (name.endsWith('_conv_s') ? 1 : 3))
      throw new ConfigError(
        `config.${name}.kernelSize`,
        setting.kernelSize,
        "the layer's kernel size (GAN Compression's SPADE configs have no elastic kernels)",
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
  const c0 = divided('fc', 16);
  const c: number[] = [c0];
  for (const [block] of MIDDLE) {
    const ci = divided(`${block}_conv_0`, 16);
    same(`${block}_conv_1`, 16 * c0, 'the residual width 16·c0 of fc (the block adds its input)');
    for (const n of ['0', '1'])
      same(`${block}_norm_${n}`, 2 * ci, `the SPADE hidden width 2·c of ${block}_conv_0 (16·c)`);
    c.push(ci);
  }
  for (const [block, , factor] of UPS) {
    const ci = divided(`${block}_conv_0`, factor);
    for (const n of ['1', 's'])
      same(`${block}_conv_${n}`, factor * ci, `the width of ${block}_conv_0 (one width per block)`);
    for (const n of ['0', '1', 's'])
      same(`${block}_norm_${n}`, 2 * ci, `the SPADE hidden width 2·c of ${block}_conv_0 (${factor}·c)`);
    c.push(ci);
  }
  same('conv_img', outputChannels, 'the output image channels');
  return c.join('_');
}
