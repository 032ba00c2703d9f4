import type * as tf from '@tensorflow/tfjs-core';
import {
  assertBoolean,
  assertFinite,
  assertInt,
  assertIntList,
  assertOneOf,
  ConfigError,
  describeValue,
  finiteRangeText,
  intListText,
  intPair,
  intRangeText,
  type FiniteRange,
  type IntListRange,
} from '../../util/index.js';
import {
  resolveInitializer,
  serializeInitializer,
  type Initializer,
  type InitializerSpec,
  type SeededInitializer,
} from './initializer.js';

/** A config entry as `getConfig` writes it (JSON-like). */
export type ConfigValue = tf.serialization.ConfigDictValue;

/** The options resolved before this one (in schema order), for defaults and checks that depend on them. */
export type ResolvedOptions = Readonly<Record<string, unknown>>;

/**
 * One option of a layer: how a given value is checked and resolved, its default, and how the
 * resolved value is written into the layer's config. Made by the {@link option} builders and
 * collected into an {@link OptionSchema}.
 */
export interface Option<T> {
  /** What the option takes, as error messages word it (`'an integer >= 1'`). */
  readonly expected: string;
  /**
   * Checks a given value (never `undefined` or `null`: those mean "not given") and resolves it;
   * throws a `ConfigError` naming `argument`.
   */
  parse(argument: string, value: unknown, resolved: ResolvedOptions): T;
  /** The value when the config leaves the option out; absent for a required option. */
  readonly fallback?: (resolved: ResolvedOptions) => T;
  /** The config entry of a resolved value; `undefined` writes none. */
  write(value: T): ConfigValue | undefined;
  /** Resolved before every other option (the seed, which the initializers read). */
  readonly early?: boolean;
  /**
   * When set, the option means something only if `test` holds for the options resolved before
   * it: giving it otherwise is an error that quotes `description`, and it is not written.
   */
  readonly appliesWhen?: { test: (resolved: ResolvedOptions) => boolean; description: string };
}

/** A default: a value, or a function of the options resolved before. */
type Default<T> = T | ((resolved: ResolvedOptions) => T);

function fallbackOf<T>(value: Default<T> | undefined): ((resolved: ResolvedOptions) => T) | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'function' ? (value as (resolved: ResolvedOptions) => T) : () => value;
}

/**
 * Upper bounds of the sizes layers take, far beyond any real layer's: a value past them (2⁶⁰,
 * 1e300) is a mistake that would otherwise surface as an allocation failure or a hang.
 */
export const SIZE_LIMITS = {
  /** Channels, units, style lengths, depth multipliers. */
  width: 65536,
  /** Kernel sizes, strides, dilations, FIR taps. */
  kernel: 255,
  /** Pads, spatial sizes, indices. */
  extent: 4096,
} as const;

/** Range and default of {@link option}`.int`. */
export interface IntOption {
  min?: number;
  max?: number;
  /**
   * A sanity bound (see {@link SIZE_LIMITS}): values above it are refused as `an integer in
   * [min, limit]`, while values below `min` keep the plainer `an integer >= min`.
   */
  limit?: number;
  /** Only odd values (kernels padded `k // 2` on each side). */
  odd?: boolean;
  /** How errors word what is expected (default: from the range). */
  expected?: string;
  default?: Default<number>;
}

/** Range and default of {@link option}`.number`: always finite (NaN and ±Infinity are refused). */
export interface NumberOption extends FiniteRange {
  default?: Default<number>;
}

/** Constraints and default of {@link option}`.intList`. */
export interface IntListOption extends IntListRange {
  default?: Default<number[]>;
}

/** Default and seed offset of {@link option}`.initializer`. */
export interface InitializerOption {
  /** A name (`'glorotUniform'`) or a {@link SeededInitializer} (the library's own defaults, such as N(0, 1)). */
  default: string | SeededInitializer;
  /** When the default depends on other options (e.g. the style affine map's kind). */
  defaultFrom?: (resolved: ResolvedOptions) => string | SeededInitializer;
  /**
   * Names and the default draw from `seed + seedOffset` (distinct offsets keep a layer's weights
   * from being drawn from one stream). Default 0.
   */
  seedOffset?: number;
  /** The option applies only when this holds (see {@link Option.appliesWhen}). */
  appliesWhen?: Option<Initializer>['appliesWhen'];
}

function seedOf(resolved: ResolvedOptions, offset: number): number | undefined {
  const seed = resolved['seed'];
  return typeof seed === 'number' ? seed + offset : undefined;
}

/** An option whose resolved value is the given value itself (numbers, strings, booleans). */
function plain<T extends ConfigValue | undefined>(
  expected: string,
  check: (argument: string, value: unknown) => T,
  value: Default<T> | undefined,
  optional = false,
): Option<T> {
  const fallback = optional ? () => undefined as T : fallbackOf(value);
  return {
    expected,
    parse: (argument, given) => check(argument, given),
    ...(fallback != null && { fallback }),
    write: (v) => v,
  };
}

function int(spec: IntOption & { optional: true }): Option<number | undefined>;
function int(spec?: IntOption): Option<number>;
function int(spec: IntOption & { optional?: boolean } = {}): Option<number | undefined> {
  const { min = -Infinity, max = Infinity, odd = false } = spec;
  const expected = spec.expected ?? (odd ? `an odd ${intRangeText(min, max).slice(3)}` : intRangeText(min, max));
  return plain<number | undefined>(
    expected,
    (argument, value) => {
      assertInt(argument, value, min, max);
      if (spec.limit != null && value > spec.limit)
        throw new ConfigError(argument, value, intRangeText(min, spec.limit));
      if (odd && value % 2 !== 1) throw new ConfigError(argument, value, expected);
      return value;
    },
    spec.default,
    spec.optional === true,
  );
}

function number(spec: NumberOption & { optional: true }): Option<number | undefined>;
function number(spec?: NumberOption): Option<number>;
function number(spec: NumberOption & { optional?: boolean } = {}): Option<number | undefined> {
  return plain<number | undefined>(
    finiteRangeText(spec),
    (argument, value) => {
      assertFinite(argument, value, spec);
      return value;
    },
    spec.default,
    spec.optional === true,
  );
}

/** {@link intPair} with an upper sanity bound. */
export function limitedPair(argument: string, value: unknown, min: number, limit = Infinity): [number, number] {
  const pair = intPair(argument, value, min);
  if (pair.some((v) => v > limit))
    throw new ConfigError(argument, value, `an integer in [${min}, ${limit}] or a pair [h, w] of them`);
  return pair;
}

/**
 * The builders of the option kinds every layer of this library declares its options with
 * (see {@link OptionSchema}). Each checks type and range, names the option in its errors and
 * writes its config entry as tfjs-layers writes its own (pairs and lists as arrays,
 * initializers as `{ className, config }`).
 *
 * @example
 * ```ts
 * const filters = option.int({ min: 1 }); // required: no default
 * filters.parse('conv.filters', 8, {}); // 8 (0 or 2.5 would throw a ConfigError naming conv.filters)
 * const norm = option.oneOf(['instance', 'none'] as const, 'instance');
 * const kernel = option.initializer({ default: 'glorotUniform', seedOffset: 1 });
 * ```
 */
export const option = {
  /** An integer in `[min, max]` (odd only, with `odd`); `optional: true` allows leaving it unset (`undefined`, not written). */
  int,
  /** A finite number in a range (`positive`, `min`, `max`); `optional: true` as for `int`. */
  number,

  /** Strictly `true` or `false`: a truthy string such as `'no'` is refused. */
  bool(value: Default<boolean>): Option<boolean> {
    return plain<boolean>(
      'true or false',
      (argument, given) => {
        assertBoolean(argument, given);
        return given;
      },
      value,
    );
  },

  /** One of `allowed`. */
  oneOf<T extends string | number>(allowed: readonly T[], value?: Default<T>): Option<T> {
    return plain<T>(
      `one of ${allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ')}`,
      (argument, given) => {
        assertOneOf(argument, given, allowed);
        return given;
      },
      value,
    );
  },

  /** An array of integers (range, length, strictly increasing), written as a copy. */
  intList(spec: IntListOption = {}): Option<number[]> {
    const fallback = fallbackOf(spec.default);
    return {
      expected: intListText(spec),
      parse(argument, value) {
        assertIntList(argument, value, spec);
        return [...value];
      },
      ...(fallback != null && { fallback }),
      write: (v) => [...v],
    };
  },

  /** An array of finite numbers with at least `minLength` entries, written as a copy. */
  numberList(spec: { minLength?: number; default?: Default<number[]> } = {}): Option<number[]> {
    const minLength = spec.minLength ?? 0;
    const expected = `an array of at least ${minLength} finite numbers`;
    const fallback = fallbackOf(spec.default);
    return {
      expected,
      parse(argument, value) {
        if (
          !Array.isArray(value) ||
          value.length < minLength ||
          !value.every((v) => typeof v === 'number' && Number.isFinite(v))
        )
          throw new ConfigError(argument, value, expected);
        return [...(value as number[])];
      },
      ...(fallback != null && { fallback }),
      write: (v) => [...v],
    };
  },

  /** An integer `>= min` or a pair `[h, w]` of them, resolved and written as the pair. */
  intPair(spec: {
    min: number;
    limit?: number;
    default?: Default<number | [number, number]>;
  }): Option<[number, number]> {
    const fallback = fallbackOf(spec.default);
    return {
      expected: `an integer >= ${spec.min} or a pair [h, w] of them`,
      parse: (argument, value) => limitedPair(argument, value, spec.min, spec.limit),
      ...(fallback != null && {
        fallback: (resolved: ResolvedOptions) => intPair('default', fallback(resolved), spec.min),
      }),
      write: (v) => [...v],
    };
  },

  /**
   * A weight initializer ({@link InitializerSpec}): names and the default draw from the layer's
   * `seed` plus `seedOffset`; objects keep their own seed. Written as `{ className, config }`.
   */
  initializer(spec: InitializerOption): Option<Initializer> {
    const offset = spec.seedOffset ?? 0;
    return {
      expected: 'an initializer name, a tf.initializers object or { className, config }',
      parse: (argument, value, resolved) =>
        resolveInitializer(argument, value as InitializerSpec, spec.default, seedOf(resolved, offset)),
      fallback: (resolved) =>
        resolveInitializer(
          'default',
          undefined,
          spec.defaultFrom?.(resolved) ?? spec.default,
          seedOf(resolved, offset),
        ),
      write: (init) => serializeInitializer(init),
      ...(spec.appliesWhen != null && { appliesWhen: spec.appliesWhen }),
    };
  },

  /**
   * The seed of the initializers given by name (and of whatever else the layer draws): an
   * integer that stays exact after the offsets are added (|seed| < 2⁵³). Unset by default (draws
   * are then not reproducible); written only when set.
   */
  seed(): Option<number | undefined> {
    const limit = Number.MAX_SAFE_INTEGER - 1024;
    const expected = `an integer with |seed| <= ${limit}`;
    return {
      expected,
      early: true,
      parse(argument, value) {
        if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > limit)
          throw new ConfigError(argument, value, expected);
        return value;
      },
      fallback: () => undefined,
      write: (v) => v,
    };
  },

  /**
   * An option whose only value is `value` (a subclass fixes what its base makes an option): it
   * may be given as exactly that value; `write` says whether the config carries it.
   */
  fixed<T extends ConfigValue | undefined>(value: T, spec: { write?: boolean; why?: string } = {}): Option<T> {
    const expected = `${describeValue(value)} (${spec.why ?? 'this layer fixes it'})`;
    return {
      expected,
      parse(argument, given) {
        if (JSON.stringify(given) !== JSON.stringify(value)) throw new ConfigError(argument, given, expected);
        return value;
      },
      fallback: () => value,
      write: (v) => (spec.write === true ? v : undefined),
    };
  },

  /**
   * Any other kind: `parse` checks and resolves a given value (throwing a `ConfigError` naming
   * the argument), `write` makes its config entry.
   */
  custom<T>(spec: {
    expected: string;
    parse: (argument: string, value: unknown, resolved: ResolvedOptions) => T;
    write: (value: T) => ConfigValue | undefined;
    default?: Default<T>;
  }): Option<T> {
    const fallback = fallbackOf(spec.default);
    return {
      expected: spec.expected,
      parse: spec.parse,
      ...(fallback != null && { fallback }),
      write: spec.write,
    };
  },
};
