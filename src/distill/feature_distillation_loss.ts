import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertOneOf, ConfigError, ShapeError } from '../util/index.js';
import { assertFloatTensor, assertOptions } from './checks.js';

/** Array.isArray without narrowing a readonly array to any[]. */
const isArray = (x: unknown): boolean => Array.isArray(x);

/** The distance {@link featureDistillationLoss} takes per layer. */
export type FeatureDistanceType = 'mse' | 'l1';

/** Options of {@link featureDistillationLoss}. */
export interface FeatureDistillationOptions {
  /** `'mse'` (mean squared, GAN Compression, default) or `'l1'` (mean absolute, GAN Compression's MUNIT content code). */
  type?: FeatureDistanceType;
}

/**
 * GAN Compression's intermediate-feature distillation loss: for each pair i, the distance between
 * the mapped student feature `mappers[i](studentFeatures[i])` and the teacher feature
 * `teacherFeatures[i]`, summed over the pairs (each a mean over its elements, as `F.mse_loss`).
 * Multiply by λ_distill (GAN Compression: 1 for pix2pix, 0.01 for CycleGAN horse2zebra).
 *
 * @param studentFeatures the student's features, `[N, H, W, Cs]` each.
 * @param teacherFeatures the teacher's features at the same points, `[N, H, W, Ct]` each.
 * @param mappers one per pair: a {@link FeatureMapper} (or any layer) from Cs to Ct, or `null`
 *   where the widths already agree.
 * @throws {@link ConfigError} when the three lists differ in length; {@link ShapeError} naming the
 *   pair whose mapped feature does not match the teacher's.
 *
 * @example
 * ```ts
 * const studentFeature = tf.randomNormal([2, 8, 8, 16]);
 * const teacherFeature = tf.randomNormal([2, 8, 8, 64]);
 * const mapper = FeatureMapper.fromShapes([null, 8, 8, 16], [null, 8, 8, 64], { seed: 0 });
 * const loss = featureDistillationLoss([studentFeature], [teacherFeature], [mapper], { type: 'mse' });
 * ```
 */
export function featureDistillationLoss(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  mappers: readonly (tfl.layers.Layer | null)[],
  options: FeatureDistillationOptions = {},
): tf.Scalar {
  assertOptions('options', options, ['type']);
  const type = options.type ?? 'mse';
  assertOneOf('options.type', type, ['mse', 'l1'] as const);
  if (!isArray(studentFeatures)) throw new ConfigError('studentFeatures', studentFeatures, 'an array of tensors');
  if (!isArray(teacherFeatures) || teacherFeatures.length !== studentFeatures.length)
    throw new ConfigError(
      'teacherFeatures',
      isArray(teacherFeatures) ? `${teacherFeatures.length} tensors` : teacherFeatures,
      `${studentFeatures.length} tensors, one per student feature`,
    );
  if (!isArray(mappers) || mappers.length !== studentFeatures.length)
    throw new ConfigError(
      'mappers',
      isArray(mappers) ? `${mappers.length} mappers` : mappers,
      `${studentFeatures.length} entries (a layer or null), one per student feature`,
    );
  studentFeatures.forEach((f, i) => assertFloatTensor(`studentFeatures[${i}]`, f));
  teacherFeatures.forEach((f, i) => assertFloatTensor(`teacherFeatures[${i}]`, f));
  mappers.forEach((m, i) => {
    if (m !== null && !(m instanceof tfl.layers.Layer))
      throw new ConfigError(`mappers[${i}]`, m, 'a tf.layers.Layer (a FeatureMapper) or null');
  });
  return tf.tidy(() => {
    let total: tf.Tensor = tf.scalar(0);
    studentFeatures.forEach((s, i) => {
      const mapper = mappers[i];
      const mapped = mapper == null ? s : (mapper.apply(s) as tf.Tensor);
      const t = teacherFeatures[i] as tf.Tensor;
      if (!tf.util.arraysEqual(mapped.shape, t.shape))
        throw new ShapeError(
          `teacherFeatures[${i}]`,
          t.shape,
          `the shape of the ${mapper == null ? '' : 'mapped '}student feature studentFeatures[${i}], [${mapped.shape.join(',')}]`,
        );
      const d = tf.sub(mapped, t);
      total = tf.add(total, type === 'mse' ? tf.mean(tf.square(d)) : tf.mean(tf.abs(d)));
    });
    return total as tf.Scalar;
  });
}
