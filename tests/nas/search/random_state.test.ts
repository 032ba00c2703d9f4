import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConfigError, Random, type RandomState } from '../../../src/index.js';

describe('Random state', () => {
  it('continues the exact stream after a JSON round trip, at any position', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 50 }), (seed, skip) => {
        const rng = new Random(seed);
        for (let i = 0; i < skip; i++) rng.nextUint32();
        const resumed = Random.fromState(JSON.parse(JSON.stringify(rng.getState())) as RandomState);
        const a = Array.from({ length: 10 }, () => rng.nextUint32());
        const b = Array.from({ length: 10 }, () => resumed.nextUint32());
        expect(b).toEqual(a);
      }),
      { seed: 14, numRuns: 50 },
    );
  });

  it('keeps the pending Box–Muller value', () => {
    const rng = new Random(3);
    rng.normal(); // leaves the second value of the pair pending
    const state = rng.getState();
    expect(state.spareNormal).not.toBeNull();
    const resumed = Random.fromState(state);
    expect(resumed.normal()).toBe(rng.normal());
    expect(resumed.normal()).toBe(rng.normal());
  });

  it('does not share state with the generator it came from', () => {
    const rng = new Random(5);
    const copy = Random.fromState(rng.getState());
    rng.next();
    expect(copy.getState()).not.toEqual(rng.getState());
  });

  it('refuses malformed states, naming the field', () => {
    const good = new Random(1).getState();
    expect(() => Random.fromState(null as unknown as RandomState)).toThrow(ConfigError);
    expect(() => Random.fromState({ ...good, kind: 'mt' } as unknown as RandomState)).toThrow(/state: got/);
    expect(() => Random.fromState({ ...good, words: [1, 2, 3] } as unknown as RandomState)).toThrow(
      /state\.words: got \[1,2,3\]/,
    );
    expect(() => Random.fromState({ ...good, words: [0, 0, 0, 0] })).toThrow(/not all 0/);
    expect(() => Random.fromState({ ...good, words: [1, 2, 3, 2 ** 32] })).toThrow(/state\.words/);
    expect(() => Random.fromState({ ...good, spareNormal: NaN })).toThrow(/state\.spareNormal: got NaN/);
  });
});
