import { ConfigError, Random, assertFinite, assertInt, describeValue } from '../util/index.js';
import { SearchSpace } from './search_space.js';
import type { CostFunction, EvaluateFunction, SearchOptions, SearchRecord, SearchResult } from './search_types.js';

const COMMON_KEYS = ['space', 'evaluate', 'cost', 'budget', 'minimize', 'onEvaluation'];

/** Throws unless every key of `options` is one of `known`. */
export function checkKeys(options: object, known: readonly string[], signature: string): void {
  for (const key of Object.keys(options))
    if (!known.includes(key))
      throw new ConfigError(
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        `no such option (${signature} takes ${known.join(', ')})`,
      );
}

/**
 * The bookkeeping every search shares: options checked, costs and scores cached by point, the
 * budget checked once against the cheapest sub-network, feasible draws with a bounded number of
 * tries, the history, the Pareto front and the time spent.
 */
export class SearchRun {
  readonly space: SearchSpace;
  readonly budget: number;
  readonly minimize: boolean;
  private readonly evaluateFn: EvaluateFunction;
  private readonly costFn: CostFunction | undefined;
  private readonly onEvaluation: SearchOptions['onEvaluation'];
  private readonly costs = new Map<string, number>();
  private readonly records = new Map<string, SearchRecord>();
  readonly history: SearchRecord[] = [];
  private readonly order = new Map<SearchRecord, number>();
  redraws = 0;
  fallbacks = 0;
  private evaluateMs = 0;
  private costMs = 0;
  private readonly start = performance.now();

  constructor(options: SearchOptions, extraKeys: readonly string[], signature: string) {
    if (options == null || typeof options !== 'object')
      throw new ConfigError('options', options, `{ space, evaluate, cost?, budget?, ... } (${signature})`);
    checkKeys(options, [...COMMON_KEYS, ...extraKeys], signature);
    const { space, evaluate, cost, budget, minimize, onEvaluation } = options;
    if (!(space instanceof SearchSpace))
      throw new ConfigError('options.space', space, 'a SearchSpace (SearchSpace.fromModel(model), ...)');
    if (typeof evaluate !== 'function')
      throw new ConfigError('options.evaluate', evaluate, 'a function (config) => score (number or Promise)');
    if (cost !== undefined && typeof cost !== 'function')
      throw new ConfigError('options.cost', cost, 'a function (config) => cost (number or Promise)');
    if (budget !== undefined) {
      assertFinite('options.budget', budget, { positive: true });
      if (cost === undefined)
        throw new ConfigError('options.cost', cost, 'a cost function (config) => number to hold options.budget to');
    }
    if (minimize !== undefined && typeof minimize !== 'boolean')
      throw new ConfigError('options.minimize', minimize, 'true or false');
    if (onEvaluation !== undefined && typeof onEvaluation !== 'function')
      throw new ConfigError('options.onEvaluation', onEvaluation, 'a function (record) => void');
    this.space = space;
    this.evaluateFn = evaluate;
    this.costFn = cost;
    this.budget = budget ?? Infinity;
    this.minimize = minimize ?? false;
    this.onEvaluation = onEvaluation;
  }

  /** Fails fast when even the smallest sub-network is over budget. */
  async checkBudget(): Promise<void> {
    if (this.budget === Infinity) return;
    const smallest = this.space.smallest();
    const cheapest = (await this.costOf(smallest)) as number;
    if (cheapest > this.budget)
      throw new ConfigError(
        'options.budget',
        this.budget,
        `at least ${cheapest}, the cost of the cheapest sub-network in the space (its smallest, ` +
          `${describeValue(this.space.values(smallest))}): no sub-network meets the budget`,
      );
  }

  /** The cost of a point (cached); undefined without a cost function. */
  async costOf(indices: readonly number[]): Promise<number | undefined> {
    if (this.costFn === undefined) return undefined;
    const key = this.space.key(indices);
    const cached = this.costs.get(key);
    if (cached !== undefined) return cached;
    const t = performance.now();
    const value: unknown = await this.costFn(this.space.decode(indices));
    this.costMs += performance.now() - t;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new ConfigError(
        `options.cost(${describeValue(this.space.values(indices))})`,
        value,
        'a finite number >= 0 (the cost of that sub-network)',
      );
    this.costs.set(key, value);
    return value;
  }

  async feasible(indices: readonly number[]): Promise<boolean> {
    if (this.budget === Infinity) return true;
    return ((await this.costOf(indices)) as number) <= this.budget;
  }

  /**
   * A uniformly random point within budget: up to `maxTries` draws, then the last draw shrunk one
   * choice at a time (a random dimension above its smallest each time) until it fits — which it
   * does at the latest at the smallest point, known to fit.
   */
  async drawFeasible(rng: Random, maxTries: number): Promise<number[]> {
    let point = this.space.sampleIndices(rng);
    for (let t = 1; !(await this.feasible(point)); t++) {
      if (t >= maxTries) {
        this.fallbacks++;
        while (!(await this.feasible(point))) {
          const above = point.flatMap((v, i) => (v > 0 ? [i] : []));
          const i = rng.choice(above);
          point[i] = (point[i] as number) - 1;
        }
        return point;
      }
      this.redraws++;
      point = this.space.sampleIndices(rng);
    }
    return point;
  }

  /** `make()` until within budget, at most `maxTries` times; else `fallback` (a feasible point). */
  async childWithin(make: () => number[], fallback: readonly number[], maxTries: number): Promise<number[]> {
    for (let t = 0; t < maxTries; t++) {
      const child = make();
      if (await this.feasible(child)) return child;
      this.redraws++;
    }
    this.fallbacks++;
    return [...fallback];
  }

  /** Evaluates a point once (later calls return the cached record). */
  async evaluate(indices: readonly number[], generation: number): Promise<SearchRecord> {
    const key = this.space.key(indices);
    const cached = this.records.get(key);
    if (cached !== undefined) return cached;
    const config = this.space.decode(indices);
    const cost = await this.costOf(indices);
    const t = performance.now();
    const score: unknown = await this.evaluateFn(config);
    this.evaluateMs += performance.now() - t;
    if (typeof score !== 'number' || !Number.isFinite(score))
      throw new ConfigError(
        `options.evaluate(${describeValue(this.space.values(indices))})`,
        score,
        'a finite number (the score of that sub-network)',
      );
    const record: SearchRecord = { config, indices: [...indices], score, generation };
    if (cost !== undefined) record.cost = cost;
    this.records.set(key, record);
    this.order.set(record, this.history.length);
    this.history.push(record);
    if (this.onEvaluation !== undefined) await this.onEvaluation(record);
    return record;
  }

  /** Negative when `a` ranks before `b`: better score, then lower cost, then evaluated first. */
  compare = (a: SearchRecord, b: SearchRecord): number => {
    if (a.score !== b.score) return this.minimize ? a.score - b.score : b.score - a.score;
    const ca = a.cost ?? 0;
    const cb = b.cost ?? 0;
    if (ca !== cb) return ca - cb;
    return (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0);
  };

  /** Whether score `a` is strictly better than score `b`. */
  better(a: number, b: number): boolean {
    return this.minimize ? a < b : a > b;
  }

  /** The `k` best distinct records of `records`, best first. */
  top(records: readonly SearchRecord[], k: number): SearchRecord[] {
    const unique = [...new Set(records)];
    return unique.sort(this.compare).slice(0, k);
  }

  result(): SearchResult {
    const best = this.top(this.history, 1)[0];
    // Only a cost that falls as widths grow can leave nothing within budget after checkBudget.
    if (best === undefined)
      throw new ConfigError(
        'options.cost',
        this.costFn,
        `a cost that does not decrease when a width grows: no sub-network was found within budget ${this.budget} although the smallest is`,
      );
    return {
      best,
      history: [...this.history],
      front: this.front(best),
      evaluations: this.history.length,
      redraws: this.redraws,
      fallbacks: this.fallbacks,
      timing: { totalMs: performance.now() - this.start, evaluateMs: this.evaluateMs, costMs: this.costMs },
    };
  }

  private front(best: SearchRecord): SearchRecord[] {
    if (this.costFn === undefined) return [best];
    // By cost, the better first among equal costs; a record joins the front when it scores
    // strictly better than every cheaper-or-equal one kept before it.
    const sorted = [...this.history].sort((a, b) => (a.cost as number) - (b.cost as number) || this.compare(a, b));
    const out: SearchRecord[] = [];
    for (const r of sorted) {
      const last = out[out.length - 1];
      if (last === undefined || this.better(r.score, last.score)) out.push(r);
    }
    return out;
  }
}

/** Checks an integer option. */
export function intOption(name: string, value: unknown, fallback: number | undefined, min: number): number {
  const v = value ?? fallback;
  if (v === undefined) throw new ConfigError(`options.${name}`, value, `an integer >= ${min} (required)`);
  assertInt(`options.${name}`, v, min);
  return v;
}

/** The search's generator from `options.seed` (an integer, default 0). */
export function seededRandom(seed: unknown): Random {
  const s = seed ?? 0;
  assertInt('options.seed', s);
  return new Random(s);
}
