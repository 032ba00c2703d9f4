import * as tfl from '@tensorflow/tfjs-layers';
import { resolveResnetOptions, type ResnetGeneratorOptions } from './options.js';
import { TEACHER_CONVS } from './static_convs.js';
import { resnetGenerator } from './trunk.js';

/**
 * GAN Compression's teacher generator for pix2pix and CycleGAN (`resnet_9blocks`), layer for
 * layer: input clamped to [−1, 1]; ReflectionPad 3 + 7×7 conv; two stride-2 3×3 convs (zero
 * pad 1); `nBlocks` residual blocks of two 3×3 convs; two ConvTranspose2d(k3, s2, p1, op1); ReflectionPad 3
 * + 7×7 conv; tanh. Every conv has a bias and is followed by instance norm without affine and
 * ReLU (except the last). NHWC input of any size divisible by 4; see docs/resnet-generators.md for the
 * layer names (`'down2_relu'`, `'block3'`, ... are the distillation points).
 *
 * At ngf 64, 9 blocks, input [1, 256, 256, 3]: 56,831,770,624 MACs (torchprofile) and
 * 11,378,179 parameters, as GAN Compression reports.
 *
 * @example
 * ```ts
 * const teacher = ResnetGenerator(); // ngf 64, 9 blocks
 * const y = teacher.predict(tf.zeros([1, 256, 256, 3])) as tf.Tensor;
 * countMacs(teacher, [1, 256, 256, 3]).total; // 56831770624
 * ```
 */
export function ResnetGenerator(options: ResnetGeneratorOptions = {}): tfl.LayersModel {
  return resnetGenerator(resolveResnetOptions(options, 'resnet_generator'), TEACHER_CONVS, true);
}
