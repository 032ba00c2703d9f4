import type * as tfl from '@tensorflow/tfjs-layers';
import { checkSubnet, type SubnetConfig } from '../graph/index.js';
import { ConfigError, GanCompressError, Random, describeValue } from '../util/index.js';
import { configStringParts, type FromConfigStringsOptions } from './config_string_space.js';
import { modelSpaceParts, type FromModelOptions } from './model_space.js';
import {
  checkDimension,
  checkFixed,
  listOf,
  settingName,
  type SearchDimension,
  type SettingField,
} from './search_dimension.js';

/** The JSON form of a {@link SearchSpace} (`space.toJSON()`, `SearchSpace.fromJSON(json)`). */
export interface SearchSpaceJSON {
  format: 'gancompress.search-space';
  version: 1;
  dimensions: SearchDimension[];
  fixed: SubnetConfig;
}

/**
 * A finite space of sub-networks: named dimensions, each a list of values that sets one or more
 * layer fields, plus settings that stay fixed. A point of the space is an array of choice indices,
 * one per dimension (index 0 = the smallest value); `decode` turns it into a complete sub-network
 * config for `setSubnet`/`withSubnet`, `encode` back. Samplers, searches and cost models all work
 * on a space.
 *
 * Build one from a supernet's channel graph with {@link SearchSpace.fromModel} (tied layers such as
 * a residual stream become one dimension), from GAN Compression's candidate lists with
 * {@link SearchSpace.fromConfigStrings}, or from dimensions directly.
 *
 * @example
 * ```ts
 * const space = SearchSpace.fromModel(supernet, { choices: { multipleOf: 8 } });
 * space.size;                          // number of sub-networks
 * const config = space.sample(new Random(0));
 * space.encode(config);                // [2, 0, 5, ...], one choice index per dimension
 * const again = SearchSpace.fromJSON(JSON.parse(JSON.stringify(space)));
 * ```
 */
export class SearchSpace {
  /** The dimensions, in a fixed order (a point lists one choice index per dimension, in this order). */
  readonly dimensions: readonly SearchDimension[];
  /** Settings every decoded config carries unchanged (elastic layers the space does not search). */
  readonly fixed: Readonly<SubnetConfig>;
  private readonly owner = new Map<string, { dim: number; scale: number }>();

  /**
   * Checks the dimensions (unique names, distinct positive integer choices, each layer field set
   * by one dimension at most and not also fixed) and stores them with their choices ascending.
   *
   * @example
   * ```ts
   * const space = new SearchSpace(
   *   [{ name: 'stem', choices: [4, 8], targets: [{ layer: 'stem', field: 'outChannels', scale: 1 }] }],
   *   { head: { outChannels: 3 } },
   * );
   * ```
   */
  constructor(dimensions: readonly SearchDimension[], fixed: SubnetConfig = {}) {
    if (!Array.isArray(dimensions))
      throw new ConfigError('dimensions', dimensions, 'an array of { name, choices, targets }');
    const dims = dimensions.map((d, i) => checkDimension(d, `dimensions[${i}]`));
    const names = new Set<string>();
    dims.forEach((d, i) => {
      if (names.has(d.name)) throw new ConfigError(`dimensions[${i}].name`, d.name, 'a name no other dimension has');
      names.add(d.name);
      for (const t of d.targets) {
        const key = settingName(t.layer, t.field);
        const other = this.owner.get(key);
        if (other !== undefined)
          throw new ConfigError(
            `dimensions[${i}].targets`,
            key,
            `settings no other dimension sets ('${key}' is set by dimension '${dims[other.dim]?.name}')`,
          );
        this.owner.set(key, { dim: i, scale: t.scale });
      }
    });
    const fixedCopy = checkFixed(fixed, 'fixed');
    for (const [layer, setting] of Object.entries(fixedCopy))
      for (const field of Object.keys(setting))
        if (this.owner.has(settingName(layer, field)))
          throw new ConfigError(
            `fixed.${layer}.${field}`,
            setting[field as SettingField],
            `nothing: dimension '${dims[this.owner.get(settingName(layer, field))?.dim ?? 0]?.name}' sets it`,
          );
    this.dimensions = dims;
    this.fixed = fixedCopy;
  }

  /**
   * The space of a supernet's sub-networks, from its channel graph: one width dimension per set
   * of tied elastic layers whose width is free (not a model output, not read at one width by a
   * static layer), one kernel dimension per kernel-elastic layer; everything else is fixed at its
   * maximum. See {@link FromModelOptions} for the width choices (default multiples of 8 up to each
   * dimension's maximum, and the maximum itself).
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(SuperMobileResnetGenerator({ ngf: 16 }), { choices: { ratios: [0.25, 0.5, 0.75, 1] } });
   * space.dimensions.map((d) => d.name); // ['stem_conv', 'down1_conv', 'down2_conv', 'block1_conv1', ...]
   * ```
   */
  static fromModel(model: tfl.LayersModel, options: FromModelOptions = {}): SearchSpace {
    const { dimensions, fixed } = modelSpaceParts(model, options);
    return new SearchSpace(dimensions, fixed);
  }

  /**
   * The space of GAN Compression's channel-config strings (`'16_16_32_16_32_32_16_16'`) for a
   * reference generator: `lists` gives the candidate values of each position (e.g. channels-32:
   * `[32, 24, 16]` eight times), `decodeString` the model's string codec (such as
   * `resnetConfigFromString`). Dimensions are named `c0`, `c1`, …; which layers each position sets,
   * and by what factor, is read off the codec (every position must set its layers linearly and
   * alone). `toConfigString` and `fromConfigString` convert points to strings and back.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromConfigStrings(Array(8).fill([32, 24, 16]), resnetConfigFromString);
   * space.size; // 6561
   * space.toConfigString(space.smallest()); // '16_16_16_16_16_16_16_16'
   * ```
   */
  static fromConfigStrings(
    lists: readonly (readonly number[])[],
    decodeString: (configString: string) => SubnetConfig,
    options: FromConfigStringsOptions = {},
  ): SearchSpace {
    const { dimensions, fixed } = configStringParts(lists, decodeString, options);
    const space = new SearchSpace(dimensions, fixed);
    if (options.model != null) space.check(options.model);
    return space;
  }

  /**
   * Restores a space from {@link SearchSpace.toJSON}'s output, checking it as the constructor does.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromJSON(JSON.parse(localStorage.getItem('space') ?? '{}'));
   * ```
   */
  static fromJSON(json: unknown): SearchSpace {
    if (json == null || typeof json !== 'object')
      throw new ConfigError('json', json, "a search space's JSON ({ format: 'gancompress.search-space', ... })");
    const { format, version, dimensions, fixed } = json as Record<string, unknown>;
    if (format !== 'gancompress.search-space')
      throw new ConfigError('json.format', format, "'gancompress.search-space'");
    if (version !== 1) throw new ConfigError('json.version', version, '1');
    if (!Array.isArray(dimensions)) throw new ConfigError('json.dimensions', dimensions, 'an array of dimensions');
    return new SearchSpace(dimensions as SearchDimension[], (fixed ?? {}) as SubnetConfig);
  }

  /**
   * Plain JSON (`JSON.stringify(space)` works).
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(supernet);
   * localStorage.setItem('space', JSON.stringify(space.toJSON()));
   * ```
   */
  toJSON(): SearchSpaceJSON {
    return {
      format: 'gancompress.search-space',
      version: 1,
      dimensions: this.dimensions.map((d) => ({
        name: d.name,
        choices: [...d.choices],
        targets: d.targets.map((t) => ({ ...t })),
      })),
      fixed: JSON.parse(JSON.stringify(this.fixed)) as SubnetConfig,
    };
  }

  /**
   * Number of sub-networks (the product of the dimensions' choice counts; inexact above 2^53).
   *
   * @example
   * ```ts
   * SearchSpace.fromConfigStrings(Array(8).fill([32, 24, 16]), resnetConfigFromString).size; // 6561
   * ```
   */
  get size(): number {
    return this.dimensions.reduce((n, d) => n * d.choices.length, 1);
  }

  /**
   * The largest point: every dimension at its largest value.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(supernet);
   * setSubnet(supernet, space.decode(space.largest()));
   * ```
   */
  largest(): number[] {
    return this.dimensions.map((d) => d.choices.length - 1);
  }

  /**
   * The smallest point: every dimension at its smallest value.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(supernet);
   * setSubnet(supernet, space.decode(space.smallest()));
   * ```
   */
  smallest(): number[] {
    return this.dimensions.map(() => 0);
  }

  /**
   * The complete sub-network config of a point (`indices[i]` picks `dimensions[i].choices[indices[i]]`),
   * fixed settings included. Throws a `ConfigError` naming `indices[i]` and its dimension for an
   * index out of range.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(supernet);
   * setSubnet(supernet, space.decode(space.smallest()));
   * ```
   */
  decode(indices: readonly number[]): SubnetConfig {
    this.checkIndices(indices, 'indices');
    const config: SubnetConfig = {};
    for (const [layer, setting] of Object.entries(this.fixed)) config[layer] = { ...setting };
    this.dimensions.forEach((d, i) => {
      const value = d.choices[indices[i] as number] as number;
      for (const t of d.targets) (config[t.layer] ??= {})[t.field] = value * t.scale;
    });
    return config;
  }

  /**
   * The point of a config (the inverse of {@link SearchSpace.decode}). Throws a `ConfigError`
   * naming the setting (`config.<layer>.<field>`) when the config is outside the space: a layer or
   * field the space does not set, a value that is not one of its dimension's choices, tied settings
   * that disagree, a fixed setting changed. Fixed settings may be left out.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(supernet);
   * const point = space.encode(getSubnet(supernet));
   * ```
   */
  encode(config: SubnetConfig): number[] {
    if (config == null || typeof config !== 'object' || Array.isArray(config))
      throw new ConfigError('config', config, 'a sub-network config { [layerName]: { outChannels?, kernelSize? } }');
    const indices: (number | null)[] = this.dimensions.map(() => null);
    const setBy: string[] = this.dimensions.map(() => '');
    for (const [layer, setting] of Object.entries(config)) {
      if (setting == null || typeof setting !== 'object')
        throw new ConfigError(`config.${layer}`, setting, '{ outChannels?, kernelSize? }');
      for (const [field, value] of Object.entries(setting as Record<string, unknown>)) {
        const name = settingName(layer, field);
        const owner = this.owner.get(name);
        if (owner === undefined) {
          const fixed = this.fixed[layer]?.[field as SettingField];
          if (fixed === undefined)
            throw new ConfigError(`config.${name}`, value, 'nothing: this search space does not set it');
          if (value !== fixed) throw new ConfigError(`config.${name}`, value, `${fixed} (fixed in this search space)`);
          continue;
        }
        const dim = this.dimensions[owner.dim] as SearchDimension;
        const index =
          typeof value === 'number' && value % owner.scale === 0 ? dim.choices.indexOf(value / owner.scale) : -1;
        if (index < 0)
          throw new ConfigError(
            `config.${name}`,
            value,
            `one of ${listOf(dim.choices.map((c) => c * owner.scale))} (dimension '${dim.name}')`,
          );
        const previous = indices[owner.dim];
        if (previous != null && previous !== index)
          throw new ConfigError(
            `config.${name}`,
            value,
            `${(dim.choices[previous] as number) * owner.scale}, matching ${setBy[owner.dim]} (both are dimension '${dim.name}')`,
          );
        indices[owner.dim] = index;
        setBy[owner.dim] = `config.${name}`;
      }
    }
    return indices.map((index, i) => {
      if (index != null) return index;
      const dim = this.dimensions[i] as SearchDimension;
      // A dimension with one choice is implied.
      if (dim.choices.length === 1) return 0;
      const t = dim.targets[0];
      throw new ConfigError(
        t == null ? `config (dimension '${dim.name}')` : `config.${settingName(t.layer, t.field)}`,
        undefined,
        `a value: dimension '${dim.name}' sets it (${listOf(dim.choices)})`,
      );
    });
  }

  /**
   * Whether `config` is a point of this space (see {@link SearchSpace.encode}).
   *
   * @example
   * ```ts
   * SearchSpace.fromModel(supernet).contains(getSubnet(supernet)); // true for a supernet at a point of the space
   * ```
   */
  contains(config: SubnetConfig): boolean {
    try {
      this.encode(config);
      return true;
    } catch (e) {
      if (e instanceof GanCompressError) return false;
      throw e;
    }
  }

  /**
   * Each dimension's value at a point, by dimension name.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(SuperMobileResnetGenerator({ ngf: 64 }));
   * space.values(space.largest()); // { stem_conv: 64, down1_conv: 128, ... }
   * ```
   */
  values(indices: readonly number[]): Record<string, number> {
    this.checkIndices(indices, 'indices');
    const out: Record<string, number> = {};
    this.dimensions.forEach((d, i) => (out[d.name] = d.choices[indices[i] as number] as number));
    return out;
  }

  /**
   * The point with the given value of every dimension (by name). Throws a `ConfigError` naming
   * `values.<name>` for a missing or unknown dimension or a value that is not a choice.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(SuperMobileResnetGenerator({ ngf: 64 }));
   * space.fromValues({ ...space.values(space.largest()), stem_conv: 16 });
   * ```
   */
  fromValues(values: Record<string, number>): number[] {
    if (values == null || typeof values !== 'object')
      throw new ConfigError('values', values, 'an object { [dimensionName]: value }');
    for (const name of Object.keys(values))
      if (!this.dimensions.some((d) => d.name === name))
        throw new ConfigError(`values.${name}`, values[name], `a dimension of the space (${listOf(this.names)})`);
    return this.dimensions.map((d) => {
      const v = values[d.name];
      const index = typeof v === 'number' ? d.choices.indexOf(v) : -1;
      if (index < 0) throw new ConfigError(`values.${d.name}`, v, `one of ${listOf(d.choices)}`);
      return index;
    });
  }

  /**
   * The dimension names, in order.
   *
   * @example
   * ```ts
   * SearchSpace.fromConfigStrings(Array(8).fill([16, 8]), resnetConfigFromString).names; // ['c0', 'c1', ..., 'c7']
   * ```
   */
  get names(): string[] {
    return this.dimensions.map((d) => d.name);
  }

  /**
   * The values of a point (or of a config in the space) joined by `_` — GAN Compression's config
   * string for a space built by {@link SearchSpace.fromConfigStrings}.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromConfigStrings(Array(8).fill([32, 24, 16]), resnetConfigFromString);
   * space.toConfigString(space.smallest()); // '16_16_16_16_16_16_16_16'
   * ```
   */
  toConfigString(point: readonly number[] | SubnetConfig): string {
    const indices = Array.isArray(point) ? (point as readonly number[]) : this.encode(point as SubnetConfig);
    return Object.values(this.values(indices)).join('_');
  }

  /**
   * The point of a config string (one value per dimension joined by `_`). Throws a `ConfigError`
   * naming `configString` when it has the wrong length or a value that is not a choice.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromConfigStrings(Array(8).fill([32, 24, 16]), resnetConfigFromString);
   * setSubnet(supernet, space.decode(space.fromConfigString('16_16_32_16_32_32_16_16')));
   * ```
   */
  fromConfigString(configString: string): number[] {
    const n = this.dimensions.length;
    if (typeof configString !== 'string' || !/^\d+(_\d+)*$/.test(configString) || configString.split('_').length !== n)
      throw new ConfigError('configString', configString, `${n} positive integers joined by '_'`);
    const parts = configString.split('_').map(Number);
    return this.dimensions.map((d, i) => {
      const index = d.choices.indexOf(parts[i] as number);
      if (index < 0)
        throw new ConfigError('configString', configString, `position ${i} (${d.name}) one of ${listOf(d.choices)}`);
      return index;
    });
  }

  /**
   * Every point, in mixed-radix order (the last dimension changes fastest). Lazy: a space too
   * large to list is only a problem if you iterate it to the end.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromConfigStrings(Array(8).fill([32, 24, 16]), resnetConfigFromString);
   * for (const point of space.enumerate()) console.log(space.toConfigString(point)); // 6561 strings
   * ```
   */
  *enumerate(): Generator<number[]> {
    const n = this.dimensions.length;
    const point = new Array<number>(n).fill(0);
    for (;;) {
      yield [...point];
      let i = n - 1;
      while (i >= 0 && (point[i] as number) + 1 === this.dimensions[i]?.choices.length) point[i--] = 0;
      if (i < 0) return;
      point[i] = (point[i] as number) + 1;
    }
  }

  /**
   * A point drawn uniformly (each dimension independently), from `rng`.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(supernet);
   * const point = space.sampleIndices(new Random(1));
   * ```
   */
  sampleIndices(rng: Random): number[] {
    if (!(rng instanceof Random)) throw new ConfigError('rng', rng, 'a Random (new Random(seed))');
    return this.dimensions.map((d) => rng.int(d.choices.length));
  }

  /**
   * A sub-network drawn uniformly (each dimension independently), as a config.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(supernet);
   * setSubnet(supernet, space.sample(new Random(1)));
   * ```
   */
  sample(rng: Random): SubnetConfig {
    return this.decode(this.sampleIndices(rng));
  }

  /**
   * A string that identifies a point (for caches).
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(supernet);
   * const scores = new Map<string, number>();
   * scores.set(space.key(space.largest()), 31.2);
   * ```
   */
  key(indices: readonly number[]): string {
    return indices.join(',');
  }

  /**
   * Checks that `model` accepts the space: its largest and smallest config, and every choice of
   * each dimension with the others at their largest, pass `checkSubnet`. Throws its `ConfigError`,
   * prefixed with the point that failed.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromConfigStrings(Array(8).fill([32, 24, 16]), resnetConfigFromString);
   * space.check(supernet); // throws if the supernet refuses one of its sub-networks
   * ```
   */
  check(model: tfl.LayersModel): void {
    const points = [this.largest(), this.smallest()];
    this.dimensions.forEach((d, i) => {
      for (let c = 0; c < d.choices.length; c++) {
        const p = this.largest();
        p[i] = c;
        points.push(p);
      }
    });
    for (const p of points) {
      try {
        checkSubnet(model, this.decode(p));
      } catch (e) {
        if (e instanceof GanCompressError) e.message = `space point ${describeValue(this.values(p))}: ${e.message}`;
        throw e;
      }
    }
  }

  /** Throws unless `indices` is a point of this space. */
  checkIndices(indices: readonly number[], argument: string): void {
    const n = this.dimensions.length;
    if (!Array.isArray(indices) || indices.length !== n)
      throw new ConfigError(argument, indices, `an array of ${n} choice indices (one per dimension)`);
    indices.forEach((v, i) => {
      const dim = this.dimensions[i] as SearchDimension;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= dim.choices.length)
        throw new ConfigError(
          `${argument}[${i}]`,
          v,
          `an integer in [0, ${dim.choices.length - 1}] (dimension '${dim.name}', choices ${listOf(dim.choices)})`,
        );
    });
  }
}
