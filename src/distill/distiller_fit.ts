import * as tf from '@tensorflow/tfjs-core';
import { assertInt, ConfigError } from '../util/index.js';
import { assertDataSource, isDatasetLike, iterate, type BatchLike, type DataSource } from './batch.js';
import { assertOptions } from './checks.js';
import type { CheckpointInfo } from './distiller_checkpoint.js';
import type { StepRecord } from './distiller_step.js';
import { TeacherCache } from './teacher_cache.js';

/** The numbers of a {@link StepRecord} that {@link FitLog} averages. */
export type RecordNumber = Exclude<keyof StepRecord, 'step' | 'subnet'>;

/** What `onLog` receives: means over the steps since the previous log. */
export interface FitLog {
  /** Steps done so far (the Distiller's step). */
  step: number;
  /** Steps the means are over. */
  steps: number;
  /** Mean of each reported number over those steps. */
  means: Partial<Record<RecordNumber, number>>;
  /** Wall-clock milliseconds per step over those steps. */
  msPerStep: number;
}

/** Callbacks of {@link Distiller.fit}; each may return a promise, which is awaited. */
export interface FitCallbacks {
  /** After every step. */
  onStep?: (record: StepRecord) => void | Promise<void>;
  /** Every `logEvery` steps, and after the last. */
  onLog?: (log: FitLog) => void | Promise<void>;
  /** After each checkpoint is saved. */
  onCheckpoint?: (info: CheckpointInfo) => void | Promise<void>;
}

/** Options of {@link Distiller.fit}. */
export interface FitOptions {
  /**
   * Steps to train in this call. Default: one pass over the data (its length for an array or a
   * cache; until a dataset or iterable ends).
   */
  steps?: number;
  callbacks?: FitCallbacks;
  /** Steps between `onLog` calls. Default 10. */
  logEvery?: number;
  /** Directory for checkpoints (Node): saved every `checkpointEvery` steps and at the end. */
  checkpointDir?: string;
  /** Steps between checkpoints (needs `checkpointDir`). Default: only at the end. */
  checkpointEvery?: number;
}

/** What {@link Distiller.fit} did. */
export interface FitResult {
  /** Steps trained in this call. */
  steps: number;
  /** The Distiller's step after the call. */
  step: number;
  /** The last step's record (null when no step ran). */
  last: StepRecord | null;
}

/** The part of a Distiller that fit drives. */
export interface Trainable {
  readonly step: number;
  trainStep(batch: BatchLike): Promise<StepRecord>;
  saveCheckpoint(dir: string): Promise<CheckpointInfo>;
}

interface Source {
  /** The next batch and whether fit disposes it after its step; null when the data ended. */
  next(): Promise<{ batch: BatchLike; dispose: boolean } | null>;
  /** Length when known. */
  length: number | null;
}

function sourceOf(trainer: Trainable, data: DataSource<BatchLike> | TeacherCache, cycle: boolean): Source {
  if (Array.isArray(data)) {
    const list = data as readonly BatchLike[];
    if (list.length === 0) throw new ConfigError('data', data, 'at least one batch');
    return {
      length: list.length,
      next: () => Promise.resolve({ batch: list[trainer.step % list.length] as BatchLike, dispose: false }),
    };
  }
  if (data instanceof TeacherCache) {
    if (data.size === 0) throw new ConfigError('data', 'an empty TeacherCache', 'at least one batch');
    return {
      length: data.size,
      next: async () => ({ batch: await data.get(trainer.step % data.size), dispose: true }),
    };
  }
  assertDataSource('data', data);
  let it: AsyncGenerator<BatchLike> = iterate(data);
  let yielded = false;
  return {
    length: null,
    next: async () => {
      let r = await it.next();
      if (r.done === true && cycle) {
        if (!yielded)
          throw new ConfigError(
            'data',
            isDatasetLike(data) ? 'an empty dataset' : 'an empty iterable',
            'at least one batch',
          );
        it = iterate(data);
        r = await it.next();
        if (r.done === true)
          throw new ConfigError(
            'data',
            'an iterable that ended and yields nothing when iterated again',
            'one that can be read again (an array, a tf.data.Dataset, a TeacherCache), or steps within its length',
          );
      }
      if (r.done === true) return null;
      yielded = true;
      return { batch: r.value, dispose: true };
    },
  };
}

/** Every tensor in a batch-like value (also a malformed one, which trainStep refused). */
function tensorsIn(value: unknown, depth = 0): tf.Tensor[] {
  if (value instanceof tf.Tensor) return [value as tf.Tensor];
  if (value == null || typeof value !== 'object' || depth > 3) return [];
  return Object.values(value).flatMap((v) => tensorsIn(v, depth + 1));
}

/** The loop behind {@link Distiller.fit}. */
export async function runFit(
  trainer: Trainable,
  data: DataSource<BatchLike> | TeacherCache,
  options: FitOptions,
): Promise<FitResult> {
  assertOptions('options', options, ['steps', 'callbacks', 'logEvery', 'checkpointDir', 'checkpointEvery']);
  if (options.steps !== undefined) assertInt('options.steps', options.steps, 0);
  const logEvery = options.logEvery ?? 10;
  assertInt('options.logEvery', logEvery, 1);
  const callbacks = options.callbacks ?? {};
  assertOptions('options.callbacks', callbacks, ['onStep', 'onLog', 'onCheckpoint']);
  for (const [k, f] of Object.entries(callbacks))
    if (f !== undefined && typeof f !== 'function') throw new ConfigError(`options.callbacks.${k}`, f, 'a function');
  const dir = options.checkpointDir;
  if (dir !== undefined && (typeof dir !== 'string' || dir.length === 0))
    throw new ConfigError('options.checkpointDir', dir, 'a directory path');
  if (options.checkpointEvery !== undefined) {
    assertInt('options.checkpointEvery', options.checkpointEvery, 1);
    if (dir === undefined)
      throw new ConfigError(
        'options.checkpointEvery',
        options.checkpointEvery,
        'no value without options.checkpointDir',
      );
  }
  const source = sourceOf(trainer, data, options.steps !== undefined);
  const steps = options.steps ?? source.length ?? Number.POSITIVE_INFINITY;

  let done = 0;
  let last: StepRecord | null = null;
  let savedAt = -1;
  let window: StepRecord[] = [];
  let windowStart = performance.now();
  const log = async (): Promise<void> => {
    if (window.length === 0 || callbacks.onLog == null) return;
    const means: Partial<Record<RecordNumber, number>> = {};
    for (const key of Object.keys(window[0] as StepRecord) as (keyof StepRecord)[]) {
      if (key === 'step' || key === 'subnet') continue;
      means[key] = window.reduce((s, r) => s + (r[key] ?? 0), 0) / window.length;
    }
    const now = performance.now();
    await callbacks.onLog({
      step: trainer.step,
      steps: window.length,
      means,
      msPerStep: (now - windowStart) / window.length,
    });
    window = [];
    windowStart = now;
  };
  const checkpoint = async (): Promise<void> => {
    if (dir === undefined || savedAt === trainer.step) return;
    const info = await trainer.saveCheckpoint(dir);
    savedAt = trainer.step;
    await callbacks.onCheckpoint?.(info);
  };

  while (done < steps) {
    const next = await source.next();
    if (next == null) break;
    let record: StepRecord;
    try {
      record = await trainer.trainStep(next.batch);
    } finally {
      if (next.dispose) tf.dispose(tensorsIn(next.batch));
    }
    done++;
    last = record;
    window.push(record);
    await callbacks.onStep?.(record);
    if (window.length >= logEvery) await log();
    if (options.checkpointEvery !== undefined && trainer.step % options.checkpointEvery === 0) await checkpoint();
  }
  await log();
  if (done > 0) await checkpoint();
  return { steps: done, step: trainer.step, last };
}
