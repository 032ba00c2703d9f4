import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../util/index.js';

/** The teacher's results for a batch: its output and the features the distillation reads. */
export interface TeacherOutputs {
  /** The teacher's output. */
  output: tf.Tensor;
  /** Teacher features by layer name. */
  features: Record<string, tf.Tensor>;
}

/**
 * One training batch of a {@link Distiller}: the input, the ground truth for paired training, and
 * optionally the teacher's results (from {@link cacheTeacher}) so that the teacher need not run.
 */
export interface DistillBatch {
  /** The student's and the teacher's input. */
  input: tf.Tensor;
  /** Ground truth (paired training) or real images for the discriminator. */
  target?: tf.Tensor;
  /** The teacher's output and features for `input`, when already computed. */
  teacher?: TeacherOutputs;
}

/** A batch as data sources may give it: a {@link DistillBatch} or just the input tensor. */
export type BatchLike = DistillBatch | tf.Tensor;

/** tf.data.Dataset's shape, without importing tfjs-data. */
export interface DatasetLike<T> {
  /** Starts a pass over the data set: an iterator whose `next()` gives each element, then `done`. */
  iterator(): Promise<{
    /** The next element, or `{ done: true }` after the last. */
    next(): Promise<IteratorResult<T>>;
  }>;
}

/** Where batches come from: an array, a (sync or async) iterable, or a tf.data.Dataset. */
export type DataSource<T> = readonly T[] | Iterable<T> | AsyncIterable<T> | DatasetLike<T>;

/** True for a tf.data.Dataset (or anything with its `iterator()`). */
export function isDatasetLike(x: unknown): x is DatasetLike<unknown> {
  return x != null && typeof (x as DatasetLike<unknown>).iterator === 'function' && !Array.isArray(x);
}

/** Throws unless `source` is one of the {@link DataSource} kinds. */
export function assertDataSource(argument: string, source: unknown): void {
  const ok =
    Array.isArray(source) ||
    isDatasetLike(source) ||
    (source != null &&
      typeof source === 'object' &&
      (Symbol.asyncIterator in source || Symbol.iterator in source) &&
      !(source instanceof tf.Tensor));
  if (!ok)
    throw new ConfigError(argument, source, 'an array of batches, an (async) iterable of batches or a tf.data.Dataset');
}

/** The elements of a data source, one pass. */
export async function* iterate<T>(source: DataSource<T>): AsyncGenerator<T, void, undefined> {
  if (isDatasetLike(source)) {
    const it = await source.iterator();
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  }
  yield* source as Iterable<T> | AsyncIterable<T>;
}

/** A data-source element as a {@link DistillBatch}, after checking its fields. */
export function toBatch(argument: string, element: unknown): DistillBatch {
  if (element instanceof tf.Tensor) return { input: element as tf.Tensor };
  if (element == null || typeof element !== 'object' || !((element as DistillBatch).input instanceof tf.Tensor))
    throw new ConfigError(argument, element, 'a tf.Tensor (the input) or { input, target?, teacher? }');
  const b = element as DistillBatch;
  for (const key of Object.keys(b))
    if (!['input', 'target', 'teacher'].includes(key))
      throw new ConfigError(
        `${argument}.${key}`,
        (b as unknown as Record<string, unknown>)[key],
        'no such field (input, target, teacher)',
      );
  if (b.target !== undefined && !(b.target instanceof tf.Tensor))
    throw new ConfigError(`${argument}.target`, b.target, 'a tf.Tensor or undefined');
  if (b.teacher !== undefined) {
    const t = b.teacher;
    if (t == null || !(t.output instanceof tf.Tensor) || t.features == null || typeof t.features !== 'object')
      throw new ConfigError(`${argument}.teacher`, t, '{ output: tf.Tensor, features: { [layer]: tf.Tensor } }');
  }
  return b;
}

/** Every tensor a batch holds. */
export function batchTensors(b: DistillBatch): tf.Tensor[] {
  const out = [b.input];
  if (b.target != null) out.push(b.target);
  if (b.teacher != null) out.push(b.teacher.output, ...Object.values(b.teacher.features));
  return out;
}
