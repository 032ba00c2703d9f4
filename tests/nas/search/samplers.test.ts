import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AnycostSampler,
  ConfigError,
  ProgressiveShrinking,
  SandwichSampler,
  SearchSpace,
  UniformSampler,
  type SamplerState,
  type SubnetSampler,
} from '../../../src/index.js';

/** Widths 8·(1..n) per width dimension w<i>, plus kernel dimensions k<j> (3, 5, 7). */
function space(widths: readonly number[], kernels = 0): SearchSpace {
  return new SearchSpace([
    ...widths.map((n, i) => ({
      name: `w${i}`,
      choices: Array.from({ length: n }, (_, c) => 8 * (c + 1)),
      targets: [{ layer: `l${i}`, field: 'outChannels' as const, scale: 1 }],
    })),
    ...Array.from({ length: kernels }, (_, j) => ({
      name: `k${j}.kernelSize`,
      choices: [3, 5, 7],
      targets: [{ layer: `k${j}`, field: 'kernelSize' as const, scale: 1 }],
    })),
  ]);
}

type Make = (s: SearchSpace, seed: number) => SubnetSampler;
const SAMPLERS: [string, Make][] = [
  ['UniformSampler', (s, seed) => new UniformSampler(s, { seed })],
  ['SandwichSampler', (s, seed) => new SandwichSampler(s, { seed, n: 3 })],
  ['AnycostSampler uniform', (s, seed) => new AnycostSampler(s, { seed, mode: 'uniform' })],
  ['AnycostSampler flexible', (s, seed) => new AnycostSampler(s, { seed, mode: 'flexible' })],
  ['AnycostSampler sandwich', (s, seed) => new AnycostSampler(s, { seed, mode: 'sandwich' })],
  [
    'ProgressiveShrinking',
    (s, seed) => new ProgressiveShrinking(s, { seed, phases: ProgressiveShrinking.ofaPhases(s, { stepsPerPhase: 5 }) }),
  ],
];

const arbSpace = fc
  .tuple(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 2 }))
  .map(([w, k]) => space(w, k));

describe('samplers (properties)', () => {
  for (const [name, make] of SAMPLERS) {
    it(`${name}: always a point of the space, a function of (seed, step), restored from its JSON state`, () => {
      fc.assert(
        fc.property(
          arbSpace,
          fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 8 }),
          (s, seed, steps) => {
            const a = make(s, seed);
            const b = make(s, seed);
            const configs = steps.map((step) => a.next(step));
            for (const c of configs) expect(s.contains(c)).toBe(true);
            // The same steps in another order give the same configs.
            const reversed = [...steps].reverse().map((step) => b.next(step));
            expect(reversed.reverse()).toEqual(configs);
            // A fresh sampler with another seed, restored from the JSON state, continues identically.
            const state = JSON.parse(JSON.stringify(a.getState())) as SamplerState;
            const c = make(s, seed ^ 0x5a5a);
            c.setState(state);
            expect(steps.map((step) => c.next(step))).toEqual(configs);
            expect(c.getState()).toEqual(a.getState());
          },
        ),
        { seed: 14, numRuns: 60 },
      );
    });
  }

  it('different seeds draw different sequences', () => {
    const s = space([6, 6, 6, 6]);
    for (const [name, make] of SAMPLERS) {
      const a = Array.from({ length: 40 }, (_, i) => make(s, 1).next(i));
      const b = Array.from({ length: 40 }, (_, i) => make(s, 2).next(i));
      expect(a, name).not.toEqual(b);
    }
  });
});

describe('UniformSampler', () => {
  it('draws each choice of each dimension with frequency 1/n, independently', () => {
    const s = space([2, 3, 5]);
    const sampler = new UniformSampler(s, { seed: 11 });
    const n = 9000;
    const counts = s.dimensions.map((d) => new Array<number>(d.choices.length).fill(0));
    const pairs = new Array<number>(10).fill(0);
    for (let step = 0; step < n; step++) {
      const p = s.encode(sampler.next(step));
      p.forEach((v, d) => (counts[d]![v]! += 1));
      pairs[(p[0] as number) * 5 + (p[2] as number)]! += 1;
    }
    counts.forEach((row) => row.forEach((c) => expect(Math.abs(c / n - 1 / row.length)).toBeLessThan(0.02)));
    // Joint frequencies of two dimensions are the product of the marginals (1/10).
    pairs.forEach((c) => expect(Math.abs(c / n - 0.1)).toBeLessThan(0.02));
  });
});

describe('SandwichSampler', () => {
  it('serves the largest, the smallest, then n random, in turn', () => {
    const s = space([4, 4, 4]);
    const sampler = new SandwichSampler(s, { n: 2, seed: 3 });
    const points = Array.from({ length: 12 }, (_, step) => s.encode(sampler.next(step)));
    for (let round = 0; round < 3; round++) {
      expect(points[4 * round]).toEqual([3, 3, 3]);
      expect(points[4 * round + 1]).toEqual([0, 0, 0]);
    }
    const randoms = points.filter((_, i) => i % 4 >= 2);
    expect(new Set(randoms.map((p) => p.join())).size).toBeGreaterThan(3);
    const none = new SandwichSampler(s, { n: 0 });
    expect([0, 1, 2, 3].map((step) => s.encode(none.next(step)))).toEqual([
      [3, 3, 3],
      [0, 0, 0],
      [3, 3, 3],
      [0, 0, 0],
    ]);
  });
});

describe('AnycostSampler', () => {
  const ratioSpace = new SearchSpace(
    [32, 64, 16].map((max, i) => ({
      name: `w${i}`,
      choices: [0.25, 0.5, 0.75, 1].map((r) => r * max),
      targets: [{ layer: `l${i}`, field: 'outChannels' as const, scale: 1 }],
    })),
  );
  const ratiosOf = (values: Record<string, number>): number[] =>
    Object.values(values).map((v, i) => v / ([32, 64, 16][i] as number));

  it("'uniform' puts every dimension at one ratio, each ratio a quarter of the time", () => {
    const sampler = new AnycostSampler(ratioSpace, { mode: 'uniform', seed: 1 });
    const counts = new Map<number, number>();
    for (let step = 0; step < 4000; step++) {
      const r = ratiosOf(ratioSpace.values(ratioSpace.encode(sampler.next(step))));
      expect(new Set(r).size).toBe(1);
      counts.set(r[0] as number, (counts.get(r[0] as number) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([0.25, 0.5, 0.75, 1]);
    for (const c of counts.values()) expect(Math.abs(c / 4000 - 0.25)).toBeLessThan(0.03);
  });

  it("'flexible' draws a ratio per dimension; 'sandwich' is all-largest 1/4, all-smallest 1/4 of the time", () => {
    const flexible = new AnycostSampler(ratioSpace, { mode: 'flexible', seed: 2 });
    let mixed = 0;
    for (let step = 0; step < 2000; step++) {
      const r = ratiosOf(ratioSpace.values(ratioSpace.encode(flexible.next(step))));
      if (new Set(r).size > 1) mixed++;
    }
    // Probability that three independent ratios are not all equal: 1 − 4/64.
    expect(Math.abs(mixed / 2000 - 60 / 64)).toBeLessThan(0.02);
    const sandwich = new AnycostSampler(ratioSpace, { mode: 'sandwich', seed: 3 });
    let largest = 0;
    let smallest = 0;
    const n = 8000;
    for (let step = 0; step < n; step++) {
      const p = ratioSpace.encode(sandwich.next(step));
      if (p.every((v) => v === 3)) largest++;
      if (p.every((v) => v === 0)) smallest++;
    }
    // 1/4 chosen outright plus 1/2 · (1/4)^3 from the flexible draws.
    const expected = 0.25 + 0.5 / 64;
    expect(Math.abs(largest / n - expected)).toBeLessThan(0.02);
    expect(Math.abs(smallest / n - expected)).toBeLessThan(0.02);
  });

  it('maps ratios to the nearest choice on any space', () => {
    const s = space([8]); // 8..64
    const sampler = new AnycostSampler(s, { mode: 'uniform', ratios: [0.3, 1], seed: 0 });
    const seen = new Set(Array.from({ length: 50 }, (_, step) => s.values(s.encode(sampler.next(step)))['w0']));
    expect([...seen].sort((a, b) => (a as number) - (b as number))).toEqual([16, 64]); // 0.3·64 = 19.2 → 16
  });
});

describe('ProgressiveShrinking', () => {
  const s = space([4, 3], 1);

  it("ofaPhases: kernels first, then one more smaller width per phase (OFA's 6 → {4,6} → {3,4,6})", () => {
    const phases = ProgressiveShrinking.ofaPhases(s, { stepsPerPhase: 100 });
    expect(phases).toEqual([
      { steps: 100, allow: { 'k0.kernelSize': 'all' } },
      { steps: 100, allow: { 'k0.kernelSize': 'all', w0: [24, 32], w1: [16, 24] } },
      { steps: 100, allow: { 'k0.kernelSize': 'all', w0: [16, 24, 32], w1: [8, 16, 24] } },
      { allow: { 'k0.kernelSize': 'all', w0: [8, 16, 24, 32], w1: [8, 16, 24] } },
    ]);
  });

  it('draws within the phase of each step, uniformly over its allowed values', () => {
    const sampler = new ProgressiveShrinking(s, {
      phases: ProgressiveShrinking.ofaPhases(s, { stepsPerPhase: 100 }),
      seed: 4,
    });
    expect([0, 99, 100, 199, 200, 299, 300, 10 ** 9].map((step) => sampler.phaseOf(step))).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3,
    ]);
    const seen: Set<string>[][] = [0, 1, 2, 3].map(() => s.dimensions.map(() => new Set<string>()));
    for (let step = 0; step < 400; step++) {
      const values = s.values(s.encode(sampler.next(step)));
      Object.values(values).forEach((v, d) => seen[sampler.phaseOf(step)]![d]!.add(String(v)));
    }
    const sorted = (set: Set<string>): number[] => [...set].map(Number).sort((a, b) => a - b);
    expect(seen.map((phase) => phase.map(sorted))).toEqual([
      [[32], [24], [3, 5, 7]],
      [
        [24, 32],
        [16, 24],
        [3, 5, 7],
      ],
      [
        [16, 24, 32],
        [8, 16, 24],
        [3, 5, 7],
      ],
      [
        [8, 16, 24, 32],
        [8, 16, 24],
        [3, 5, 7],
      ],
    ]);
    expect(sampler.getState()['phase']).toBe(3);
  });

  it('refuses malformed phases, naming them', () => {
    const make = (phases: unknown): ProgressiveShrinking => new ProgressiveShrinking(s, { phases } as never);
    expect(() => make([])).toThrow(/options\.phases: got \[\]/);
    expect(() => make([{ allow: {} }, { allow: {} }])).toThrow(/options\.phases\[0\]\.steps: got undefined/);
    expect(() => make([{ steps: 0, allow: {} }])).toThrow(/options\.phases\[0\]\.steps: got 0/);
    expect(() => make([{ allow: { w9: 'all' } }])).toThrow(/options\.phases\[0\]\.allow\.w9: got 'all'/);
    expect(() => make([{ allow: { w0: [12] } }])).toThrow(/options\.phases\[0\]\.allow\.w0: got \[12\]/);
    expect(() => ProgressiveShrinking.ofaPhases(s, { stepsPerPhase: 1.5 })).toThrow(/options\.stepsPerPhase/);
  });
});

describe('sampler states and arguments', () => {
  const s = space([3, 3]);

  it('setState refuses the state of another sampler, another space or other parameters', () => {
    const uniform = new UniformSampler(s, { seed: 1 });
    const sandwich = new SandwichSampler(s, { n: 2 });
    expect(() => uniform.setState(sandwich.getState())).toThrow(
      /state\.kind: got 'SandwichSampler', expected 'UniformSampler'/,
    );
    expect(() => new UniformSampler(space([3, 4])).setState(uniform.getState())).toThrow(/state\.space: got '/);
    expect(() => new SandwichSampler(s, { n: 3 }).setState(sandwich.getState())).toThrow(
      /state\.n: got 2, expected 3, as this sampler was built with/,
    );
    expect(() => uniform.setState({ ...uniform.getState(), seed: 0.5 })).toThrow(/state\.seed: got 0\.5/);
    expect(() => uniform.setState(null as never)).toThrow(ConfigError);
    expect(() =>
      new AnycostSampler(s, { mode: 'uniform' }).setState(new AnycostSampler(s, { mode: 'flexible' }).getState()),
    ).toThrow(/state\.mode: got 'flexible', expected 'uniform'/);
  });

  it('refuses bad steps and options, naming them', () => {
    const sampler = new UniformSampler(s);
    expect(() => sampler.next(-1)).toThrow(/step: got -1, expected an integer in \[0, /);
    expect(() => sampler.next(1.5)).toThrow(/step: got 1\.5/);
    expect(() => new UniformSampler(s, { seed: 0.5 })).toThrow(/options\.seed: got 0\.5/);
    expect(() => new UniformSampler({} as never)).toThrow(/space: got \{\}, expected a SearchSpace/);
    expect(() => new SandwichSampler(s, { n: -1 })).toThrow(/options\.n: got -1/);
    expect(() => new AnycostSampler(s, { mode: 'random' as never })).toThrow(/options\.mode: got 'random'/);
    expect(() => new AnycostSampler(s, { ratios: [0, 1] })).toThrow(/options\.ratios: got \[0,1\]/);
  });
});
