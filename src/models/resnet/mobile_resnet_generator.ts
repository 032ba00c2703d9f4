import * as tfl from '@tensorflow/tfjs-layers';
import { resolveResnetOptions, type ResnetGeneratorOptions } from './options.js';
import { MOBILE_CONVS } from './static_convs.js';
import { resnetGenerator } from './trunk.js';

/**
 * GAN Compression's MobileResnetGenerator: {@link ResnetGenerator}'s stem, downsampling,
 * upsampling and head, with every 3×3 conv of the residual blocks replaced by a separable conv
 * (depthwise 3×3 → instance norm → pointwise 1×1, both with bias). Unlike the teacher it does not
 * clamp its input. Layer names as in docs/resnet-generators.md.
 *
 * At ngf 64, 9 blocks, input [1, 256, 256, 3]: 18,365,808,640 MACs (torchprofile) and
 * 1,987,075 parameters.
 *
 * @example
 * ```ts
 * const student = MobileResnetGenerator({ ngf: 32 });
 * countParams(student); // 514307 (GAN Compression: 0.514M)
 * ```
 */
export function MobileResnetGenerator(options: ResnetGeneratorOptions = {}): tfl.LayersModel {
  return resnetGenerator(resolveResnetOptions(options, 'mobile_resnet_generator'), MOBILE_CONVS, false);
}
