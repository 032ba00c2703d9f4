import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  evolutionSearch,
  exhaustiveSearch,
  randomSearch,
  SearchSpace,
  type SearchRecord,
  type SearchResult,
  type SubnetConfig,
} from '../../../src/index.js';

/** Dimension d<i> with `sizes[i]` widths 8, 16, …, setting layer l<i>. */
function space(sizes: readonly number[]): SearchSpace {
  return new SearchSpace(
    sizes.map((n, i) => ({
      name: `d${i}`,
      choices: Array.from({ length: n }, (_, c) => 8 * (c + 1)),
      targets: [{ layer: `l${i}`, field: 'outChannels' as const, scale: 1 }],
    })),
  );
}

const widths = (config: SubnetConfig): number[] =>
  Object.keys(config)
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
    .map((k) => config[k]?.outChannels as number);

/** A MAC-like cost: a chain of layers, each costing its width times the previous one's (input 3). */
const chainCost = (config: SubnetConfig): number =>
  widths(config).reduce((sum, w, i, all) => sum + w * (i === 0 ? 3 : (all[i - 1] as number)), 0);

/** A quality that grows with every width, with diminishing returns and unequal weights. */
const quality = (config: SubnetConfig): number => widths(config).reduce((sum, w, i) => sum + (i + 1) * Math.log(w), 0);

/** The best point by brute force, written apart from the searches: max quality with cost ≤ budget. */
function bruteForce(s: SearchSpace, budget: number): { score: number; cost: number; feasible: number } {
  let best = { score: -Infinity, cost: Infinity, feasible: 0 };
  const walk = (prefix: number[]): void => {
    if (prefix.length === s.dimensions.length) {
      const config = s.decode(prefix);
      const cost = chainCost(config);
      if (cost > budget) return;
      best.feasible++;
      const score = quality(config);
      if (score > best.score || (score === best.score && cost < best.cost)) best = { ...best, score, cost };
      return;
    }
    const n = s.dimensions[prefix.length]?.choices.length ?? 0;
    for (let c = 0; c < n; c++) walk([...prefix, c]);
  };
  walk([]);
  return best;
}

function expectWithin(result: SearchResult, budget: number): void {
  for (const r of result.history) {
    expect(r.cost, 'recorded cost').toBe(chainCost(r.config));
    expect(r.cost as number).toBeLessThanOrEqual(budget);
  }
}

describe('searches on synthetic objectives', () => {
  it('evolution finds the known optimum of a separable objective (no budget)', async () => {
    const s = space([7, 7, 7, 7, 7, 7, 7, 7]); // 5,764,801 points, like channels-64-pix2pix
    const target = [3, 1, 4, 1, 5, 2, 6, 0];
    const evaluate = (config: SubnetConfig): number =>
      -s.encode(config).reduce((sum, v, i) => sum + (v - (target[i] as number)) ** 2, 0);
    const result = await evolutionSearch({ space: s, evaluate, generations: 20, seed: 1 });
    expect(result.best.indices).toEqual(target);
    expect(result.best.score).toBe(-0);
    // Elitism: the best score never gets worse from one generation to the next.
    const bestByGeneration = Array.from({ length: 21 }, (_, g) =>
      Math.max(...result.history.filter((r) => r.generation <= g).map((r) => r.score)),
    );
    bestByGeneration.forEach((v, g) => g > 0 && expect(v).toBeGreaterThanOrEqual(bestByGeneration[g - 1] as number));
    expect(result.evaluations).toBeLessThanOrEqual(100 + 20 * 100);
  });

  it('exhaustive search matches brute force under a budget, and evolution and random search agree with it', async () => {
    const s = space([4, 4, 4, 4, 4]); // 1024 points
    const budget = 1500;
    const truth = bruteForce(s, budget);
    expect(truth.feasible).toBeGreaterThan(10);
    expect(truth.feasible).toBeLessThan(1024);
    const exhaustive = await exhaustiveSearch({ space: s, evaluate: quality, cost: chainCost, budget });
    expect(exhaustive.best.score).toBe(truth.score);
    expect(exhaustive.best.cost).toBe(truth.cost);
    expect(exhaustive.evaluations).toBe(truth.feasible);
    expectWithin(exhaustive, budget);
    // With these settings evolution finds the optimum for 28 of seeds 0–29 (about 140 evaluations each).
    const evolution = await evolutionSearch({
      space: s,
      evaluate: quality,
      cost: chainCost,
      budget,
      population: 40,
      mutations: 20,
      crossovers: 20,
      generations: 20,
      seed: 3,
    });
    expect(evolution.best.score).toBe(truth.score);
    expectWithin(evolution, budget);
    expect(evolution.evaluations).toBeLessThan(truth.feasible);
    const random = await randomSearch({ space: s, evaluate: quality, cost: chainCost, budget, samples: 60, seed: 3 });
    expectWithin(random, budget);
    expect(random.best.score).toBeLessThanOrEqual(truth.score);
  });

  it('minimize: true finds the lowest score', async () => {
    const s = space([4, 4, 4]);
    const result = await exhaustiveSearch({ space: s, evaluate: quality, minimize: true });
    expect(result.best.indices).toEqual([0, 0, 0]);
    const evolution = await evolutionSearch({
      space: s,
      evaluate: (c) => Promise.resolve(quality(c)), // async evaluate
      minimize: true,
      population: 8,
      generations: 15,
      mutations: 8,
      crossovers: 8,
    });
    expect(evolution.best.indices).toEqual([0, 0, 0]);
  });

  it('returns the Pareto front of cost against score (checked against a pairwise filter)', async () => {
    const s = space([4, 4, 4]);
    const result = await exhaustiveSearch({ space: s, evaluate: quality, cost: chainCost });
    const dominated = (r: SearchRecord): boolean =>
      result.history.some(
        (o) =>
          (o.cost as number) <= (r.cost as number) &&
          o.score >= r.score &&
          ((o.cost as number) < (r.cost as number) || o.score > r.score),
      );
    const expected = result.history.filter((r) => !dominated(r));
    // Same (cost, score) pairs; the front keeps one record per pair, by cost ascending.
    const pairs = (rs: SearchRecord[]): string[] => [...new Set(rs.map((r) => `${r.cost}:${r.score}`))].sort();
    expect(pairs(result.front)).toEqual(pairs(expected));
    for (let i = 1; i < result.front.length; i++) {
      expect(result.front[i]?.cost).toBeGreaterThan(result.front[i - 1]?.cost as number);
      expect(result.front[i]?.score).toBeGreaterThan(result.front[i - 1]?.score as number);
    }
    expect(result.front[result.front.length - 1]).toBe(result.best);
    // Without a cost function the front is the best alone.
    const plain = await exhaustiveSearch({ space: s, evaluate: quality });
    expect(plain.front).toEqual([plain.best]);
    expect(plain.best.cost).toBeUndefined();
  });

  it('the same seed gives the same result; another seed another run', async () => {
    const s = space([6, 6, 6, 6, 6]);
    const run = (seed: number): Promise<SearchResult> =>
      evolutionSearch({
        space: s,
        evaluate: quality,
        cost: chainCost,
        budget: 2000,
        population: 12,
        mutations: 6,
        crossovers: 6,
        generations: 6,
        seed,
      });
    const [a, b, c] = await Promise.all([run(7), run(7), run(8)]);
    const strip = (r: SearchResult): unknown => ({ ...r, timing: null });
    expect(strip(a)).toEqual(strip(b));
    expect(a.history.map((r) => r.indices)).not.toEqual(c.history.map((r) => r.indices));
  });

  it('evaluates each distinct sub-network once and reports every generation', async () => {
    const s = space([2, 2, 2]); // 8 points: children repeat often
    const calls = new Map<string, number>();
    const generations: number[] = [];
    const result = await evolutionSearch({
      space: s,
      evaluate: (config) => {
        const key = JSON.stringify(config);
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return quality(config);
      },
      population: 10,
      mutations: 10,
      crossovers: 10,
      generations: 4,
      onGeneration: ({ generation, population, best, evaluations }) => {
        generations.push(generation);
        expect(population.map((r) => r.score)).toEqual([...population.map((r) => r.score)].sort((x, y) => y - x));
        expect(best.score).toBe(Math.max(...population.map((r) => r.score)));
        expect(evaluations).toBe(calls.size);
      },
    });
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(result.evaluations).toBe(calls.size);
    expect(new Set(result.history.map((r) => r.indices.join())).size).toBe(result.history.length);
    expect(generations).toEqual([0, 1, 2, 3, 4]);
  });

  it('a budget only the smallest sub-network meets still works: draws fall back, never loop', async () => {
    const s = space([8, 8, 8, 8]);
    const smallest = chainCost(s.decode(s.smallest()));
    const result = await evolutionSearch({
      space: s,
      evaluate: quality,
      cost: chainCost,
      budget: smallest,
      population: 5,
      generations: 3,
      mutations: 4,
      crossovers: 4,
      maxTries: 10,
    });
    expect(result.history.map((r) => r.indices)).toEqual([[0, 0, 0, 0]]);
    expect(result.fallbacks).toBeGreaterThan(0);
    expect(result.redraws).toBeGreaterThan(0);
  });
});

describe('budgets (property)', () => {
  it('every evaluated sub-network of every search is within any feasible budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        async (sizes, t, seed) => {
          const s = space(sizes);
          const lo = chainCost(s.decode(s.smallest()));
          const hi = chainCost(s.decode(s.largest()));
          const budget = lo + t * (hi - lo);
          const common = { space: s, evaluate: quality, cost: chainCost, budget };
          const results = [
            await evolutionSearch({ ...common, population: 6, mutations: 3, crossovers: 3, generations: 3, seed }),
            await randomSearch({ ...common, samples: 8, seed }),
            await exhaustiveSearch(common),
          ];
          for (const r of results) {
            expectWithin(r, budget);
            expect(r.best.score).toBe(Math.max(...r.history.map((h) => h.score)));
          }
          expect(results[0]?.best.score).toBeLessThanOrEqual(results[2]?.best.score as number);
        },
      ),
      { seed: 14, numRuns: 40 },
    );
  });
});

describe('errors', () => {
  const s = space([3, 3, 3]);
  const base = { space: s, evaluate: quality, cost: chainCost, generations: 1 };

  it('an infeasible budget fails at once, naming the cheapest cost in the space', async () => {
    let evaluations = 0;
    let costs = 0;
    const cheapest = chainCost(s.decode(s.smallest())); // 8·3 + 8·8 + 8·8 = 152
    expect(cheapest).toBe(152);
    const common = { space: s, evaluate: quality, cost: chainCost, budget: 151 };
    for (const search of [
      () =>
        evolutionSearch({ ...base, evaluate: () => ++evaluations, cost: (c) => (costs++, chainCost(c)), budget: 151 }),
      () => randomSearch({ ...common, samples: 5 }),
      () => exhaustiveSearch(common),
    ])
      await expect(search()).rejects.toThrow(
        /^options\.budget: got 151, expected at least 152, the cost of the cheapest sub-network in the space \(its smallest, \{"d0":8,"d1":8,"d2":8\}\): no sub-network meets the budget$/,
      );
    expect(evaluations).toBe(0);
    expect(costs).toBe(1);
  });

  it('budgets that are not positive finite numbers are refused', async () => {
    for (const budget of [0, -1, NaN, Infinity, '100'])
      await expect(evolutionSearch({ ...base, budget: budget as number })).rejects.toThrow(
        /^options\.budget: got .*, expected a finite number > 0$/,
      );
    await expect(evolutionSearch({ ...base, cost: undefined, budget: 100 })).rejects.toThrow(
      /^options\.cost: got undefined, expected a cost function/,
    );
  });

  it('a cost or a score that is not a finite number names the function and the sub-network', async () => {
    await expect(evolutionSearch({ ...base, cost: () => NaN, budget: 100 })).rejects.toThrow(
      /^options\.cost\(\{"d0":8,"d1":8,"d2":8\}\): got NaN, expected a finite number >= 0/,
    );
    await expect(randomSearch({ space: s, evaluate: quality, cost: () => -1, samples: 2 })).rejects.toThrow(
      /^options\.cost\(.*\): got -1/,
    );
    await expect(evolutionSearch({ ...base, evaluate: () => NaN })).rejects.toThrow(
      /^options\.evaluate\(\{"d0":\d+,"d1":\d+,"d2":\d+\}\): got NaN, expected a finite number \(the score/,
    );
    await expect(
      exhaustiveSearch({ space: s, evaluate: () => Promise.resolve(undefined as unknown as number) }),
    ).rejects.toThrow(/^options\.evaluate\(.*\): got undefined/);
  });

  it('bad options are named', async () => {
    const bad = async (patch: object, message: RegExp): Promise<void> =>
      expect(evolutionSearch({ ...base, ...patch })).rejects.toThrow(message);
    await bad({ space: {} }, /^options\.space: got \{\}, expected a SearchSpace/);
    await bad({ evaluate: 3 }, /^options\.evaluate: got 3/);
    await bad(
      { generations: undefined },
      /^options\.generations: got undefined, expected an integer >= 0 \(required\)/,
    );
    await bad({ population: 0 }, /^options\.population: got 0/);
    await bad({ parentRatio: 1.5 }, /^options\.parentRatio: got 1\.5, expected a fraction in \(0, 1\]/);
    await bad(
      { parentRatio: 0.001 },
      /^options\.parentRatio: got 0\.001, expected a fraction that keeps at least one parent/,
    );
    await bad({ mutationProb: 2 }, /^options\.mutationProb: got 2, expected a probability in \[0, 1\]/);
    await bad({ seed: 1.5 }, /^options\.seed: got 1\.5/);
    await bad({ minimize: 'yes' }, /^options\.minimize: got 'yes'/);
    await bad({ populaton: 10 }, /^options\.populaton: got 10, expected no such option \(evolutionSearch takes/);
    await expect(exhaustiveSearch({ space: space([7, 7, 7, 7, 7, 7, 7, 7]), evaluate: quality })).rejects.toThrow(
      /^options\.space: got 'a space of 5764801 sub-networks', expected at most options\.maxSize = 1000000/,
    );
    await expect(randomSearch({ space: s, evaluate: quality } as never)).rejects.toThrow(
      /^options\.samples: got undefined/,
    );
    await expect(evolutionSearch(null as never)).rejects.toThrow(ConfigError);
  });
});
