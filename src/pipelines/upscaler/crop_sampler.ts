import * as tf from '@tensorflow/tfjs-core';
import type { DistillBatch } from '../../distill/index.js';
import { ConfigError, assertNonEmptyArray, Random, ShapeError, assertInt } from '../../util/index.js';

/** One training image: its SR pair and, when labelled, the teacher's output and features (at LR or HR size). */
export interface LabelledImage {
  lr: tf.Tensor3D;
  hr: tf.Tensor3D;
  teacher?: { output: tf.Tensor3D; features: Record<string, tf.Tensor3D> };
}

/** Options of {@link SrCropSampler}. */
export interface SrCropSamplerOptions {
  /** Side of the low-resolution crops. */
  lrSize: number;
  /** Crops per batch. */
  batchSize: number;
  /** Seed of the crop positions and augmentations: batch `k` depends on (seed, k) only. */
  seed: number;
  /** Random flips and transposes (the 8 symmetries of the square), the same for every tensor of a crop. Default true. */
  augment?: boolean;
}

/**
 * Random training crops of labelled SR images, as batches a `Distiller` trains on: the low-resolution crop as input,
 * the matching high-resolution crop as target, and the same window of the teacher's output and features (each
 * tensor's window scaled to its own size, so features at the low or the high resolution both work). Batch `k` is a
 * function of the seed and `k` alone, so a resumed run sees the same batches. The images are the caller's; the
 * batches are new tensors a Distiller disposes after its step.
 *
 * @example
 * ```ts
 * const thick: UpscalerModel = { model: teacher, scale: 4, inputRange: [0, 1], outputRange: [0, 1] }; // see upscale
 * const photos = [tf.randomUniform([256, 256, 3]) as tf.Tensor3D]; // RGB in [0, 1]
 * const labelled = await labelImages(thick, photos.map((p) => superResolutionPair(p, 4)));
 * const sampler = new SrCropSampler(labelled, { lrSize: 32, batchSize: 16, seed: 1 });
 * const distiller = new Distiller({
 *   teacher: thick.model, student, paired: true, losses: { recon: { weight: 1 }, output: { weight: 1 } }, seed: 0,
 * });
 * await distiller.fit((function* () { for (let k = 0; ; k++) yield sampler.batch(k); })(), { steps: 1000 });
 * ```
 */
export class SrCropSampler {
  private readonly images: readonly LabelledImage[];
  private readonly scale: number;
  private readonly lrSize: number;
  private readonly batchSize: number;
  private readonly seed: number;
  private readonly augment: boolean;

  constructor(images: readonly LabelledImage[], options: SrCropSamplerOptions) {
    assertNonEmptyArray('images', images, '{ lr, hr, teacher? }');
    if (options == null || typeof options !== 'object')
      throw new ConfigError('options', options, '{ lrSize, batchSize, seed, augment? }');
    for (const key of Object.keys(options))
      if (!['lrSize', 'batchSize', 'seed', 'augment'].includes(key))
        throw new ConfigError(
          `options.${key}`,
          (options as unknown as Record<string, unknown>)[key],
          'no such option (lrSize, batchSize, seed, augment)',
        );
    assertInt('options.lrSize', options.lrSize, 1);
    assertInt('options.batchSize', options.batchSize, 1);
    assertInt('options.seed', options.seed);
    const augment = options.augment ?? true;
    if (typeof augment !== 'boolean') throw new ConfigError('options.augment', augment, 'true or false');
    const first = images[0] as LabelledImage;
    const scale = first.hr.shape[0] / first.lr.shape[0];
    images.forEach((im, i) => {
      const [h, w] = im.lr.shape;
      if (im.hr.shape[0] !== h * scale || im.hr.shape[1] !== w * scale)
        throw new ShapeError(`images[${i}].hr`, im.hr.shape, `[${h * scale}, ${w * scale}, 3] (${scale}× its lr)`);
      if (h < options.lrSize || w < options.lrSize)
        throw new ShapeError(
          `images[${i}].lr`,
          im.lr.shape,
          `at least ${options.lrSize}×${options.lrSize} (options.lrSize)`,
        );
      const names = Object.keys(first.teacher?.features ?? {})
        .sort()
        .join();
      if (
        (im.teacher == null) !== (first.teacher == null) ||
        Object.keys(im.teacher?.features ?? {})
          .sort()
          .join() !== names
      )
        throw new ConfigError(
          `images[${i}].teacher`,
          im.teacher == null ? 'none' : 'other features',
          'the same teacher outputs as images[0]',
        );
    });
    this.images = images;
    this.scale = scale;
    this.lrSize = options.lrSize;
    this.batchSize = options.batchSize;
    this.seed = options.seed;
    this.augment = augment;
  }

  /** Batch `k` (0-based): new tensors, owned by the caller. */
  batch(k: number): DistillBatch {
    assertInt('k', k, 0);
    const rng = new Random(this.seed * 1_000_003 + k);
    const picks = Array.from({ length: this.batchSize }, () => {
      const image = this.images[rng.int(this.images.length)] as LabelledImage;
      const [h, w] = image.lr.shape;
      return {
        image,
        y: rng.int(h - this.lrSize + 1),
        x: rng.int(w - this.lrSize + 1),
        symmetry: this.augment ? rng.int(8) : 0,
      };
    });
    return tf.tidy(() => {
      const window = (t: tf.Tensor3D, p: (typeof picks)[number]): tf.Tensor3D => {
        const f = t.shape[0] / p.image.lr.shape[0];
        let crop = tf.slice(t, [p.y * f, p.x * f, 0], [this.lrSize * f, this.lrSize * f, t.shape[2]]);
        if (p.symmetry & 1) crop = tf.reverse(crop, 0);
        if (p.symmetry & 2) crop = tf.reverse(crop, 1);
        if (p.symmetry & 4) crop = tf.transpose(crop, [1, 0, 2]);
        return crop;
      };
      const stack = (get: (im: LabelledImage) => tf.Tensor3D): tf.Tensor4D =>
        tf.stack(picks.map((p) => window(get(p.image), p))) as tf.Tensor4D;
      const batch: DistillBatch = { input: stack((im) => im.lr), target: stack((im) => im.hr) };
      const teacher = (this.images[0] as LabelledImage).teacher;
      if (teacher != null) {
        const features: Record<string, tf.Tensor> = {};
        for (const name of Object.keys(teacher.features))
          features[name] = stack(
            (im) => (im.teacher as NonNullable<LabelledImage['teacher']>).features[name] as tf.Tensor3D,
          );
        batch.teacher = {
          output: stack((im) => (im.teacher as NonNullable<LabelledImage['teacher']>).output),
          features,
        };
      }
      return batch as unknown as tf.TensorContainer;
    }) as unknown as DistillBatch;
  }

  /** The up-sampling factor of the images. */
  get upscale(): number {
    return this.scale;
  }
}
