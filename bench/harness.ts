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

/**
 * Median milliseconds of `fn` on the current backend. Runs are repeated until at least
 * `minTotalMs` of timed work has accumulated (min `minRuns` runs), so fast and slow cases
 * get comparable statistical weight.
 */
export async function medianMs(fn: () => LatencyResult | Promise<LatencyResult>, options: { warmup?: number; minRuns?: number; maxRuns?: number; minTotalMs?: number } = {}): Promise<number> {
  const warmup = options.warmup ?? 2;
  const probe = await measureLatency(fn, { warmup, runs: 1 });
  const perRun = Math.max(probe.medianMs, 0.01);
  const runs = Math.min(options.maxRuns ?? 200, Math.max(options.minRuns ?? 5, Math.ceil((options.minTotalMs ?? 1500) / perRun)));
  return (await measureLatency(fn, { warmup: 0, runs })).medianMs;
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
