import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { withSubnet } from '../../graph/index.js';
import {
  evolutionSearch,
  type CostFunction,
  type GenerationInfo,
  type SearchResult,
  type SearchSpace,
} from '../../nas/index.js';
import { evaluateUpscaler } from './evaluate_upscaler.js';
import type { SrPair } from './sr_pair.js';

/** Options of {@link searchUpscaler}. */
export interface SearchUpscalerOptions {
  /** The trained supernet; its setting is restored after each evaluation. */
  supernet: tfl.LayersModel;
  space: SearchSpace;
  /** Images the score is taken on (held out from training). */
  validation: readonly SrPair[];
  cost: CostFunction;
  budget: number;
  /** Default 40. */
  population?: number;
  /** Default 6. */
  generations?: number;
  /** Default 0.2 (Fast GAN Compression's). */
  mutationProb?: number;
  seed: number;
  /** Called after each generation with its population, the best sub-network so far and the evaluations made. */
  onGeneration?: (info: GenerationInfo) => void;
}

/**
 * Fast GAN Compression's evolutionary search over an upscaler supernet: sub-networks within `budget` by `cost`,
 * scored by mean Y-PSNR on the validation images (higher is better), each evaluated at its config through
 * `withSubnet`. Returns `evolutionSearch`'s result (best, history, Pareto front).
 *
 * @example
 * ```ts
 * const supernet = SuperResidualUpscaler({ channels: 64, hidden: 64, blocks: 8 }); // trained (see trainUpscaler)
 * const space = SearchSpace.fromModel(supernet, { choices: { multipleOf: 16 } });
 * const validation = [superResolutionPair(tf.randomUniform([128, 128, 3]) as tf.Tensor3D, 4)]; // held-out photos
 * const result = await searchUpscaler({ supernet, space, validation, cost: macsCost(supernet, [1, 32, 32, 3]),
 *   budget: 0.258e9, seed: 0 });
 * result.best.config; // the sub-network to fine-tune and export
 * ```
 */
export async function searchUpscaler(options: SearchUpscalerOptions): Promise<SearchResult> {
  const o = options;
  const population = o.population ?? 40;
  const evaluate = (config: Parameters<typeof withSubnet>[1]): number =>
    withSubnet(
      o.supernet,
      config,
      () => evaluateUpscaler((lr) => o.supernet.apply(lr) as tf.Tensor4D, o.validation).psnr,
    );
  return evolutionSearch({
    space: o.space,
    evaluate,
    cost: o.cost,
    budget: o.budget,
    population,
    parentRatio: 0.25,
    mutations: Math.round(population / 2),
    crossovers: Math.round(population / 2),
    mutationProb: o.mutationProb ?? 0.2,
    generations: o.generations ?? 6,
    seed: o.seed,
    ...(o.onGeneration === undefined ? {} : { onGeneration: o.onGeneration }),
  });
}
