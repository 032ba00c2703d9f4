import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/index.js';
import { measureLatency, type LatencyResult } from '../src/metrics/latency.js';

/** One printed table of a benchmark suite. Cells are preformatted strings or numbers. */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  /** Lines printed under the table (what is measured, targets). */
  notes?: string[];
}

/** A benchmark file's default export. */
export interface BenchSuite {
  /** Section name in docs/benchmarks.md. */
  name: string;
  run(progress: (message: string) => void): Promise<BenchTable[]>;
}

/** Declares a benchmark suite. */
export function defineBench(name: string, run: BenchSuite['run']): BenchSuite {
  return { name, run };
}

/** Makes `backend` current (through the library's own initBackend). */
export async function useBackend(backend: 'cpu' | 'wasm'): Promise<void> {
  await initBackend(backend);
}

/** Options of {@link medianMs}. */
export interface MedianOptions {
  warmup?: number;
  minRuns?: number;
  maxRuns?: number;
  minTotalMs?: number;
}

/**
 * Median milliseconds of `fn` on the current backend. Runs are repeated until at least
 * `minTotalMs` of timed work has accumulated (min `minRuns` runs), so fast and slow cases
 * get comparable statistical weight.
 */
export async function medianMs(
  fn: () => LatencyResult | Promise<LatencyResult>,
  options: MedianOptions = {},
): Promise<number> {
  const warmup = options.warmup ?? 2;
  const probe = await measureLatency(fn, { warmup, runs: 1 });
  const perRun = Math.max(probe.medianMs, 0.01);
  const runs = Math.min(
    options.maxRuns ?? 200,
    Math.max(options.minRuns ?? 5, Math.ceil((options.minTotalMs ?? 1500) / perRun)),
  );
  return (await measureLatency(fn, { warmup: 0, runs })).medianMs;
}

/** The median (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Times several cases in alternating rounds — each round times every case once, by its own
 * {@link medianMs} — so that load from other processes and drift hit every case alike. Returns
 * each case's per-round times (round r of every case was measured together, so per-round
 * ratios are meaningful); summarise with {@link median}.
 */
export async function alternatingRounds<K extends string>(
  cases: Record<K, () => LatencyResult | Promise<LatencyResult>>,
  options: MedianOptions & { rounds?: number } = {},
): Promise<Record<K, number[]>> {
  const { rounds = 5, ...perCase } = options;
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const key of Object.keys(cases) as K[]) times[key].push(await medianMs(cases[key], perCase));
  }
  return times;
}

/** Formats a number with a fixed number of significant decimals for a table cell. */
export function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  return value.toFixed(digits);
}

/** "✓" when the condition holds, "✗" otherwise — the status column of a target. */
export function status(ok: boolean): string {
  return ok ? '✓' : '✗';
}

/** Disposes every tensor in a nested structure (bench set-up tensors). */
export function disposeAll(...items: (tf.Tensor | tf.Tensor[] | null | undefined)[]): void {
  for (const item of items) if (item != null) tf.dispose(item);
}
