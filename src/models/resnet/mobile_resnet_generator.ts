import * as tfl from '@tensorflow/tfjs-layers';
import { resolveResnetOptions, type ResnetGeneratorOptions } from './options.js';
import { MOBILE_CONVS } from './static_convs.js';
import { downsample, head, residualBlock, SeededInit, stem, upsample } from './trunk.js';

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
 * countParams(student); // 514,..., see docs/resnet-generators.md
 * ```
 */
export function MobileResnetGenerator(options: ResnetGeneratorOptions = {}): tfl.LayersModel {
  const o = resolveResnetOptions(options, 'mobile_resnet_generator');
  const f = MOBILE_CONVS;
  const init = new SeededInit(o.seed);
  const input = tfl.input({ shape: [null, null, o.inputChannels], name: `${o.name}_input` });
  let x = stem(f, init, input, o.ngf);
  x = downsample(f, init, x, 1, 2 * o.ngf);
  x = downsample(f, init, x, 2, 4 * o.ngf);
  for (let i = 1; i <= o.nBlocks; i++) x = residualBlock(f, init, x, i, 4 * o.ngf, 4 * o.ngf);
  x = upsample(f, init, x, 1, 2 * o.ngf);
  x = upsample(f, init, x, 2, o.ngf);
  return tfl.model({ inputs: input, outputs: head(f, init, x, o.outputChannels), name: o.name });
}
