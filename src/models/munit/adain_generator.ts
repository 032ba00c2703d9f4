import type * as tfl from '@tensorflow/tfjs-layers';
import { adainGenerator, staticMunitLayers } from './generator.js';
import { resolveAdaINOptions, type AdaINGeneratorOptions } from './options.js';

/**
 * MUNIT's AdaIN generator, GAN Compression's MUNIT teacher (ngf 64, style 8, 2 downsamplings, 4
 * residual blocks, MLP 256, reflection padding, ReLU): by default it encodes the style of its
 * input image and reconstructs the image (what GAN Compression profiles); with `styleInput` it
 * takes `[image, style]`. The content code is the output of `content_block<nRes>`; the AdaIN
 * layers are `dec_block<i>_adain1/2` (in the order of MUNIT's MLP output blocks).
 *
 * Size at 256×256 (torchprofile, batch 1, style encoder included): 77,303,189,762 MACs and
 * 15,026,187 parameters — GAN Compression's 77.30G / 15.03M.
 *
 * @example
 * ```ts
 * const teacher = AdaINGenerator({ ngf: 16, mlpDim: 64 }); // the published teacher is AdaINGenerator()
 * const y = teacher.predict(tf.zeros([1, 64, 64, 3])) as tf.Tensor; // [1, 64, 64, 3]
 * ```
 */
export function AdaINGenerator(options: AdaINGeneratorOptions = {}): tfl.LayersModel {
  const o = resolveAdaINOptions(options, 'adain_generator');
  return adainGenerator(o, staticMunitLayers(o.padType));
}
