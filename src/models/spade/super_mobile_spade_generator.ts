import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';
import { spadeGenerator } from './generator.js';
import { resolveSpadeOptions, type SpadeGeneratorOptions } from './options.js';

/**
 * GAN Compression's SuperMobileSPADEGenerator: {@link MobileSPADEGenerator} built from elastic
 * layers at full width `ngf` (`OnceForAllConv`, `ElasticSPADE`, `ElasticBatchNorm`), so that every
 * sub-network of GAN Compression's 8-integer config space runs by slicing. Activate one with
 * `setSubnet(superG, spadeConfigFromString('32_32_48_32_32_32_32_24'))`, count it with
 * `countMacs(superG, shape, { subnet })`, export it with `extractSubnet` (GAN Compression's
 * SubMobileSPADEGenerator, with static `MobileSPADE` layers and built-in batch norms). Its
 * largest sub-network computes what `MobileSPADEGenerator` computes with the same seed and ngf.
 * The `'most'` upsampling mode is refused (GAN Compression does not implement it here either).
 *
 * @example
 * ```ts
 * const superG = SuperMobileSPADEGenerator({ ngf: 8 }); // GAN Compression's supernets are ngf 48 or 64
 * const subnet = spadeConfigFromString('8_8_4_8_8_4_4_8');
 * countMacs(superG, [1, 256, 512, 36], { subnet }).total;
 * const student = extractSubnet(superG, subnet);
 * ```
 */
export function SuperMobileSPADEGenerator(options: SpadeGeneratorOptions = {}): tfl.LayersModel {
  const resolved = resolveSpadeOptions(options, 'super_mobile_spade_generator');
  if (resolved.upsampling === 'most')
    throw new ConfigError(
      'options.upsampling',
      'most',
      "'normal' or 'more' (GAN Compression's super and sub SPADE generators have no 'most' mode)",
    );
  return spadeGenerator(resolved, 'elastic');
}
