import * as tfl from '@tensorflow/tfjs-layers';
import { ELASTIC_CONVS } from './elastic_convs.js';
import { resolveResnetOptions, type ResnetGeneratorOptions } from './options.js';
import { resnetGenerator } from './trunk.js';

/**
 * GAN Compression's SuperMobileResnetGenerator: {@link MobileResnetGenerator} built from
 * elastic layers (OnceForAllConv, ElasticSeparableConv2d, ElasticConv2dTranspose) at full width
 * `ngf`, so that every sub-network of GAN Compression's 8-integer config space runs by
 * slicing. Activate one with `setSubnet(superG, resnetConfigFromString('16_16_32_16_32_32_16_16'))`,
 * count it with `countMacs(superG, shape, { subnet })`, export it with `extractSubnet`, which gives
 * GAN Compression's SubMobileResnetGenerator. With the same `seed` and `ngf`, its largest
 * sub-network computes exactly what `MobileResnetGenerator` computes.
 *
 * @example
 * ```ts
 * const superG = SuperMobileResnetGenerator({ ngf: 64 });
 * const subnet = resnetConfigFromString('16_16_32_16_32_32_16_16');
 * countMacs(superG, [1, 256, 256, 3], { subnet }).total; // 2546204672
 * const student = extractSubnet(superG, subnet);         // a static tf.LayersModel
 * ```
 */
export function SuperMobileResnetGenerator(options: ResnetGeneratorOptions = {}): tfl.LayersModel {
  return resnetGenerator(resolveResnetOptions(options, 'super_mobile_resnet_generator'), ELASTIC_CONVS, false);
}
