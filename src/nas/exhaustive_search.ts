import { ConfigError } from '../util/index.js';
import { SearchRun, intOption } from './search_run.js';
import type { SearchOptions, SearchResult } from './search_types.js';

/** Options of {@link exhaustiveSearch}. */
export interface ExhaustiveSearchOptions extends SearchOptions {
  /** The largest space searched (every sub-network is costed). Default 1,000,000. */
  maxSize?: number;
}

/**
 * GAN Compression's exhaustive search: every sub-network of the space is costed, and every one
 * within budget evaluated. Same contract as {@link evolutionSearch}; for spaces of a few thousand
 * sub-networks (GAN Compression's channels-32 and channels-48 sets: 6,561 and 5,184). A space
 * larger than `maxSize` is refused before anything runs.
 *
 * @example
 * ```ts
 * const space = SearchSpace.fromConfigStrings(Array(8).fill([32, 24, 16]), resnetConfigFromString);
 * const result = await exhaustiveSearch({
 *   space,
 *   evaluate: (config) => -countParams(supernet, { subnet: config }),
 *   cost: macsCost(supernet, [1, 256, 256, 3], { space }),
 *   budget: 3e9,
 * });
 * space.toConfigString(result.best.indices);
 * ```
 */
export async function exhaustiveSearch(options: ExhaustiveSearchOptions): Promise<SearchResult> {
  const run = new SearchRun(options, ['maxSize'], 'exhaustiveSearch');
  const maxSize = intOption('maxSize', options.maxSize, 1_000_000, 1);
  if (run.space.size > maxSize)
    throw new ConfigError(
      'options.space',
      `a space of ${run.space.size} sub-networks`,
      `at most options.maxSize = ${maxSize} (each is costed and, within budget, evaluated): use evolutionSearch, or raise maxSize`,
    );
  await run.checkBudget();
  for (const point of run.space.enumerate()) if (await run.feasible(point)) await run.evaluate(point, 0);
  return run.result();
}
