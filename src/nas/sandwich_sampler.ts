import type { Random } from '../util/index.js';
import { ConfigError, assertInt } from '../util/index.js';
import { SeededSampler } from './seeded_sampler.js';
import type { SearchSpace } from './search_space.js';

/** Options of {@link SandwichSampler}. */
export interface SandwichSamplerOptions {
  /** Random sub-networks after the largest and the smallest in each round. Default 2. */
  n?: number;
  /** Seed of the random draws (an integer). Default 0. */
  seed?: number;
}

/**
 * The sandwich rule (slimmable and BigNAS training): the largest sub-network, then the smallest,
 * then `n` uniformly random ones, in turn — step `s` is the largest when `s mod (n + 2) = 0`, the
 * smallest when it is 1, random otherwise.
 *
 * @example
 * ```ts
 * const sampler = new SandwichSampler(SearchSpace.fromModel(supernet), { n: 2, seed: 7 });
 * sampler.next(0); // largest
 * sampler.next(1); // smallest
 * sampler.next(2); // random
 * ```
 */
export class SandwichSampler extends SeededSampler {
  private readonly n: number;

  constructor(space: SearchSpace, options: SandwichSamplerOptions = {}) {
    if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ n?, seed? }');
    super('SandwichSampler', space, options.seed ?? 0);
    const n = options.n ?? 2;
    assertInt('options.n', n, 0);
    this.n = n;
  }

  protected params(): Record<string, unknown> {
    return { n: this.n };
  }

  protected pick(step: number, rng: Random): number[] {
    const position = step % (this.n + 2);
    if (position === 0) return this.space.largest();
    if (position === 1) return this.space.smallest();
    return this.space.sampleIndices(rng);
  }
}
