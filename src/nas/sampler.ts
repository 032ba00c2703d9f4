import type { SubnetConfig } from '../graph/index.js';

/**
 * JSON-serializable state of a {@link SubnetSampler}: its `kind` (the sampler class) and whatever
 * the sampler needs to continue exactly where it stopped (seed, generator state, position, phase).
 * Store it in a checkpoint with `JSON.stringify` and hand it back to `setState` on resume.
 *
 * @example
 * ```ts
 * const state: SamplerState = { kind: 'UniformSampler', rng: [1, 2, 3, 4] };
 * JSON.parse(JSON.stringify(state)); // round trips
 * ```
 */
export type SamplerState = { kind: string } & Record<string, unknown>;

/**
 * Anything that picks the sub-network for each training step (once-for-all training: uniform,
 * sandwich, progressive shrinking, Anycost's flexible/uniform ratios). A sampler is seeded and
 * its state can be saved in a checkpoint, so a resumed run draws the same sub-networks as an
 * uninterrupted one.
 *
 * @example
 * ```ts
 * function trainStep(sampler: SubnetSampler, step: number): SubnetConfig {
 *   const config = sampler.next(step); // activate it with setSubnet(model, config) for this step
 *   return config;
 * }
 * const checkpoint = (sampler: SubnetSampler): string => JSON.stringify(sampler.getState());
 * ```
 */
export interface SubnetSampler {
  /** The sub-network for training step `step` (0-based). */
  next(step: number): SubnetConfig;
  /** JSON-serializable state (seed, position, phase), for checkpoints. */
  getState(): SamplerState;
  /** Restores a state from getState(); throws ConfigError on a state of another sampler. */
  setState(state: SamplerState): void;
}
