import { ConfigError, assertFinite } from '../util/index.js';
import { SearchRun, intOption, seededRandom } from './search_run.js';
import type { SearchOptions, SearchRecord, SearchResult } from './search_types.js';

/** What {@link EvolutionSearchOptions.onGeneration} is told after each generation. */
export interface GenerationInfo {
  /** 0 for the initial population, then 1, 2, … */
  generation: number;
  /** The population the next generation's parents are chosen from, best first. */
  population: SearchRecord[];
  /** The best sub-network so far. */
  best: SearchRecord;
  /** Evaluations so far (distinct sub-networks). */
  evaluations: number;
}

/** Options of {@link evolutionSearch} (defaults: GAN Compression's `evolution_search.py`). */
export interface EvolutionSearchOptions extends SearchOptions {
  /** Generations after the initial population. Required (each costs up to `mutations + crossovers` evaluations). */
  generations: number;
  /** Size of the initial population (random sub-networks within budget). Default 100. */
  population?: number;
  /** Fraction of the population kept as parents, the best ones. Default 0.25. */
  parentRatio?: number;
  /** Probability that a mutation redraws each dimension (uniformly). Default 0.2. */
  mutationProb?: number;
  /** Mutated children per generation. Default 50. */
  mutations?: number;
  /** Crossover children per generation (each dimension from one of two parents). Default 50. */
  crossovers?: number;
  /** Seed (an integer). Default 0. */
  seed?: number;
  /**
   * Draws of a random sub-network or a child until one is within budget; beyond it, a random draw
   * is shrunk until it fits and a child is replaced by its parent (see `SearchResult.fallbacks`).
   * Default 100.
   */
  maxTries?: number;
  /** Called after each generation (may be async: save a checkpoint, plot). */
  onGeneration?: (info: GenerationInfo) => void | Promise<void>;
}

const KEYS = [
  'generations',
  'population',
  'parentRatio',
  'mutationProb',
  'mutations',
  'crossovers',
  'seed',
  'maxTries',
  'onGeneration',
];

/**
 * Evolutionary search, as Fast GAN Compression and Once-for-All run it: an initial population of
 * random sub-networks within budget; then, each generation, the best `parentRatio` of the
 * population become parents, `mutations` children redraw each dimension of a random parent with
 * probability `mutationProb`, `crossovers` children take each dimension from one of two random
 * parents, and the next population is the parents plus the children (elitist: the best is never
 * lost). Children are redrawn until within budget, a bounded number of times. Evaluations are
 * cached by sub-network, so a child equal to an earlier one costs nothing. A budget no
 * sub-network meets throws at once, naming the cheapest cost in the space.
 *
 * @example
 * ```ts
 * const space = SearchSpace.fromModel(supernet);
 * const x = tf.randomNormal([4, 64, 64, 3]);
 * const target = teacher.predict(x) as tf.Tensor4D;
 * const result = await evolutionSearch({
 *   space,
 *   evaluate: (config) => withSubnet(supernet, config, () => tf.tidy(() => psnr(target, supernet.predict(x) as tf.Tensor4D, 2))),
 *   cost: macsCost(supernet, [1, 64, 64, 3], { space }),
 *   budget: 1e8,
 *   generations: 20,
 *   seed: 0,
 * });
 * result.best.config; // within budget, the best PSNR found
 * ```
 */
export async function evolutionSearch(options: EvolutionSearchOptions): Promise<SearchResult> {
  const run = new SearchRun(options, KEYS, 'evolutionSearch');
  const generations = intOption('generations', options.generations, undefined, 0);
  const populationSize = intOption('population', options.population, 100, 1);
  const mutations = intOption('mutations', options.mutations, 50, 0);
  const crossovers = intOption('crossovers', options.crossovers, 50, 0);
  const maxTries = intOption('maxTries', options.maxTries, 100, 1);
  const parentRatio = options.parentRatio ?? 0.25;
  assertFinite('options.parentRatio', parentRatio, { positive: true });
  if (parentRatio > 1) throw new ConfigError('options.parentRatio', parentRatio, 'a fraction in (0, 1]');
  const parents = Math.floor(parentRatio * populationSize);
  if (parents < 1)
    throw new ConfigError(
      'options.parentRatio',
      parentRatio,
      `a fraction that keeps at least one parent of a population of ${populationSize}`,
    );
  const mutationProb = options.mutationProb ?? 0.2;
  assertFinite('options.mutationProb', mutationProb);
  if (mutationProb < 0 || mutationProb > 1)
    throw new ConfigError('options.mutationProb', mutationProb, 'a probability in [0, 1]');
  const onGeneration = options.onGeneration;
  if (onGeneration !== undefined && typeof onGeneration !== 'function')
    throw new ConfigError('options.onGeneration', onGeneration, 'a function (info) => void');
  const rng = seededRandom(options.seed);
  const space = run.space;
  await run.checkBudget();

  const report = async (generation: number, population: SearchRecord[]): Promise<void> => {
    if (onGeneration === undefined) return;
    const sorted = run.top(population, population.length);
    await onGeneration({
      generation,
      population: sorted,
      best: run.top(run.history, 1)[0] as SearchRecord,
      evaluations: run.history.length,
    });
  };

  let population: SearchRecord[] = [];
  for (let i = 0; i < populationSize; i++)
    population.push(await run.evaluate(await run.drawFeasible(rng, maxTries), 0));
  await report(0, population);

  for (let g = 1; g <= generations; g++) {
    const chosen = run.top(population, parents);
    const children: number[][] = [];
    for (let i = 0; i < mutations; i++) {
      const parent = rng.choice(chosen).indices;
      const mutate = (): number[] =>
        parent.map((v, d) => (rng.next() < mutationProb ? rng.int(space.dimensions[d]?.choices.length as number) : v));
      children.push(await run.childWithin(mutate, parent, maxTries));
    }
    for (let i = 0; i < crossovers; i++) {
      const [a, b] = chosen.length >= 2 ? rng.sample(chosen.length, 2) : [0, 0];
      const pa = (chosen[a as number] as SearchRecord).indices;
      const pb = (chosen[b as number] as SearchRecord).indices;
      const cross = (): number[] => pa.map((v, d) => (rng.next() < 0.5 ? v : (pb[d] as number)));
      children.push(await run.childWithin(cross, pa, maxTries));
    }
    const next: SearchRecord[] = [...chosen];
    for (const child of children) next.push(await run.evaluate(child, g));
    population = next;
    await report(g, population);
  }
  return run.result();
}
