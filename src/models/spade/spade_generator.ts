import type * as tfl from '@tensorflow/tfjs-layers';
import { spadeGenerator } from './generator.js';
import { resolveSpadeOptions, type SpadeGeneratorOptions } from './options.js';

/**
 * GauGAN's generator (Park et al. 2019) as GAN Compression uses it as the teacher — spectral
 * norm removed, SPADE with a parameter-free sync batch norm and 3×3 conv branches — on a
 * segmentation map `[N, H, W, labels]` (one-hot labels and, for the data sets here, an
 * instance-edge channel), returning an image in [−1, 1]. Layer names follow the PyTorch modules
 * (`fc`, `head_0`, `G_middle_0`, `G_middle_1`, `up_0` … `up_3`, `conv_img`; inside a block
 * `<block>_norm_0`, `<block>_conv_0`, …); the blocks' outputs (`head_0`, `G_middle_1`, `up_1`) are
 * GAN Compression's distillation points.
 *
 * Sizes (torchprofile, batch 1): Cityscapes (512×256, 36 labels) 281,356,632,064 MACs and
 * 93,048,003 parameters; COCO-Stuff (256×256, 184 labels) 191,180,570,624 MACs and 97,480,899
 * parameters — GAN Compression's 281.36G / 93.05M and 191.18G / 97.48M.
 *
 * @example
 * ```ts
 * const teacher = SPADEGenerator({ ngf: 8, dataset: 'cityscapes' }); // full size is ngf 64
 * countMacs(teacher, [1, 256, 512, 36]).total; // at ngf 64: 281356632064
 * ```
 */
export function SPADEGenerator(options: SpadeGeneratorOptions = {}): tfl.LayersModel {
  return spadeGenerator(resolveSpadeOptions(options, 'spade_generator'), 'spade');
}
