import { ConfigError, assertInt, assertOneOf } from '../../util/index.js';

/** The two data sets GAN Compression compresses GauGAN on; each fixes the label count, image size and upsampling mode. */
export type SpadeDataset = 'cityscapes' | 'coco-stuff';

/** GauGAN's `num_upsampling_layers`: 5, 6 or 7 doublings from the latent map to the image. */
export type SpadeUpsampling = 'normal' | 'more' | 'most';

/** Options of the SPADE generators ({@link SPADEGenerator}, {@link MobileSPADEGenerator}, {@link SuperMobileSPADEGenerator}). */
export interface SpadeGeneratorOptions {
  /** Base width: `fc` and the middle blocks 16·ngf, then 8, 4, 2, 1·ngf; SPADE hidden width 2·ngf. Default 64. */
  ngf?: number;
  /**
   * `'cityscapes'` (default: 512×256 images — `imageSize` [256, 512] —, 35 labels + the
   * instance-edge channel = 36, `'more'` upsampling, latent 4×8) or `'coco-stuff'` (256×256, 182
   * labels + don't-care + instance edges = 184, `'normal'`, latent 8×8).
   */
  dataset?: SpadeDataset;
  /** Channels of the segmentation map (overrides the data set's). */
  labels?: number;
  /** Output `[height, width]`, multiples of 2^(upsampling doublings) (overrides the data set's). */
  imageSize?: [number, number];
  /** Upsampling mode (overrides the data set's). */
  upsampling?: SpadeUpsampling;
  /** Parameter-free normalisation of the SPADE layers: `'batch'` (default, `spadesyncbatch3x3`) or `'instance'`. */
  paramFreeNorm?: 'batch' | 'instance';
  /** Output image channels. Default 3. */
  outputChannels?: number;
  /** Seed of the weight initialisation (seeded glorot-uniform kernels, zero biases). Default 0. */
  seed?: number;
  /** Model name. Defaults to the generator's name in snake case. */
  name?: string;
}

/** Options with every default filled in. */
export type ResolvedSpadeOptions = Required<Omit<SpadeGeneratorOptions, 'dataset'>> & {
  dataset: SpadeDataset;
  /** Size of the latent map `fc` works on. */
  latent: [number, number];
};

const KNOWN = [
  'ngf',
  'dataset',
  'labels',
  'imageSize',
  'upsampling',
  'paramFreeNorm',
  'outputChannels',
  'seed',
  'name',
];

const DATASETS: Record<SpadeDataset, { labels: number; imageSize: [number, number]; upsampling: SpadeUpsampling }> = {
  cityscapes: { labels: 36, imageSize: [256, 512], upsampling: 'more' },
  'coco-stuff': { labels: 184, imageSize: [256, 256], upsampling: 'normal' },
};

/** Doublings from the latent map to the image. */
export const DOUBLINGS: Record<SpadeUpsampling, number> = { normal: 5, more: 6, most: 7 };

/** Validates `options` (naming the offending field) and fills in the defaults. */
export function resolveSpadeOptions(options: unknown, defaultName: string): ResolvedSpadeOptions {
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, `an object with some of ${KNOWN.join(', ')}`);
  const o = options as SpadeGeneratorOptions;
  for (const key of Object.keys(o))
    if (!KNOWN.includes(key))
      throw new ConfigError(
        `options.${key}`,
        (o as Record<string, unknown>)[key],
        `no such option (known: ${KNOWN.join(', ')})`,
      );
  const dataset = o.dataset ?? 'cityscapes';
  assertOneOf('options.dataset', dataset, ['cityscapes', 'coco-stuff'] as const);
  const d = DATASETS[dataset];
  const r = {
    ngf: o.ngf ?? 64,
    dataset,
    labels: o.labels ?? d.labels,
    imageSize: o.imageSize ?? d.imageSize,
    upsampling: o.upsampling ?? d.upsampling,
    paramFreeNorm: o.paramFreeNorm ?? 'batch',
    outputChannels: o.outputChannels ?? 3,
    seed: o.seed ?? 0,
    name: o.name ?? defaultName,
  };
  assertInt('options.ngf', r.ngf, 1);
  assertInt('options.labels', r.labels, 1);
  assertOneOf('options.upsampling', r.upsampling, ['normal', 'more', 'most'] as const);
  assertOneOf('options.paramFreeNorm', r.paramFreeNorm, ['batch', 'instance'] as const);
  assertInt('options.outputChannels', r.outputChannels, 1);
  assertInt('options.seed', r.seed);
  if (typeof r.name !== 'string' || r.name.length === 0)
    throw new ConfigError('options.name', r.name, 'a non-empty string');
  if (r.upsampling === 'most' && r.ngf % 2 !== 0)
    throw new ConfigError(
      'options.ngf',
      r.ngf,
      "an even integer with upsampling 'most' (its last block has ngf/2 channels)",
    );
  const step = 2 ** DOUBLINGS[r.upsampling];
  const size = r.imageSize as unknown;
  if (!(Array.isArray(size) && size.length === 2 && size.every((v) => Number.isInteger(v) && v > 0 && v % step === 0)))
    throw new ConfigError(
      'options.imageSize',
      size,
      `[height, width], positive multiples of ${step} (2^${DOUBLINGS[r.upsampling]}: the '${r.upsampling}' upsampling doubles the latent map ${DOUBLINGS[r.upsampling]} times)`,
    );
  const [h, w] = size as [number, number];
  return { ...r, imageSize: [h, w], latent: [h / step, w / step] };
}
