import type { Random } from '../util/index.js';
import { ConfigError } from '../util/index.js';
import { SeededSampler } from './seeded_sampler.js';
import type { SearchSpace } from './search_space.js';

/** Options of {@link UniformSampler}. */
export interface UniformSamplerOptions {
  /** Seed of the draws (an integer). Default 0. */
  seed?: number;
}

/**
 * GAN Compression's and OFA's supernet sampling: every dimension drawn independently and
 * uniformly from its choices, once per training step. The draw for a step depends on the seed
 * and the step only.
 *
 * @example
 * ```ts
 * const sampler = new UniformSampler(SearchSpace.fromModel(supernet), { seed: 1 });
 * for (let step = 0; step < 100; step++) setSubnet(supernet, sampler.next(step));
 * ```
 */
export class UniformSampler extends SeededSampler {
  constructor(space: SearchSpace, options: UniformSamplerOptions = {}) {
    if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ seed? }');
    super('UniformSampler', space, options.seed ?? 0);
  }

  protected params(): Record<string, unknown> {
    return {};
  }

  protected pick(_step: number, rng: Random): number[] {
    return this.space.sampleIndices(rng);
  }
}
