import type { SubnetConfig } from '../graph/index.js';
import { ConfigError, Random, assertInt, describeValue } from '../util/index.js';
import { fingerprint } from './fingerprint.js';
import type { SamplerState, SubnetSampler } from './sampler.js';
import { SearchSpace } from './search_space.js';

function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The generator of one training step: a function of (seed, step) only, so a sampler draws the
 * same sub-network for a step however it got there — resumed from a checkpoint, or asked twice.
 */
export function stepRandom(seed: number, step: number): Random {
  const lo = step >>> 0;
  const hi = Math.floor(step / 4294967296) >>> 0;
  return new Random(mix32((seed >>> 0) ^ mix32(lo ^ mix32(hi + 0x9e3779b9))) | 0);
}

/**
 * What the samplers share: a space, a seed, draws that depend on (seed, step) alone, and a state
 * made of the seed, the last step served and the sampler's parameters (checked on restore).
 */
export abstract class SeededSampler implements SubnetSampler {
  /** The space the sampler draws from. */
  readonly space: SearchSpace;
  protected seed: number;
  protected lastStep: number | null = null;
  private readonly spaceId: string;

  protected constructor(
    protected readonly kind: string,
    space: SearchSpace,
    seed: unknown,
  ) {
    if (!(space instanceof SearchSpace))
      throw new ConfigError('space', space, 'a SearchSpace (SearchSpace.fromModel(model), ...)');
    assertInt('options.seed', seed);
    this.space = space;
    this.seed = seed;
    this.spaceId = fingerprint(JSON.stringify(space.toJSON()));
  }

  /** The sampler's parameters, stored in its state and compared on restore. */
  protected abstract params(): Record<string, unknown>;

  /** The point for `step`, drawn from `rng` (the step's own generator). */
  protected abstract pick(step: number, rng: Random): number[];

  next(step: number): SubnetConfig {
    assertInt('step', step, 0, Number.MAX_SAFE_INTEGER);
    const point = this.pick(step, stepRandom(this.seed, step));
    this.lastStep = step;
    return this.space.decode(point);
  }

  getState(): SamplerState {
    return { kind: this.kind, seed: this.seed, space: this.spaceId, lastStep: this.lastStep, ...this.params() };
  }

  setState(state: SamplerState): void {
    if (state == null || typeof state !== 'object') throw new ConfigError('state', state, `a ${this.kind} state`);
    if (state.kind !== this.kind)
      throw new ConfigError('state.kind', state.kind, `'${this.kind}' (a state saved by this kind of sampler)`);
    if (state['space'] !== this.spaceId)
      throw new ConfigError(
        'state.space',
        state['space'],
        `'${this.spaceId}', the fingerprint of this sampler's search space (the state was saved over another space)`,
      );
    for (const [key, value] of Object.entries(this.params()))
      if (JSON.stringify(state[key]) !== JSON.stringify(value))
        throw new ConfigError(`state.${key}`, state[key], `${describeValue(value)}, as this sampler was built with`);
    assertInt('state.seed', state['seed']);
    const last = state['lastStep'];
    if (last !== null) assertInt('state.lastStep', last, 0);
    this.seed = state['seed'];
    this.lastStep = last === null ? null : last;
  }
}
