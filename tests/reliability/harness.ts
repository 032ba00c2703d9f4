/**
 * The reliability suite's probe: one call of a public function on generated input. The call
 * either returns — and then the caller's invariant check runs on the result — or throws a
 * `GanCompressError` subclass; anything else (a TypeError, a RangeError, a tfjs error) fails the
 * property with the input that caused it. Either way `tf.memory().numTensors` must come back to
 * where it was: outside any scope, and again inside a caller's `tf.tidy` (where a `tf.keep` that
 * escapes the caller's scope shows up as a leak).
 *
 * Every property runs under fast-check with {@link PROPERTY_SEED} and a bounded `numRuns`; on a
 * failure fast-check prints the seed, the path and the shrunk input (`fc.assert`'s report), so
 * the case replays with `{ seed, path }`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { expect } from 'vitest';
import { getElasticLayers } from '../../src/graph/index.js';
import { GanCompressError } from '../../src/util/index.js';

/** The fixed seed of every property of this suite. */
export const PROPERTY_SEED = 1207;

/** `fc.assert` with the suite's seed and `numRuns` (fast-check prints seed and path on failure). */
export function check<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, numRuns: number): void {
  fc.assert(property, { seed: PROPERTY_SEED, numRuns, endOnFailure: true });
}

/** {@link check} for an async property. */
export async function checkAsync<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncProperty<Ts>,
  numRuns: number,
): Promise<void> {
  await fc.assert(property, { seed: PROPERTY_SEED, numRuns, endOnFailure: true });
}

/** What one probe led to. */
export type Outcome = 'ok' | 'refused';

/** Probes per public function: how many calls returned, how many were refused with a named error. */
export class Tally {
  readonly counts = new Map<string, { ok: number; refused: number }>();

  record(name: string, outcome: Outcome): Outcome {
    const c = this.counts.get(name) ?? { ok: 0, refused: 0 };
    c[outcome]++;
    this.counts.set(name, c);
    return outcome;
  }

  /** Total probes. */
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c.ok + c.refused;
    return n;
  }

  /** A one-line-per-function summary, printed at the end of each file (the counts in docs/reliability.md). */
  summary(family: string): string {
    const rows = [...this.counts.entries()].map(([name, c]) => `  ${name}: ${c.ok} ok, ${c.refused} refused`);
    return `[reliability] ${family}: ${this.total} probes over ${this.counts.size} functions\n${rows.join('\n')}`;
  }
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
}

/** Throws unless `e` is a GanCompressError (with the probe's name and the real error in the message). */
export function expectNamedError(name: string, e: unknown): void {
  // RELIABILITY_VERBOSE=1 prints every refusal (to see what the generators reach).
  if (process.env['RELIABILITY_VERBOSE'] === '1') console.log(`[refused] ${name}: ${describeError(e)}`);
  if (!(e instanceof GanCompressError)) {
    throw new Error(`${name}: threw ${describeError(e)} — expected a result or a GanCompressError`, { cause: e });
  }
}

/** How a probe counts tensors. */
export interface ProbeOptions {
  /**
   * Only require that the count does not grow (a call that releases a cache: `setSubnet` frees an
   * elastic layer's cached active weights).
   */
  mayFree?: boolean;
  /**
   * Runs before each count: e.g. {@link clearCaches}, so that the active-weight caches elastic
   * layers fill on a second call at one setting (bounded, freed on the next setting or
   * `dispose`: not a leak) do not count as one.
   */
  settle?: () => void;
}

/**
 * Runs `fn` twice — at top level and inside a caller's `tf.tidy` — and returns the outcome. On
 * success `verify` gets the result (and must dispose any tensor in it); the tidy run's result is
 * dropped, so the tidy frees it. The tensor count must balance after each run (see
 * {@link ProbeOptions}). `fn` must be deterministic (both runs must agree on success vs refusal).
 */
export function probe<T>(
  tally: Tally,
  name: string,
  fn: () => T,
  verify: (result: T) => void = dispose,
  options: ProbeOptions = {},
): Outcome {
  const count = (): number => {
    options.settle?.();
    return tf.memory().numTensors;
  };
  const expectBalanced = (from: number, label: string): void => {
    const grown = count() - from;
    if (options.mayFree === true) expect(grown, label).toBeLessThanOrEqual(0);
    else expect(grown, label).toBe(0);
  };
  const before = count();
  const first = attempt(fn);
  if ('error' in first) expectNamedError(name, first.error);
  else verify(first.result);
  const outcome: Outcome = 'error' in first ? 'refused' : 'ok';
  expectBalanced(before, `${name}: tensors left behind (${outcome})`);
  const between = count();
  const inner = attempt(() => tf.tidy(() => void fn()));
  if ('error' in inner) expectNamedError(name, inner.error);
  expectBalanced(between, `${name}: tensors left behind inside tf.tidy`);
  expect('error' in inner ? 'refused' : 'ok', `${name}: same outcome inside tf.tidy`).toBe(outcome);
  return tally.record(name, outcome);
}

/**
 * Frees the active-weight caches of `model`'s elastic layers (re-setting a layer's own setting
 * clears its cache), for {@link ProbeOptions.settle}.
 */
export function clearCaches(model: tfl.LayersModel): void {
  for (const layer of getElasticLayers(model)) layer.setActive(layer.getActive());
}

function attempt<T>(fn: () => T): { result: T } | { error: unknown } {
  try {
    return { result: fn() };
  } catch (error) {
    return { error };
  }
}

/**
 * {@link probe} for async functions: one run, outside any scope (tf.tidy cannot hold a
 * promise); the count must balance once the promise settles.
 */
export async function probeAsync<T>(
  tally: Tally,
  name: string,
  fn: () => Promise<T>,
  verify: (result: T) => void | Promise<void> = dispose,
  options: ProbeOptions = {},
): Promise<Outcome> {
  const count = (): number => {
    options.settle?.();
    return tf.memory().numTensors;
  };
  const before = count();
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    expectNamedError(name, e);
    expect(count() - before, `${name}: tensors left behind (refused)`).toBe(0);
    return tally.record(name, 'refused');
  }
  await verify(result);
  expect(count() - before, `${name}: tensors left behind (ok)`).toBe(0);
  return tally.record(name, 'ok');
}

/** Disposes every tensor in `x` (any nesting of arrays and plain objects). */
export function dispose(x: unknown): void {
  tf.dispose(tensorsIn(x));
}

function tensorsIn(x: unknown, out: tf.Tensor[] = [], seen = new Set<unknown>()): tf.Tensor[] {
  if (x == null || typeof x !== 'object' || seen.has(x)) return out;
  seen.add(x);
  if (x instanceof tf.Tensor) out.push(x as tf.Tensor);
  else if (Array.isArray(x)) for (const v of x) tensorsIn(v, out, seen);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) tensorsIn(v, out, seen);
  return out;
}

/** Numbers no function should mistake for ordinary ones, and ordinary ones at the edges. */
export const SPECIAL_NUMBERS = [0, -0, -1, 0.5, -2.5, 1e-40, 1e30, -1e30, 3e38, NaN, Infinity, -Infinity] as const;

/** A number: mostly small and finite, sometimes one of {@link SPECIAL_NUMBERS}. */
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.double({ min: -4, max: 4, noNaN: true }), weight: 6 },
  { arbitrary: fc.constantFrom(...SPECIAL_NUMBERS), weight: 2 },
);

/** A finite number of ordinary size. */
export const finiteNumber: fc.Arbitrary<number> = fc.double({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true });

/** Arguments of the wrong kind: what a user passes by mistake instead of a number, tensor or object. */
export const JUNK = fc.constantFrom<unknown>(undefined, null, '3', 'no', true, [], {}, [1, 2], () => 1, NaN, -1, 0.5);

/** A float32 tensor of `shape` whose values are drawn from `values` (cycled), created when called. */
export function tensorOf(shape: readonly number[], values: readonly number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = values.length === 0 ? 0 : (values[i % values.length] as number);
  return tf.tensor(data, [...shape]);
}

/** Values for a tensor: finite ones in [-2, 2], with a given chance of a special number among them. */
export function tensorValues(special: boolean): fc.Arbitrary<number[]> {
  const finite = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });
  const value = special
    ? fc.oneof({ arbitrary: finite, weight: 8 }, { arbitrary: fc.constantFrom(...SPECIAL_NUMBERS), weight: 1 })
    : finite;
  return fc.array(value, { minLength: 1, maxLength: 24 });
}

/** True when every value of `t` is finite. */
export function allFinite(t: tf.Tensor): boolean {
  return (t.dataSync() as Float32Array).every((v) => Number.isFinite(v));
}

/** Frees a layer's weights; a layer that was never built has none (tfjs refuses to dispose it). */
export function disposeLayer(layer: { built: boolean; dispose(): unknown }): void {
  if (layer.built) layer.dispose();
}
