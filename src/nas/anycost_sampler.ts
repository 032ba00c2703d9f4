import type { Random } from '../util/index.js';
import { ConfigError, assertOneOf } from '../util/index.js';
import { nearest } from './model_space.js';
import { SeededSampler } from './seeded_sampler.js';
import type { SearchSpace } from './search_space.js';

const isNumberList = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number');

/** How {@link AnycostSampler} draws channel ratios. */
export type AnycostMode = 'uniform' | 'flexible' | 'sandwich';

/** Options of {@link AnycostSampler}. */
export interface AnycostSamplerOptions {
  /**
   * `'uniform'`: one ratio for the whole network; `'flexible'`: a ratio per dimension; `'sandwich'`:
   * every dimension at the largest ratio with probability 1/4, at the smallest with 1/4, else flexible (Anycost GAN's
   * `sample_random_sub_channel`). Default `'flexible'`.
   */
  mode?: AnycostMode;
  /** Channel ratios. Default Anycost GAN's `[0.25, 0.5, 0.75, 1]`. */
  ratios?: readonly number[];
  /** Seed (an integer). Default 0. */
  seed?: number;
}

/**
 * Anycost GAN's adaptive-channel sampling: a ratio `r` of each dimension's largest value, the
 * choice nearest to `r · max` (exact for a space built with `{ choices: { ratios } }`), drawn for
 * the whole network at once (`'uniform'`) or per dimension (`'flexible'`).
 *
 * @example
 * ```ts
 * const space = SearchSpace.fromModel(supernet, { choices: { ratios: [0.25, 0.5, 0.75, 1] } });
 * const sampler = new AnycostSampler(space, { mode: 'uniform', seed: 3 });
 * for (let step = 0; step < 100; step++) setSubnet(supernet, sampler.next(step)); // every width at one ratio
 * ```
 */
export class AnycostSampler extends SeededSampler {
  private readonly mode: AnycostMode;
  private readonly ratios: number[];
  /** Per dimension, the choice index of each ratio. */
  private readonly table: number[][];

  constructor(space: SearchSpace, options: AnycostSamplerOptions = {}) {
    if (options == null || typeof options !== 'object')
      throw new ConfigError('options', options, '{ mode?, ratios?, seed? }');
    super('AnycostSampler', space, options.seed ?? 0);
    const mode = options.mode ?? 'flexible';
    assertOneOf('options.mode', mode, ['uniform', 'flexible', 'sandwich'] as const);
    const ratios: unknown = options.ratios ?? [0.25, 0.5, 0.75, 1];
    if (!isNumberList(ratios) || ratios.length === 0 || !ratios.every((r) => r > 0 && r <= 1))
      throw new ConfigError('options.ratios', ratios, 'a non-empty array of numbers in (0, 1]');
    this.mode = mode;
    this.ratios = [...ratios];
    this.table = space.dimensions.map((d) => {
      const max = d.choices[d.choices.length - 1] as number;
      return this.ratios.map((r) => d.choices.indexOf(nearest(d.choices, r * max)));
    });
  }

  protected params(): Record<string, unknown> {
    return { mode: this.mode, ratios: this.ratios };
  }

  protected pick(_step: number, rng: Random): number[] {
    const k = this.ratios.length;
    if (this.mode === 'uniform') {
      const r = rng.int(k);
      return this.table.map((row) => row[r] as number);
    }
    if (this.mode === 'sandwich') {
      const u = rng.next();
      const at = (ratio: number): number[] => this.table.map((row) => row[this.ratios.indexOf(ratio)] as number);
      if (u < 0.25) return at(Math.max(...this.ratios));
      if (u < 0.5) return at(Math.min(...this.ratios));
    }
    return this.table.map((row) => row[rng.int(k)] as number);
  }
}
