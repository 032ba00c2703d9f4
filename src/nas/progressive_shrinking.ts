import type { Random } from '../util/index.js';
import { ConfigError, assertInt, describeValue } from '../util/index.js';
import type { SamplerState } from './sampler.js';
import { SeededSampler } from './seeded_sampler.js';
import type { SearchSpace } from './search_space.js';

/** One phase of {@link ProgressiveShrinking}. */
export interface ShrinkingPhase {
  /** Training steps the phase lasts. The last phase may leave it out: it lasts to the end. */
  steps?: number;
  /**
   * The values each dimension may take in this phase, by dimension name (`'all'`: every choice).
   * A dimension left out stays at its largest value.
   */
  allow: Record<string, readonly number[] | 'all'>;
}

/** Options of {@link ProgressiveShrinking}. */
export interface ProgressiveShrinkingOptions {
  /** The phases, in order (see {@link ProgressiveShrinking.ofaPhases} for OFA's schedule). */
  phases: readonly ShrinkingPhase[];
  /** Seed (an integer). Default 0. */
  seed?: number;
}

/**
 * Once-for-All's progressive shrinking: training runs through phases, each allowing more of the
 * space (OFA: elastic kernel first, then depth, then width, one smaller value at a time); within
 * a phase every dimension is drawn uniformly from its allowed values. The phase of a step follows
 * from the phases' lengths, so a resumed run is in the right phase.
 *
 * @example
 * ```ts
 * const space = SearchSpace.fromModel(supernet);
 * const sampler = new ProgressiveShrinking(space, {
 *   phases: ProgressiveShrinking.ofaPhases(space, { stepsPerPhase: 1000 }),
 *   seed: 0,
 * });
 * sampler.phaseOf(2500); // 2
 * ```
 */
export class ProgressiveShrinking extends SeededSampler {
  private readonly phases: { steps: number | null; allow: Record<string, number[] | 'all'> }[];
  /** Per phase, per dimension, the allowed choice indices. */
  private readonly allowed: number[][][];

  constructor(space: SearchSpace, options: ProgressiveShrinkingOptions) {
    if (options == null || typeof options !== 'object')
      throw new ConfigError('options', options, '{ phases: ShrinkingPhase[], seed? }');
    super('ProgressiveShrinking', space, options.seed ?? 0);
    const phases: unknown = options.phases;
    if (!Array.isArray(phases) || phases.length === 0)
      throw new ConfigError('options.phases', phases, 'a non-empty array of { steps?, allow }');
    this.phases = phases.map((phase: unknown, p) => {
      const at = `options.phases[${p}]`;
      if (phase == null || typeof phase !== 'object') throw new ConfigError(at, phase, '{ steps?, allow }');
      const { steps, allow } = phase as Record<string, unknown>;
      if (steps === undefined) {
        if (p !== phases.length - 1)
          throw new ConfigError(`${at}.steps`, steps, 'a number of steps (only the last phase may leave it out)');
      } else assertInt(`${at}.steps`, steps, 1);
      if (allow == null || typeof allow !== 'object' || Array.isArray(allow))
        throw new ConfigError(`${at}.allow`, allow, "an object { [dimensionName]: values | 'all' }");
      const copy: Record<string, number[] | 'all'> = {};
      for (const [name, values] of Object.entries(allow as Record<string, unknown>)) {
        const dim = space.dimensions.find((d) => d.name === name);
        if (dim == null)
          throw new ConfigError(
            `${at}.allow.${name}`,
            values,
            `a dimension of the space (${describeValue(space.names)})`,
          );
        if (values === 'all') copy[name] = 'all';
        else if (
          !Array.isArray(values) ||
          values.length === 0 ||
          !values.every((v) => dim.choices.includes(v as number))
        )
          throw new ConfigError(
            `${at}.allow.${name}`,
            values,
            `'all' or a non-empty subset of ${describeValue(dim.choices)}`,
          );
        else copy[name] = [...(values as number[])];
      }
      return { steps: steps === undefined ? null : steps, allow: copy };
    });
    this.allowed = this.phases.map((phase) =>
      space.dimensions.map((d) => {
        const a = phase.allow[d.name];
        if (a === undefined) return [d.choices.length - 1];
        if (a === 'all') return d.choices.map((_, i) => i);
        return d.choices.flatMap((c, i) => (a.includes(c) ? [i] : []));
      }),
    );
  }

  /**
   * OFA's schedule for a space: first the kernel dimensions (named `<layer>.kernelSize`) with
   * widths at their largest, then the widths, each phase allowing one more smaller value of every
   * width dimension (OFA's expand ratios 6 → {4, 6} → {3, 4, 6}) until all are allowed; the last
   * phase lasts to the end. Kernel dimensions stay fully elastic once opened.
   *
   * @example
   * ```ts
   * const phases = ProgressiveShrinking.ofaPhases(SearchSpace.fromModel(supernet), { stepsPerPhase: 2000 });
   * ```
   */
  static ofaPhases(space: SearchSpace, options: { stepsPerPhase: number }): ShrinkingPhase[] {
    if (options == null || typeof options !== 'object')
      throw new ConfigError('options', options, '{ stepsPerPhase: number }');
    assertInt('options.stepsPerPhase', options.stepsPerPhase, 1);
    const isKernel = (name: string): boolean =>
      space.dimensions.find((d) => d.name === name)?.targets.every((t) => t.field === 'kernelSize') === true &&
      (space.dimensions.find((d) => d.name === name)?.targets.length ?? 0) > 0;
    const kernels = space.dimensions.filter((d) => isKernel(d.name));
    const widths = space.dimensions.filter((d) => !isKernel(d.name));
    const kernelAllow: Record<string, 'all'> = Object.fromEntries(kernels.map((d) => [d.name, 'all' as const]));
    const phases: ShrinkingPhase[] = [];
    if (kernels.length > 0) phases.push({ steps: options.stepsPerPhase, allow: { ...kernelAllow } });
    const longest = Math.max(1, ...widths.map((d) => d.choices.length));
    for (let k = 2; k <= longest; k++)
      phases.push({
        steps: options.stepsPerPhase,
        allow: { ...kernelAllow, ...Object.fromEntries(widths.map((d) => [d.name, d.choices.slice(-k)])) },
      });
    if (phases.length === 0) phases.push({ allow: {} });
    delete (phases[phases.length - 1] as ShrinkingPhase).steps;
    return phases;
  }

  /**
   * The phase (0-based index into `options.phases`) of a training step.
   *
   * @example
   * ```ts
   * const space = SearchSpace.fromModel(supernet);
   * const sampler = new ProgressiveShrinking(space, { phases: ProgressiveShrinking.ofaPhases(space, { stepsPerPhase: 500 }) });
   * for (let step = 1; step < 5000; step++) if (sampler.phaseOf(step) !== sampler.phaseOf(step - 1)) console.log('phase', sampler.phaseOf(step));
   * ```
   */
  phaseOf(step: number): number {
    assertInt('step', step, 0, Number.MAX_SAFE_INTEGER);
    let end = 0;
    for (let p = 0; p < this.phases.length; p++) {
      const steps = this.phases[p]?.steps ?? null;
      if (steps === null) return p;
      end += steps;
      if (step < end) return p;
    }
    return this.phases.length - 1;
  }

  /** The state, with the phase of the last step served (informative; restored from `lastStep`). */
  override getState(): SamplerState {
    const state = super.getState();
    return { ...state, phase: this.lastStep === null ? 0 : this.phaseOf(this.lastStep) };
  }

  protected params(): Record<string, unknown> {
    return { phases: this.phases };
  }

  protected pick(step: number, rng: Random): number[] {
    const allowed = this.allowed[this.phaseOf(step)] as number[][];
    return allowed.map((a) => a[rng.int(a.length)] as number);
  }
}
