import { ConfigError, describeValue } from '../../util/index.js';
import type { SubnetConfig } from '../../graph/index.js';
import { assertInt } from '../../util/index.js';
import { blockGroup } from './trunk.js';

/** Options of {@link resnetConfigFromString} and {@link resnetConfigToString}. */
export interface ResnetConfigOptions {
  /** Residual blocks of the supernet. Default 9. */
  nBlocks?: number;
  /** Output image channels (the head conv's width). Default 3. */
  outputChannels?: number;
}

/** The kernel size of every elastic conv of the ResNet supernet (none of them is kernel-elastic). */
function kernelOf(name: string): number {
  return name === 'stem_conv' || name === 'head_conv' ? 7 : 3;
}

/**
 * The width each elastic layer of a {@link SuperMobileResnetGenerator} gets from GAN
 * Compression's 8 integers `c0…c7`: stem c0; downsampling 2·c1 and 4·c2 (the residual stream:
 * every block's second conv returns to 4·c2); block hidden widths 4·c3, 4·c4, 4·c5 for the three
 * groups of blocks; upsampling 2·c6 and c7; head the image channels.
 */
function widths(c: number[], nBlocks: number, outputChannels: number): Map<string, number> {
  const [c0, c1, c2, c3, c4, c5, c6, c7] = c as [number, number, number, number, number, number, number, number];
  const w = new Map<string, number>([
    ['stem_conv', c0],
    ['down1_conv', 2 * c1],
    ['down2_conv', 4 * c2],
  ]);
  const hidden = [c3, c4, c5];
  for (let i = 1; i <= nBlocks; i++) {
    w.set(`block${i}_conv1`, 4 * (hidden[blockGroup(i, nBlocks)] as number));
    w.set(`block${i}_conv2`, 4 * c2);
  }
  w.set('up1_convt', 2 * c6);
  w.set('up2_convt', c7);
  w.set('head_conv', outputChannels);
  return w;
}

function resolveOptions(options: ResnetConfigOptions): { nBlocks: number; outputChannels: number } {
  const nBlocks = options.nBlocks ?? 9;
  const outputChannels = options.outputChannels ?? 3;
  assertInt('options.nBlocks', nBlocks, 0);
  assertInt('options.outputChannels', outputChannels, 1);
  return { nBlocks, outputChannels };
}

/**
 * GAN Compression's channel-config string (`'16_16_32_16_32_32_16_16'`, 8 integers) as a
 * sub-network config of {@link SuperMobileResnetGenerator} (`{ layerName: { outChannels } }`), for
 * `setSubnet`, `countMacs(…, { subnet })` and `extractSubnet`. The legacy 6-integer form of the
 * paper's models (`c0_c1_c2_c3_c4_c5`: one hidden width c3 for every block, upsampling c4, c5) is
 * accepted and read as `c0_c1_c2_c3_c3_c3_c4_c5`.
 *
 * @example
 * ```ts
 * const subnet = resnetConfigFromString('16_16_32_16_32_32_16_16');
 * subnet.down2_conv;   // { outChannels: 128 } — the residual stream, 4·c2
 * subnet.block4_conv1; // { outChannels: 128 } — hidden width of blocks 4–6, 4·c4
 * ```
 */
export function resnetConfigFromString(configString: string, options: ResnetConfigOptions = {}): SubnetConfig {
  const { nBlocks, outputChannels } = resolveOptions(options);
  const expected = "8 positive integers joined by '_' (GAN Compression's c0_c1_..._c7), or the legacy 6";
  if (typeof configString !== 'string' || !/^\d+(_\d+)*$/.test(configString))
    throw new ConfigError('configString', configString, expected);
  let c = configString.split('_').map(Number);
  if (c.length === 6) c = [c[0], c[1], c[2], c[3], c[3], c[3], c[4], c[5]] as number[];
  if (c.length !== 8 || c.some((v) => v < 1)) throw new ConfigError('configString', configString, expected);
  const config: SubnetConfig = {};
  for (const [name, w] of widths(c, nBlocks, outputChannels)) config[name] = { outChannels: w };
  return config;
}

/**
 * The inverse of {@link resnetConfigFromString}: the 8-integer string of a sub-network config
 * of {@link SuperMobileResnetGenerator} (such as `getSubnet(superG)`). Throws a `ConfigError`
 * naming the offending layer when the config is not of GAN Compression's form: a layer missing
 * or unknown, a width that is not a multiple of its factor, blocks of one group with different
 * hidden widths, a second block conv off the residual width, a kernel size other than the full one.
 *
 * @example
 * ```ts
 * const superG = SuperMobileResnetGenerator({ ngf: 64 });
 * resnetConfigToString(getSubnet(superG)); // '64_64_64_64_64_64_64_64': a fresh supernet runs at full width
 * setSubnet(superG, resnetConfigFromString('16_16_32_16_32_32_16_16'));
 * resnetConfigToString(getSubnet(superG)); // '16_16_32_16_32_32_16_16'
 * ```
 */
export function resnetConfigToString(config: SubnetConfig, options: ResnetConfigOptions = {}): string {
  const { nBlocks, outputChannels } = resolveOptions(options);
  if (config == null || typeof config !== 'object' || Array.isArray(config))
    throw new ConfigError('config', config, 'a sub-network config { [layerName]: { outChannels } }');
  const template = widths([1, 1, 1, 1, 1, 1, 1, 1], nBlocks, outputChannels);
  for (const name of Object.keys(config)) {
    if (!template.has(name))
      throw new ConfigError(
        `config.${name}`,
        config[name],
        `no such layer in a ${nBlocks}-block SuperMobileResnetGenerator (layers: ${describeValue([...template.keys()])})`,
      );
  }
  const width = (name: string): number => {
    const setting = config[name];
    if (setting == null)
      throw new ConfigError(
        `config.${name}`,
        setting,
        'a setting { outChannels }: every layer of the ResNet supernet must be given',
      );
    if (setting.kernelSize !== undefined && setting.kernelSize !== kernelOf(name)) {
      throw new ConfigError(
        `config.${name}.kernelSize`,
        setting.kernelSize,
        `${kernelOf(name)} (GAN Compression's ResNet configs have no elastic kernels)`,
      );
    }
    assertInt(`config.${name}.outChannels`, setting.outChannels, 1);
    return setting.outChannels;
  };
  const divided = (name: string, factor: number): number => {
    const w = width(name);
    if (w % factor !== 0)
      throw new ConfigError(`config.${name}.outChannels`, w, `a multiple of ${factor} (GAN Compression's ${factor}·c)`);
    return w / factor;
  };
  const c2 = divided('down2_conv', 4);
  const hidden: (number | null)[] = [null, null, null];
  const hiddenFrom: string[] = ['', '', ''];
  for (let i = 1; i <= nBlocks; i++) {
    const g = blockGroup(i, nBlocks);
    const h = divided(`block${i}_conv1`, 4);
    if (hidden[g] != null && hidden[g] !== h) {
      throw new ConfigError(
        `config.block${i}_conv1.outChannels`,
        4 * h,
        `${4 * hidden[g]}, the hidden width of ${hiddenFrom[g]} (blocks of one group share it)`,
      );
    }
    hidden[g] = h;
    hiddenFrom[g] = `block${i}_conv1`;
    if (width(`block${i}_conv2`) !== 4 * c2)
      throw new ConfigError(
        `config.block${i}_conv2.outChannels`,
        width(`block${i}_conv2`),
        `${4 * c2}, the residual width 4·c2 of down2_conv`,
      );
  }
  if (width('head_conv') !== outputChannels)
    throw new ConfigError(
      'config.head_conv.outChannels',
      width('head_conv'),
      `${outputChannels} (the output image channels)`,
    );
  // Groups without blocks (nBlocks < 3) keep GAN Compression's string length with the residual width.
  const c = [
    width('stem_conv'),
    divided('down1_conv', 2),
    c2,
    ...hidden.map((h) => h ?? c2),
    divided('up1_convt', 2),
    width('up2_convt'),
  ];
  return c.join('_');
}
