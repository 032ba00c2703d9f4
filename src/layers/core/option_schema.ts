import type * as tf from '@tensorflow/tfjs-core';
import { assertBoolean, assertKnownKeys, ConfigError } from '../../util/index.js';
import { LAYER_ARG_KEYS } from './layer_args.js';
import type { Option, ResolvedOptions } from './option.js';

export { option } from './option.js';

/** The options of a schema with values `V`, one {@link Option} per key. */
export type OptionsOf<V> = { readonly [K in keyof V]: Option<V[K]> };

/** The resolved values of a schema (what `parse` returns). */
export type OptionValues<S> = S extends OptionSchema<infer V> ? V : never;

/** A check across options, after each was resolved; `argument(key)` names an option in errors (`'conv.padding'`). */
export type OptionCheck<V> = (values: Readonly<V>, argument: (key: keyof V & string) => string) => void;

/** A check as a schema keeps it (untyped, so that a subclass's schema is a base's). */
type AnyCheck = (values: ResolvedOptions, argument: (key: string) => string) => void;

/** `Omit<V, keyof W> & W` as one object type (readable in editors and errors). */
export type Extended<V, W> = {
  [K in keyof Omit<V, keyof W> | keyof W]: K extends keyof W ? W[K] : K extends keyof V ? V[K] : never;
};

/**
 * Keys tfjs adds to a config it deserializes (besides the layer's own): `fromConfig` receives
 * them along with what `getConfig` wrote.
 */
const DESERIALIZATION_KEYS = ['customObjects'];

/**
 * The one declarative description of a layer's options: per option a kind (range, type), a
 * default, and how it is written into the layer's config (see {@link option}). Every layer of
 * this library parses its config with its class's schema (`static readonly options`) and writes
 * `getConfig` from it, so checking, defaults, initializers and serialization work the same way
 * everywhere. A subclass's schema {@link extend}s its base's, as its config interface extends
 * the base's args.
 *
 * `parse` checks every option given (type and range; `undefined` or `null` = the default),
 * refuses keys that are neither options nor tfjs `LayerArgs` (`name`, `trainable`,
 * `inputShape`, ...) with a "did you mean" hint, and returns the resolved values, initializers
 * included (names drawn from `seed` plus the option's offset).
 *
 * @example
 * ```ts
 * const schema = optionSchema({ units: option.int({ min: 1 }), useBias: option.bool(true), seed: option.seed() });
 * const values = schema.parse('fc', { units: 8 }); // { units: 8, useBias: true, seed: undefined }
 * const config = schema.config(values);           // { units: 8, useBias: true }
 * ```
 */
export class OptionSchema<V extends object> {
  private constructor(
    private readonly options: OptionsOf<V>,
    private readonly checks: readonly AnyCheck[],
  ) {}

  /**
   * A schema of the given options (in this order: defaults and checks may read the options
   * before them; the seed is always resolved first).
   */
  static of<V extends object>(options: OptionsOf<V>): OptionSchema<V> {
    return new OptionSchema(options, []);
  }

  /** The option names, in order. */
  get keys(): string[] {
    return Object.keys(this.options);
  }

  /** The option called `key`. */
  option<K extends keyof V>(key: K): Option<V[K]> {
    return this.options[key];
  }

  /**
   * This schema plus `options` (another schema's, whose checks come along, or a record of them);
   * an option of the same name replaces this schema's.
   */
  extend<W extends object>(options: OptionSchema<W> | OptionsOf<W>): OptionSchema<Extended<V, W>> {
    type U = Extended<V, W>;
    const [added, checks] = options instanceof OptionSchema ? [options.options, options.checks] : [options, []];
    return new OptionSchema<U>({ ...this.options, ...added } as unknown as OptionsOf<U>, [...this.checks, ...checks]);
  }

  /** The same options with other defaults (a subclass's choices, e.g. MobileStyleGAN's affine map). */
  withDefaults(values: Partial<V>): OptionSchema<V> {
    const options = { ...this.options } as Record<keyof V, Option<unknown>>;
    for (const key of Object.keys(values) as (keyof V)[]) {
      const base = this.options[key];
      if (base == null) throw new ConfigError('withDefaults', key, `one of ${this.keys.join(', ')}`);
      const value = values[key];
      options[key] = { ...base, fallback: () => value };
    }
    return new OptionSchema(options as OptionsOf<V>, this.checks);
  }

  /**
   * The same options with these replaced: `fixed` keys (see `option.fixed`) and `internal` keys,
   * whose default is used but which a config may not give and `getConfig` does not write.
   */
  restrict(spec: { fixed?: { [K in keyof V]?: Option<V[K]> }; internal?: readonly (keyof V)[] }): OptionSchema<V> {
    const options = { ...this.options, ...spec.fixed } as Record<keyof V, Option<unknown>>;
    for (const key of spec.internal ?? []) {
      const base = this.options[key];
      options[key] = {
        ...base,
        expected: 'nothing (fixed by the layer)',
        parse: (argument, value) => {
          throw new ConfigError(argument, value, 'nothing: the layer fixes this option');
        },
        write: () => undefined,
      };
    }
    return new OptionSchema(options as OptionsOf<V>, this.checks);
  }

  /** This schema with a check across options, run after every option was resolved. */
  check(fn: OptionCheck<V>): OptionSchema<V> {
    return new OptionSchema(this.options, [...this.checks, fn as unknown as AnyCheck]);
  }

  /**
   * Checks `config` for the layer called `layerName` and resolves every option. Throws a
   * `ConfigError` naming `layerName.option`, the value and what was expected: a value of the
   * wrong type or out of range, a required option left out, an option that does not apply, a
   * key that is not an option.
   */
  parse(layerName: string, config: unknown): V {
    const given = config === undefined ? {} : config;
    if (typeof given !== 'object' || given == null || Array.isArray(given))
      throw new ConfigError(`${layerName} config`, config, `a config object with ${this.describeKeys()}`);
    const record = given as Record<string, unknown>;
    assertKnownKeys(
      layerName,
      record,
      [...this.keys, ...LAYER_ARG_KEYS, ...DESERIALIZATION_KEYS],
      `an option of this layer (${this.keys.join(', ')}) or a tf.layers LayerArgs field`,
    );
    if (record['name'] != null && typeof record['name'] !== 'string')
      throw new ConfigError(`${layerName}.name`, record['name'], 'a string');
    if (record['trainable'] != null) assertBoolean(`${layerName}.trainable`, record['trainable']);
    const resolved: Record<string, unknown> = {};
    const entries = Object.entries<Option<unknown>>(this.options);
    const ordered = [...entries.filter(([, o]) => o.early === true), ...entries.filter(([, o]) => o.early !== true)];
    for (const [key, option] of ordered) {
      const argument = `${layerName}.${key}`;
      const value = record[key];
      if (value == null) {
        if (option.fallback == null) throw new ConfigError(argument, value, `${option.expected} (required)`);
        resolved[key] = option.fallback(resolved);
        continue;
      }
      if (option.appliesWhen != null && !option.appliesWhen.test(resolved))
        throw new ConfigError(argument, value, `nothing: it applies only ${option.appliesWhen.description}`);
      resolved[key] = option.parse(argument, value, resolved);
    }
    for (const check of this.checks) check(resolved, (key) => `${layerName}.${key}`);
    return resolved as V;
  }

  /** The config entries of resolved `values`, as `getConfig` writes them (after the base `LayerArgs`). */
  config(values: Readonly<V>): tf.serialization.ConfigDict {
    const out: tf.serialization.ConfigDict = {};
    const resolved = values as ResolvedOptions;
    for (const [key, option] of Object.entries<Option<unknown>>(this.options)) {
      if (option.appliesWhen != null && !option.appliesWhen.test(resolved)) continue;
      const entry = option.write(resolved[key]);
      if (entry !== undefined) out[key] = entry;
    }
    return out;
  }

  private describeKeys(): string {
    const entries = Object.entries<Option<unknown>>(this.options);
    const required = entries.filter(([, o]) => o.fallback == null).map(([k]) => k);
    const optional = entries.filter(([, o]) => o.fallback != null).map(([k]) => k);
    const parts = [
      ...(required.length > 0 ? [`required ${required.join(', ')}`] : []),
      ...(optional.length > 0 ? [`optional ${optional.join(', ')}`] : []),
    ];
    return parts.length > 0 ? parts.join('; ') : 'no options';
  }
}

/**
 * A schema of `options` (see {@link OptionSchema}).
 *
 * @example
 * ```ts
 * const schema = optionSchema({ epsilon: option.number({ positive: true, default: 1e-5 }) });
 * ```
 */
export function optionSchema<V extends object>(options: OptionsOf<V>): OptionSchema<V> {
  return OptionSchema.of(options);
}
