import type { SubnetConfig } from '../graph/index.js';
import type { SearchSpace } from './search_space.js';

/**
 * Scores a sub-network; higher is better (PSNR, mIoU) unless the search is told `minimize: true`
 * (FID). May be async. Must return a finite number.
 */
export type EvaluateFunction = (config: SubnetConfig) => number | Promise<number>;

/**
 * The cost of a sub-network (MACs, parameters, milliseconds): a finite number ≥ 0 that does not
 * decrease when any dimension grows — so the space's smallest sub-network is its cheapest. May be
 * async. {@link macsCost}, {@link paramsCost} and {@link latencyCost} make one.
 */
export type CostFunction = (config: SubnetConfig) => number | Promise<number>;

/** One evaluated sub-network. */
export interface SearchRecord {
  /** Its config (complete: every setting the space decodes). */
  config: SubnetConfig;
  /** Its point in the space (one choice index per dimension). */
  indices: number[];
  /** What `evaluate` returned. */
  score: number;
  /** What `cost` returned (absent without a cost function). */
  cost?: number;
  /** The generation it was first evaluated in (0: the initial population; always 0 outside evolution). */
  generation: number;
}

/** Where a search spent its time. */
export interface SearchTiming {
  /** Wall time of the whole search. */
  totalMs: number;
  /** Time inside `evaluate`. */
  evaluateMs: number;
  /** Time inside `cost`. */
  costMs: number;
}

/** What a search returns. */
export interface SearchResult {
  /** The best sub-network found (ties: the cheaper, then the first evaluated). */
  best: SearchRecord;
  /** Every distinct sub-network evaluated, in the order of evaluation. */
  history: SearchRecord[];
  /**
   * The Pareto front of cost against score: the records no other record beats on both (no
   * cheaper-or-equal record scores at least as well), by cost ascending. Just `[best]` without a
   * cost function.
   */
  front: SearchRecord[];
  /** Calls of `evaluate` (distinct sub-networks: evaluations are cached by config). */
  evaluations: number;
  /** Random draws or children rejected for exceeding the budget and drawn again. */
  redraws: number;
  /**
   * Draws that stayed over budget after `maxTries` tries: a random draw is then shrunk one
   * choice at a time (random dimensions) until it fits; a child is replaced by its parent.
   */
  fallbacks: number;
  timing: SearchTiming;
}

/** Options every search takes. */
export interface SearchOptions {
  /** The sub-networks to search. */
  space: SearchSpace;
  /** Scores a sub-network (higher is better unless `minimize`). */
  evaluate: EvaluateFunction;
  /** Costs a sub-network; needed with a `budget`, recorded without one (for the Pareto front). */
  cost?: CostFunction;
  /** Largest cost allowed (a finite number > 0); every evaluated sub-network costs at most this. */
  budget?: number;
  /** Lower scores are better (FID, LPIPS). Default false. */
  minimize?: boolean;
  /** Called after each new evaluation (may be async). */
  onEvaluation?: (record: SearchRecord) => void | Promise<void>;
}
