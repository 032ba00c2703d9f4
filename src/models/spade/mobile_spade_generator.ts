import type * as tfl from '@tensorflow/tfjs-layers';
import { spadeGenerator } from './generator.js';
import { resolveSpadeOptions, type SpadeGeneratorOptions } from './options.js';

/**
 * GAN Compression's MobileSPADEGenerator: {@link SPADEGenerator} whose SPADE layers compute γ
 * and β with depthwise-separable convs (instance norm inside, `MobileSPADE`); the blocks' convs
 * stay regular. Cityscapes at ngf 64: 118,817,161,216 MACs and 70,680,771 parameters.
 *
 * @example
 * ```ts
 * const student = MobileSPADEGenerator({ ngf: 8, dataset: 'coco-stuff' });
 * countParams(student);
 * ```
 */
export function MobileSPADEGenerator(options: SpadeGeneratorOptions = {}): tfl.LayersModel {
  return spadeGenerator(resolveSpadeOptions(options, 'mobile_spade_generator'), 'mobile');
}
