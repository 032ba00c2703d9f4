import { SearchRun, intOption, seededRandom } from './search_run.js';
import type { SearchOptions, SearchResult } from './search_types.js';

/** Options of {@link randomSearch}. */
export interface RandomSearchOptions extends SearchOptions {
  /** Random sub-networks to draw (within budget). Required. */
  samples: number;
  /** Seed (an integer). Default 0. */
  seed?: number;
  /** Draws until one is within budget, before the draw is shrunk until it fits. Default 100. */
  maxTries?: number;
}

/**
 * Random search: `samples` sub-networks drawn uniformly within budget, each evaluated (a repeat
 * is not evaluated twice), the best kept — the baseline an evolutionary search should beat, and
 * the demo's former "best of a few random configs". Same contract as {@link evolutionSearch}.
 *
 * @example
 * ```ts
 * const space = SearchSpace.fromModel(supernet);
 * const result = await randomSearch({
 *   space,
 *   evaluate: (config) => countParams(supernet, { subnet: config }),
 *   cost: macsCost(supernet, [1, 64, 64, 3], { space }),
 *   budget: 1e8,
 *   samples: 50,
 *   seed: 1,
 * });
 * ```
 */
export async function randomSearch(options: RandomSearchOptions): Promise<SearchResult> {
  const run = new SearchRun(options, ['samples', 'seed', 'maxTries'], 'randomSearch');
  const samples = intOption('samples', options.samples, undefined, 1);
  const maxTries = intOption('maxTries', options.maxTries, 100, 1);
  const rng = seededRandom(options.seed);
  await run.checkBudget();
  for (let i = 0; i < samples; i++) await run.evaluate(await run.drawFeasible(rng, maxTries), 0);
  return run.result();
}
