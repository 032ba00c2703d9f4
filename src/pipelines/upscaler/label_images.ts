import * as tf from '@tensorflow/tfjs-core';
import { cacheTeacher, type CacheProgress } from '../../distill/index.js';
import { ConfigError, assertNonEmptyArray } from '../../util/index.js';
import type { LabelledImage } from './crop_sampler.js';
import type { SrPair } from './sr_pair.js';
import { checkUpscalerModel, rescale, type UpscalerModel } from './upscaler_model.js';

/** Options of {@link labelImages}. */
export interface LabelImagesOptions {
  /** Teacher layers whose outputs are kept for feature distillation. Default none. */
  features?: string[];
  /** Cache directory (Node): a later run over the same images with the same teacher reads it. Default: memory. */
  dir?: string;
  /** Called after each image. */
  onProgress?: (progress: CacheProgress) => void;
}

/**
 * Labels SR training images with a teacher once: runs it over each whole low-resolution image (through
 * `cacheTeacher`, so a cache directory makes a second run free) and returns each image with the teacher's output —
 * mapped to [0, 1] from the teacher's output range — and the named features. Crops for training are then cut from
 * these (`SrCropSampler`), so the teacher never runs during distillation.
 *
 * @example
 * ```ts
 * const thick: UpscalerModel = { model: teacher, scale: 4, inputRange: [0, 1], outputRange: [0, 1] }; // see upscale
 * const pairs = [superResolutionPair(tf.randomUniform([256, 256, 3]) as tf.Tensor3D, 4)];
 * const labelled = await labelImages(thick, pairs, { features: ['GRL'], dir: 'cache/thick' });
 * const sampler = new SrCropSampler(labelled, { lrSize: 32, batchSize: 16, seed: 0 });
 * ```
 */
export async function labelImages(
  teacher: UpscalerModel,
  pairs: readonly SrPair[],
  options: LabelImagesOptions = {},
): Promise<LabelledImage[]> {
  checkUpscalerModel('teacher', teacher);
  assertNonEmptyArray('pairs', pairs, '{ lr, hr }');
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, '{ features?, dir?, onProgress? }');
  const inputs = pairs.map((p) => tf.tidy(() => tf.expandDims(rescale(p.lr, [0, 1], teacher.inputRange), 0)));
  try {
    const cache = await cacheTeacher(teacher.model, inputs, {
      ...(options.features === undefined ? {} : { features: options.features }),
      ...(options.dir === undefined ? {} : { dir: options.dir }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    try {
      const labelled: LabelledImage[] = [];
      for (let i = 0; i < pairs.length; i++) {
        const batch = await cache.get(i);
        const t = batch.teacher as NonNullable<typeof batch.teacher>;
        const pair = pairs[i] as SrPair;
        labelled.push(
          tf.tidy(() => {
            const features: Record<string, tf.Tensor3D> = {};
            for (const [name, f] of Object.entries(t.features)) features[name] = tf.squeeze<tf.Tensor3D>(f, [0]);
            const output = tf.squeeze<tf.Tensor3D>(rescale(t.output, teacher.outputRange, [0, 1]), [0]);
            return {
              lr: tf.clone(pair.lr),
              hr: tf.clone(pair.hr),
              teacher: { output, features },
            };
          }),
        );
        tf.dispose([batch.input, t.output, ...Object.values(t.features)]);
      }
      return labelled;
    } finally {
      cache.dispose();
    }
  } finally {
    tf.dispose(inputs);
  }
}
