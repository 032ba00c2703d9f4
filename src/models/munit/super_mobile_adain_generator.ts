import type * as tfl from '@tensorflow/tfjs-layers';
import { adainGenerator, elasticMunitLayers } from './generator.js';
import { resolveAdaINOptions, type AdaINGeneratorOptions } from './options.js';

/**
 * GAN Compression's SuperMobileAdaINGenerator: {@link AdaINGenerator} whose residual and
 * upsampling convs are depthwise-separable, built from elastic layers at full width (stems,
 * downsamplings, style encoder and output `OnceForAllConv`; blocks `ElasticSeparableConv2d`;
 * `ElasticAdaptiveInstanceNorm`, `ElasticMUNITLayerNorm`), so that every sub-network of GAN
 * Compression's 10-integer config space runs by slicing. `munitConfigFromString` gives the
 * sub-network; `extractSubnet` exports it as static layers (GAN Compression's
 * SubMobileAdaINGenerator, the MLP's rows selected per AdaIN layer).
 *
 * At ngf 64, 256×256, `'16_16_16_24_56_16_40_40_32_24'`: 2,625,309,250 MACs and 1,100,347
 * parameters — GAN Compression's published 2.63G (2,625,309,250) / 1.10M.
 *
 * @example
 * ```ts
 * const superG = SuperMobileAdaINGenerator({ ngf: 16, mlpDim: 32 }); // the published supernet is ngf 64
 * const subnet = munitConfigFromString('8_8_8_8_16_8_8_16_8_8', { styleDim: 8 });
 * countMacs(superG, [1, 64, 64, 3], { subnet }).total;
 * const student = extractSubnet(superG, subnet);
 * ```
 */
export function SuperMobileAdaINGenerator(options: AdaINGeneratorOptions = {}): tfl.LayersModel {
  const o = resolveAdaINOptions(options, 'super_mobile_adain_generator');
  return adainGenerator(o, elasticMunitLayers(o.padType));
}
