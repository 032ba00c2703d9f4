import * as tfl from '@tensorflow/tfjs-layers';
import { OnceForAllConv } from '../../layers/elastic/index.js';
import { ResizeNearest, spadeResnetBlock, type SpadeBlockKind } from '../../layers/conditional/index.js';
import type { ResolvedSpadeOptions } from './options.js';

type ST = tfl.SymbolicTensor;

/** The residual blocks of the SPADE generators in order, with their output width as a multiple of ngf (`most` adds `up_4`). */
export const SPADE_BLOCKS = [
  { name: 'head_0', widthFactor: 16 },
  { name: 'G_middle_0', widthFactor: 16 },
  { name: 'G_middle_1', widthFactor: 16 },
  { name: 'up_0', widthFactor: 8 },
  { name: 'up_1', widthFactor: 4 },
  { name: 'up_2', widthFactor: 2 },
  { name: 'up_3', widthFactor: 1 },
] as const;

/** A stride-1 3×3 conv with bias, zero-padded by 1 (static or elastic). */
function conv3(kind: SpadeBlockKind, name: string, filters: number, seed: number): tfl.layers.Layer {
  const kernelInitializer = tfl.initializers.glorotUniform({ seed });
  return kind === 'elastic'
    ? new OnceForAllConv({ name, filters, kernelSize: 3, padding: 1, kernelInitializer })
    : tfl.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', kernelInitializer });
}

/**
 * GauGAN's generator as GAN Compression builds its three forms (`kind`): the segmentation map
 * downsampled to the latent size (`fc_resize`), a 3×3 conv to 16·ngf (`fc`), the residual blocks
 * `head_0`, `G_middle_0`, `G_middle_1`, `up_0` … `up_3` (and `up_4` in `'most'` mode) with a ×2
 * nearest upsampling (`upsample_i`) before every block but the first two (and before
 * `G_middle_1` in `'more'` and `'most'` modes), LeakyReLU(0.2), a 3×3 conv to the image
 * (`conv_img`) and tanh. Every block reads the full-size map.
 */
export function spadeGenerator(o: ResolvedSpadeOptions, kind: SpadeBlockKind): tfl.LayersModel {
  const [h, w] = o.imageSize;
  const segmap = tfl.input({ shape: [h, w, o.labels], name: `${o.name}_segmap` });
  const apply = (layer: tfl.layers.Layer, x: ST): ST => layer.apply(x) as ST;
  let upsamplings = 0;
  const up = (x: ST): ST => apply(tfl.layers.upSampling2d({ name: `upsample_${upsamplings++}`, size: [2, 2] }), x);

  let x = apply(new ResizeNearest({ name: 'fc_resize', size: o.latent }), segmap);
  x = apply(conv3(kind, 'fc', 16 * o.ngf, o.seed), x);
  const blocks: { name: string; filters: number }[] = SPADE_BLOCKS.map((b) => ({
    name: b.name,
    filters: b.widthFactor * o.ngf,
  }));
  if (o.upsampling === 'most') blocks.push({ name: 'up_4', filters: o.ngf / 2 });
  blocks.forEach((b, i) => {
    if (i === 1 || i >= 3 || (i === 2 && o.upsampling !== 'normal')) x = up(x);
    x = spadeResnetBlock(x, segmap, {
      name: b.name,
      filters: b.filters,
      hidden: 2 * o.ngf,
      kind,
      paramFreeNorm: o.paramFreeNorm,
      seed: o.seed + 64 * (i + 1),
    });
  });
  x = apply(tfl.layers.leakyReLU({ name: 'conv_img_actvn', alpha: 0.2 }), x);
  x = apply(conv3(kind, 'conv_img', o.outputChannels, o.seed + 1), x);
  const image = apply(tfl.layers.activation({ name: 'conv_img_tanh', activation: 'tanh' }), x);
  return tfl.model({ inputs: segmap, outputs: image, name: o.name });
}
