import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { assertInt, ConfigError, ShapeError } from '../util/index.js';
import {
  assertDataSource,
  batchTensors,
  iterate,
  toBatch,
  type BatchLike,
  type DataSource,
  type DistillBatch,
} from './batch.js';
import {
  newIndex,
  nodeFs,
  readIndex,
  readShard,
  removeStaleShards,
  writeIndex,
  writeShard,
  type ShardEntry,
} from './cache_store.js';
import { assertOptions } from './checks.js';
import { digestModel, digestTensors } from './digest.js';
import { TeacherRunner } from './teacher_runner.js';

/** What {@link cacheTeacher} reports after each batch. */
export interface CacheProgress {
  /** Index of the batch just done (0-based). */
  batch: number;
  /** Number of batches, when the input's length is known (a tensor or an array). */
  batches: number | null;
  /** Examples done so far. */
  examples: number;
  /** The batch was read from the cache directory, not computed. */
  fromCache: boolean;
}

/** Options of {@link cacheTeacher}. */
export interface CacheTeacherOptions {
  /** Teacher layers whose outputs are stored beside its output (the distillation points). Default none. */
  features?: string[];
  /**
   * A directory (Node) to keep the cache in: binary shards and a JSON index, written atomically.
   * A later run over the same inputs with the same teacher reads them instead of running the
   * teacher. Without it the cache is held in memory.
   */
  dir?: string;
  /** When `inputs` is one tensor: examples per batch (the tensor is split along axis 0). Default: the whole tensor. */
  batchSize?: number;
  /** Called after each batch. */
  onProgress?: (progress: CacheProgress) => void;
}

interface Store {
  size: number;
  get(i: number): Promise<DistillBatch>;
  dispose(): void;
}

/**
 * A data set labelled by a teacher, as {@link cacheTeacher} returns it: batches of
 * `{ input, target?, teacher: { output, features } }` a {@link Distiller} trains on without
 * running the teacher. Iterate it (`for await`) or read a batch with `get(i)`; the tensors handed
 * out are the caller's (a Distiller disposes them after its step).
 *
 * @example
 * ```ts
 * const cache: TeacherCache = await cacheTeacher(teacher, images, { batchSize: 2 });
 * for await (const batch of cache) {
 *   console.log(batch.input.shape, batch.teacher?.output.shape);
 *   tf.dispose([batch.input, batch.teacher?.output ?? []]);
 * }
 * cache.dispose();
 * ```
 */
export class TeacherCache implements AsyncIterable<DistillBatch> {
  /** Digest of the teacher (architecture and weights) the cache was made with. */
  readonly key: string;
  /** The teacher layers whose features it holds. */
  readonly features: readonly string[];
  /** The cache directory, or null in memory. */
  readonly dir: string | null;
  /** Batches computed by the teacher when the cache was made. */
  readonly computed: number;
  /** Batches read from an earlier run's cache directory instead. */
  readonly reused: number;
  private readonly store: Store;
  private disposed = false;

  /** @internal */
  constructor(key: string, features: string[], dir: string | null, store: Store, computed: number) {
    this.key = key;
    this.features = features;
    this.dir = dir;
    this.store = store;
    this.computed = computed;
    this.reused = store.size - computed;
  }

  /** Number of batches. */
  get size(): number {
    return this.store.size;
  }

  /** Batch `i` (new tensors, owned by the caller). */
  async get(i: number): Promise<DistillBatch> {
    if (this.disposed) throw new ConfigError('cache', 'a disposed TeacherCache', 'a live one');
    assertInt('i', i, 0, this.size - 1);
    return this.store.get(i);
  }

  /** The batches in order. */
  async *[Symbol.asyncIterator](): AsyncGenerator<DistillBatch> {
    for (let i = 0; i < this.size; i++) yield await this.get(i);
  }

  /** Frees the tensors of an in-memory cache (a directory's files stay). */
  dispose(): void {
    this.store.dispose();
    this.disposed = true;
  }
}

function memoryStore(batches: DistillBatch[]): Store {
  const clone = (b: DistillBatch): DistillBatch => {
    const teacher = b.teacher as NonNullable<DistillBatch['teacher']>;
    const features: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(teacher.features)) features[k] = tf.clone(v);
    const out: DistillBatch = { input: tf.clone(b.input), teacher: { output: tf.clone(teacher.output), features } };
    if (b.target != null) out.target = tf.clone(b.target);
    return out;
  };
  return {
    size: batches.length,
    // clones share the stored data (tfjs counts references), so handing them out copies nothing
    get: (i) => Promise.resolve(clone(batches[i] as DistillBatch)),
    dispose: () => {
      for (const b of batches)
        tf.dispose([b.input, b.target ?? [], b.teacher?.output ?? [], ...Object.values(b.teacher?.features ?? {})]);
      batches.length = 0;
    },
  };
}

function diskStore(dir: string, entries: ShardEntry[]): Store {
  return { size: entries.length, get: (i) => readShard(dir, entries[i] as ShardEntry), dispose: () => undefined };
}

/** The batches of `inputs`: a tensor split by `batchSize`, or the elements of a data source. */
async function* batchesOf(
  inputs: tf.Tensor | DataSource<BatchLike>,
  batchSize: number | undefined,
): AsyncGenerator<DistillBatch> {
  if (inputs instanceof tf.Tensor) {
    if (inputs.rank < 1) throw new ShapeError('inputs', inputs.shape, 'rank >= 1 with examples on axis 0');
    const n = inputs.shape[0];
    const size = batchSize ?? n;
    for (let start = 0; start < n; start += size) {
      const count = Math.min(size, n - start);
      const slice = tf.slice(inputs, [start], [count]);
      try {
        yield { input: slice };
      } finally {
        slice.dispose();
      }
    }
    return;
  }
  let i = 0;
  const owned = !Array.isArray(inputs);
  for await (const element of iterate(inputs)) {
    try {
      yield toBatch(`inputs[${i++}]`, element);
    } finally {
      // a dataset's or iterable's elements are the consumer's to dispose (tf.data's rule)
      if (owned) tf.dispose(batchTensors(toBatch('inputs', element)));
    }
  }
}

/**
 * Runs `teacher` once over a data set and keeps its outputs — and the features named in
 * `options.features` — in memory or, with `options.dir`, on disk. Distillation reads the teacher's
 * results at every step; on a 2-core machine the teacher is usually the most expensive part, and a
 * cache pays for it once per data set instead of once per step and epoch.
 *
 * The cache is keyed by a SHA-256 digest of the teacher (its layer calls and weights) and, per
 * batch, of the inputs (and targets): a later run with a directory reads every batch whose inputs
 * it already holds for the same teacher, and computes (and stores) only the others; a cache of
 * another teacher is replaced. Shards and the JSON index are written atomically, the index last.
 *
 * `inputs` is a tensor (one batch, or split by `batchSize`), or an array, iterable, async iterable
 * or tf.data.Dataset of batches — input tensors or `{ input, target }` (the target is cached too,
 * for paired distillation). Tensors of a tensor or an array stay the caller's; the elements a
 * dataset or iterable yields are disposed once cached, as tf.data's consumers do.
 *
 * @throws {@link ConfigError} for a teacher with several outputs, unknown feature layers or bad
 *   options; {@link ModelFileError} for a corrupt cache directory.
 *
 * @example
 * ```ts
 * const cache = await cacheTeacher(teacher, images, {
 *   batchSize: 4,
 *   features: ['down2_relu', 'block3'],
 *   dir: 'cache/teacher',
 *   onProgress: ({ batch, batches, fromCache }) => console.log(batch, batches, fromCache),
 * });
 * const distiller = new Distiller({
 *   teacher,
 *   student,
 *   featurePairs: [['down2_relu', 'down2_relu'], ['block3', 'block3']],
 *   paired: false,
 *   losses: { recon: { weight: 10 }, distill: { weight: 1 } },
 *   seed: 0,
 * });
 * await distiller.fit(cache, { steps: 1000 }); // the teacher does not run
 * ```
 */
export async function cacheTeacher(
  teacher: tfl.LayersModel,
  inputs: tf.Tensor | DataSource<BatchLike>,
  options: CacheTeacherOptions = {},
): Promise<TeacherCache> {
  assertOptions('options', options, ['features', 'dir', 'batchSize', 'onProgress']);
  const features = options.features ?? [];
  if (!Array.isArray(features) || !features.every((f) => typeof f === 'string'))
    throw new ConfigError('options.features', features, 'an array of teacher layer names');
  const runner = new TeacherRunner('teacher', teacher, 'options.features', features);
  if (options.batchSize !== undefined) {
    assertInt('options.batchSize', options.batchSize, 1);
    if (!(inputs instanceof tf.Tensor))
      throw new ConfigError(
        'options.batchSize',
        options.batchSize,
        'no batchSize: it splits a single input tensor only',
      );
  }
  if (!(inputs instanceof tf.Tensor)) assertDataSource('inputs', inputs);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    throw new ConfigError('options.onProgress', options.onProgress, 'a function');
  const dir = options.dir;
  if (dir !== undefined && (typeof dir !== 'string' || dir.length === 0))
    throw new ConfigError('options.dir', dir, 'a directory path');
  const total =
    inputs instanceof tf.Tensor
      ? Math.ceil((inputs.shape[0] ?? 0) / (options.batchSize ?? Math.max(1, inputs.shape[0] ?? 1)))
      : Array.isArray(inputs)
        ? inputs.length
        : null;

  const key = await digestModel(teacher);
  let previous = new Map<string, ShardEntry>();
  if (dir !== undefined) {
    const { fs } = await nodeFs();
    await fs.mkdir(dir, { recursive: true });
    const index = await readIndex(dir);
    if (index != null && index.teacher === key && JSON.stringify(index.features) === JSON.stringify(features))
      previous = new Map(index.batches.map((e) => [e.digest, e]));
  }

  const memory: DistillBatch[] = [];
  const entries: ShardEntry[] = [];
  let computed = 0;
  let examples = 0;
  let i = 0;
  try {
    for await (const batch of batchesOf(inputs, options.batchSize)) {
      const n = batch.input.shape[0] ?? 1;
      let fromCache = false;
      if (dir === undefined) {
        const { output, features: f } = runner.run(batch.input);
        const kept: DistillBatch = { input: tf.clone(batch.input), teacher: { output, features: f } };
        if (batch.target != null) kept.target = tf.clone(batch.target);
        memory.push(kept);
        computed++;
      } else {
        const digest = await digestTensors(batch.target == null ? [batch.input] : [batch.input, batch.target]);
        const hit = previous.get(digest);
        if (hit != null) {
          entries.push(hit);
          fromCache = true;
        } else {
          const { output, features: f } = runner.run(batch.input);
          try {
            const tensors: Parameters<typeof writeShard>[3] = [{ role: 'input', tensor: batch.input }];
            if (batch.target != null) tensors.push({ role: 'target', tensor: batch.target });
            tensors.push({ role: 'output', tensor: output });
            for (const name of features) tensors.push({ role: 'feature', name, tensor: f[name] as tf.Tensor });
            const entry = await writeShard(dir, digest, n, tensors);
            entries.push(entry);
            previous.set(digest, entry);
          } finally {
            tf.dispose([output, ...Object.values(f)]);
          }
          computed++;
        }
      }
      examples += n;
      options.onProgress?.({ batch: i, batches: total, examples, fromCache });
      i++;
    }
  } catch (e) {
    memoryStore(memory).dispose();
    throw e;
  }
  if (dir === undefined) return new TeacherCache(key, features, null, memoryStore(memory), computed);
  const index = newIndex(key, features);
  index.batches = entries;
  await writeIndex(dir, index);
  await removeStaleShards(dir, entries);
  return new TeacherCache(key, features, dir, diskStore(dir, entries), computed);
}
