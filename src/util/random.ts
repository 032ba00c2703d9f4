import { assertFinite, assertInt } from './checks.js';
import { ConfigError } from './errors.js';

/**
 * The complete state of a {@link Random} (plain JSON): the four 32-bit words of the generator and
 * the spare normal value Box–Muller keeps for the next `normal()` call.
 *
 * @example
 * ```ts
 * const state: RandomState = new Random(1).getState();
 * JSON.stringify(state); // '{"kind":"xoshiro128**","words":[...],"spareNormal":null}'
 * ```
 */
export interface RandomState {
  kind: 'xoshiro128**';
  words: [number, number, number, number];
  spareNormal: number | null;
}

/**
 * A small, fast, seedable pseudo-random generator (xoshiro128** seeded through splitmix32).
 * Every random choice in this library (initialisation, samplers, search, augmentation) draws
 * from one of these, so a run is reproducible from its seed in Node and in browsers alike.
 *
 * @example
 * ```ts
 * const rng = new Random(42);
 * rng.next();        // uniform in [0, 1)
 * rng.int(10);       // integer in [0, 10)
 * rng.normal();      // standard normal
 * rng.choice([8, 16, 24]);
 * ```
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    assertInt('seed', seed);
    let x = seed >>> 0;
    const splitmix = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix();
  }

  /**
   * The generator's state as plain JSON, for checkpoints: {@link Random.fromState} continues the
   * exact same sequence (including a pending second normal value).
   *
   * @example
   * ```ts
   * const rng = new Random(7);
   * rng.next();
   * const saved = JSON.stringify(rng.getState());
   * const resumed = Random.fromState(JSON.parse(saved));
   * resumed.next() === rng.next(); // true
   * ```
   */
  getState(): RandomState {
    return { kind: 'xoshiro128**', words: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spareNormal };
  }

  /**
   * A generator that continues from `state` (from {@link Random.getState}). Throws a `ConfigError`
   * naming `state` unless it is such a state: four unsigned 32-bit integers, not all zero, and a
   * finite or null spare normal.
   *
   * @example
   * ```ts
   * const rng = Random.fromState(new Random(7).getState());
   * ```
   */
  static fromState(state: RandomState): Random {
    const expected = "{ kind: 'xoshiro128**', words: four uint32 not all 0, spareNormal: number | null }";
    if (state == null || typeof state !== 'object' || state.kind !== 'xoshiro128**')
      throw new ConfigError('state', state, expected);
    const words: unknown = state.words;
    if (
      !Array.isArray(words) ||
      words.length !== 4 ||
      !words.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 0xffffffff) ||
      words.every((w) => w === 0)
    )
      throw new ConfigError('state.words', words, 'four unsigned 32-bit integers, not all 0');
    const spare: unknown = state.spareNormal;
    if (spare !== null && (typeof spare !== 'number' || !Number.isFinite(spare)))
      throw new ConfigError('state.spareNormal', spare, 'a finite number or null');
    const rng = new Random(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = words as [number, number, number, number];
    rng.spareNormal = spare;
    return rng;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    assertInt('n', n, 1);
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** One element of `items`, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (!Array.isArray(items) || items.length === 0)
      throw new ConfigError('items', items, 'a non-empty array to choose from');
    return items[this.int(items.length)] as T;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    if (!Array.isArray(items)) throw new ConfigError('items', items, 'an array to shuffle');
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** `k` distinct indices from [0, n), in random order (sampling without replacement). */
  sample(n: number, k: number): number[] {
    assertInt('n', n, 0, MAX_ARRAY_LENGTH);
    assertInt('k', k, 0, n);
    const pool = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const tmp = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = tmp;
    }
    return pool.slice(0, k);
  }

  /** A Float32Array of `size` standard-normal values times `std` (a finite number ≥ 0). */
  normalArray(size: number, std = 1): Float32Array {
    assertInt('size', size, 0, MAX_ARRAY_LENGTH);
    assertFinite('std', std, { min: 0 });
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = this.normal() * std;
    return out;
  }
}

/** The longest array {@link Random.normalArray} and {@link Random.sample} make (2^31 − 1, a typed array's limit in every engine). */
const MAX_ARRAY_LENGTH = 2 ** 31 - 1;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
