import * as tf from '@tensorflow/tfjs-core';
import { assertInt, assertKnownKeys, ConfigError } from '../util/index.js';

/** What a function timed by {@link measureLatency} may return. */
export type LatencyResult = void | tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;

/** Options of {@link measureLatency}. */
export interface MeasureLatencyOptions {
  /** Untimed runs first (kernel compilation, shader warm-up, allocator growth). Default 3. */
  warmup?: number;
  /** Timed runs. Default 20. */
  runs?: number;
}

/** Timing statistics from {@link measureLatency}; percentiles interpolate linearly (numpy's default). */
export interface LatencyStats {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  meanMs: number;
  minMs: number;
  /** Number of timed runs. */
  runs: number;
  /** Every timed run, in order. */
  timesMs: number[];
}

/**
 * Times a function on the current backend. Each run ends only when the backend has finished:
 * every tensor the function returns is read back (`await t.data()`), then disposed. Works in
 * Node and browsers (uses `performance.now()`).
 *
 * @example
 * ```ts
 * const stats = await measureLatency(() => model.predict(x) as tf.Tensor, { warmup: 5, runs: 50 });
 * console.log(`${stats.medianMs.toFixed(2)} ms (p10 ${stats.p10Ms.toFixed(2)}, p90 ${stats.p90Ms.toFixed(2)})`);
 * ```
 */
export async function measureLatency(
  fn: () => LatencyResult | Promise<LatencyResult>,
  options: MeasureLatencyOptions = {},
): Promise<LatencyStats> {
  if (typeof fn !== 'function') throw new ConfigError('fn', fn, 'a function to time');
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, 'an object { warmup?, runs? }');
  assertKnownKeys('options', options as Record<string, unknown>, ['warmup', 'runs'], 'an option of measureLatency');
  const warmup = options.warmup ?? 3;
  const runs = options.runs ?? 20;
  assertInt('options.warmup', warmup, 0);
  assertInt('options.runs', runs, 1);
  for (let i = 0; i < warmup; i++) await finish(await fn());
  const timesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const out = await fn();
    await finish(out);
    timesMs.push(performance.now() - start);
  }
  const sorted = [...timesMs].sort((a, b) => a - b);
  return {
    medianMs: percentile(sorted, 50),
    p10Ms: percentile(sorted, 10),
    p90Ms: percentile(sorted, 90),
    meanMs: timesMs.reduce((a, b) => a + b, 0) / runs,
    minMs: sorted[0] as number,
    runs,
    timesMs,
  };
}

/**
 * Waits for and disposes what one run returned. Anything but nothing, a tensor, an array or a map
 * of tensors is refused: a run that returns a number (`() => 42`) was not waited for, so its
 * time would mean nothing. The tensors found are disposed before the error.
 */
async function finish(out: unknown): Promise<void> {
  if (out == null) return;
  const tensors: unknown[] =
    out instanceof tf.Tensor
      ? [out]
      : Array.isArray(out)
        ? out
        : typeof out === 'object' && Object.getPrototypeOf(out) === Object.prototype
          ? Object.values(out)
          : [out];
  const isTensor = (t: unknown): t is tf.Tensor => t instanceof tf.Tensor;
  const bad = tensors.findIndex((t) => !isTensor(t));
  if (bad >= 0) {
    tf.dispose(tensors.filter(isTensor));
    const whole = tensors.length === 1 && tensors[0] === out;
    throw new ConfigError(
      whole ? "fn's result" : `fn's result, entry ${bad}`,
      whole ? out : tensors[bad],
      'nothing, a tf.Tensor, an array of tensors or a map of tensors (what the timed work produced)',
    );
  }
  const list = tensors.filter(isTensor);
  try {
    await Promise.all(list.map((t) => t.data()));
  } finally {
    tf.dispose(list);
  }
}

/** The q-th percentile (0–100) of sorted values, interpolating linearly between ranks. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new ConfigError('sorted', sorted, 'at least one value');
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}
