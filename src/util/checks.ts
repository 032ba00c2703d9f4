import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from './errors.js';

/**
 * Throws a {@link ShapeError} unless `x` has the given rank.
 *
 * @example
 * ```ts
 * assertRank('x', x, 4); // NHWC images
 * ```
 */
export function assertRank(argument: string, x: tf.Tensor, rank: number): void {
  if (!(x instanceof tf.Tensor)) {
    throw new ConfigError(argument, x, `a tf.Tensor of rank ${rank}`);
  }
  if (x.rank !== rank) {
    throw new ShapeError(argument, x.shape, `rank ${rank}`);
  }
}

/**
 * Throws a {@link ConfigError} unless `value` is an array with at least one element (`expected` says of what).
 * Not a type guard: the caller's declared element type stays as it is.
 *
 * @example
 * ```ts
 * assertNonEmptyArray('pairs', [], 'an array of { lr, hr }'); // throws: pairs: got [], expected a non-empty array…
 * ```
 */
export function assertNonEmptyArray(argument: string, value: unknown, expected: string): void {
  if (!Array.isArray(value) || value.length === 0)
    throw new ConfigError(argument, value, `a non-empty array: ${expected}`);
}

/**
 * Throws a {@link ConfigError} unless `value` is an integer in `[min, max]`.
 *
 * @example
 * ```ts
 * assertInt('levels', 3, 1); // passes; 0 or 2.5 would throw
 * ```
 */
export function assertInt(argument: string, value: unknown, min = -Infinity, max = Infinity): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(argument, value, intRangeText(min, max));
  }
}

/** How {@link assertInt} words its range: `'an integer'`, `'an integer >= 1'`, `'an integer in [0, 9]'`. */
export function intRangeText(min = -Infinity, max = Infinity): string {
  if (min === -Infinity && max === Infinity) return 'an integer';
  if (max === Infinity) return `an integer >= ${min}`;
  if (min === -Infinity) return `an integer <= ${max}`;
  return `an integer in [${min}, ${max}]`;
}

/** The range of {@link assertFinite}: `positive` (`> 0`), or inclusive bounds. */
export interface FiniteRange {
  /** Only numbers `> 0`. */
  positive?: boolean;
  /** Smallest value allowed (inclusive). */
  min?: number;
  /** Largest value allowed (inclusive). */
  max?: number;
}

/**
 * Throws a {@link ConfigError} unless `value` is a finite number (optionally > 0, or within
 * inclusive bounds). NaN and ±Infinity are refused.
 *
 * @example
 * ```ts
 * assertFinite('epsilon', 1e-5, { positive: true });
 * assertFinite('momentum', 0.99, { min: 0, max: 1 });
 * ```
 */
export function assertFinite(argument: string, value: unknown, options: FiniteRange = {}): asserts value is number {
  const { positive = false, min = -Infinity, max = Infinity } = options;
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && value <= 0) || value < min || value > max) {
    throw new ConfigError(argument, value, finiteRangeText(options));
  }
}

/** How {@link assertFinite} words its range: `'a finite number in [0, 1]'`. */
export function finiteRangeText(options: FiniteRange = {}): string {
  const { positive = false, min = -Infinity, max = Infinity } = options;
  const upper = max === Infinity ? '' : max;
  if (positive) return upper === '' ? 'a finite number > 0' : `a finite number in (0, ${upper}]`;
  if (min === -Infinity && max === Infinity) return 'a finite number';
  if (max === Infinity) return `a finite number >= ${min}`;
  if (min === -Infinity) return `a finite number <= ${max}`;
  return `a finite number in [${min}, ${max}]`;
}

/**
 * Throws a {@link ConfigError} unless `value` is `true` or `false` (a truthy string such as
 * `'no'` is refused, not read as true).
 *
 * @example
 * ```ts
 * assertBoolean('useBias', true); // passes; 'no' or 1 would throw
 * ```
 */
export function assertBoolean(argument: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') throw new ConfigError(argument, value, 'true or false');
}

/** Constraints of {@link assertIntList}. */
export interface IntListRange {
  /** Smallest entry allowed. Default −∞. */
  min?: number;
  /** Largest entry allowed. Default +∞. */
  max?: number;
  /** Fewest entries. Default 0. */
  minLength?: number;
  /** Entries strictly increasing (sorted, no repeats). Default false. */
  increasing?: boolean;
}

/**
 * Throws a {@link ConfigError} unless `value` is an array of integers within `range`.
 *
 * @example
 * ```ts
 * assertIntList('channels', [512, 256], { min: 1, minLength: 1 });
 * ```
 */
export function assertIntList(argument: string, value: unknown, range: IntListRange = {}): asserts value is number[] {
  const { min = -Infinity, max = Infinity, minLength = 0, increasing = false } = range;
  const ok =
    Array.isArray(value) &&
    value.length >= minLength &&
    value.every(
      (v: unknown, i) =>
        typeof v === 'number' &&
        Number.isInteger(v) &&
        v >= min &&
        v <= max &&
        (!increasing || i === 0 || v > (value[i - 1] as number)),
    );
  if (!ok) throw new ConfigError(argument, value, intListText(range));
}

/** How {@link assertIntList} words its constraints: `'a non-empty, strictly increasing list of integers >= 1'`. */
export function intListText(range: IntListRange = {}): string {
  const { min = -Infinity, max = Infinity, minLength = 0, increasing = false } = range;
  const size = minLength <= 0 ? '' : minLength === 1 ? 'non-empty' : `at least ${minLength}-long`;
  const adjectives = [size, increasing ? 'strictly increasing' : ''].filter((a) => a !== '').join(', ');
  const entries = intRangeText(min, max).replace(/^an integer/, 'integers');
  return `${adjectives === '' ? 'a' : `a ${adjectives}`} list of ${entries}`;
}
/**
 * Throws a {@link ConfigError} unless `value` is one of `allowed`.
 *
 * @example
 * ```ts
 * assertOneOf('padMode', 'reflect', ['zeros', 'reflect'] as const);
 * ```
 */
export function assertOneOf<T extends string | number>(
  argument: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new ConfigError(
      argument,
      value,
      `one of ${allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ')}`,
    );
  }
}

/**
 * Throws a {@link ConfigError} for the first key of `object` that is not in `known` (keys whose
 * value is `undefined` count as absent), naming it as `${owner}.${key}`, with a "did you mean"
 * hint when a known key is close to it (see {@link closestName}).
 *
 * @example
 * ```ts
 * assertKnownKeys('conv', { filter: 8 }, ['filters', 'kernelSize'], 'an option of OnceForAllConv');
 * // conv.filter: got 8, expected an option of OnceForAllConv (did you mean 'filters'?)
 * ```
 */
export function assertKnownKeys(
  owner: string,
  object: Readonly<Record<string, unknown>>,
  known: readonly string[],
  expected: string,
): void {
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || known.includes(key)) continue;
    const near = closestName(key, known);
    throw new ConfigError(`${owner}.${key}`, value, near == null ? expected : `${expected} (did you mean '${near}'?)`);
  }
}

/**
 * The name in `candidates` nearest to `name` by edit distance (case-insensitive; insertions,
 * deletions, substitutions and swaps of neighbours cost 1), or `undefined` when none is within
 * a third of the name's length (at least 2 edits are always allowed).
 *
 * @example
 * ```ts
 * closestName('kernelSzie', ['kernelSize', 'strides']); // 'kernelSize'
 * ```
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal-string-alignment distance: Levenshtein plus swaps of adjacent characters. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] as number;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * cols + j] = v;
    }
  }
  return at(a.length, b.length);
}
