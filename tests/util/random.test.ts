import { describe, expect, it } from 'vitest';
import { ConfigError, Random } from '../../src/index.js';

// From tests/fixtures/scripts/random_reference.py, an independent Python implementation.
const REFERENCE: Record<string, number[]> = {
  '0': [3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335],
  '1': [2442144158, 3238099751, 3819917871, 2104621829, 2021136066, 4223536128],
  '42': [2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290],
  '2147483647': [4273413024, 512412270, 2725035094, 3323596758, 4045068010, 1250192254],
};

describe('Random', () => {
  it('produces the reference xoshiro128** stream for each seed', () => {
    for (const [seed, expected] of Object.entries(REFERENCE)) {
      const rng = new Random(Number(seed));
      expect(expected.map(() => rng.nextUint32())).toEqual(expected);
    }
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
  });

  it('draws uniform, integer and normal values with the right moments', () => {
    const rng = new Random(123);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let uSum = 0;
    const counts = new Array(6).fill(0);
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      uSum += u;
      counts[rng.int(6)]++;
    }
    // Standard errors: mean 1/sqrt(n) ≈ 0.0022, variance sqrt(2/n) ≈ 0.0032; allow 5σ.
    expect(Math.abs(sum / n)).toBeLessThan(0.012);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.016);
    expect(Math.abs(uSum / n - 0.5)).toBeLessThan(0.0033);
    for (const c of counts) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(0.0042);
  });

  it('samples distinct indices without replacement and shuffles as a permutation', () => {
    const rng = new Random(5);
    const s = rng.sample(50, 20);
    expect(new Set(s).size).toBe(20);
    expect(s.every((i) => Number.isInteger(i) && i >= 0 && i < 50)).toBe(true);
    const items = Array.from({ length: 30 }, (_, i) => i);
    const shuffled = rng.shuffle([...items]);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect([8, 16, 24]).toContain(rng.choice([8, 16, 24]));
  });

  it('rejects bad arguments with the argument named', () => {
    expect(() => new Random(1.5)).toThrow(ConfigError);
    expect(() => new Random(1.5)).toThrow(/seed: got 1.5, expected an integer/);
    expect(() => new Random(1).int(0)).toThrow(/n: got 0, expected an integer >= 1/);
    expect(() => new Random(1).sample(3, 4)).toThrow(/k: got 4, expected an integer in \[0, 3\]/);
    expect(() => new Random(1).choice([])).toThrow(/items: got \[\], expected a non-empty array/);
  });
});
