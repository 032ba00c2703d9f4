/**
 * Reliability of the util module's public API: `Random` (issue 12: `normalArray(3, NaN)` gave
 * NaNs, `choice([])` threw a RangeError) and `describeValue`, the errors' renderer. Properties:
 * any seed, size or argument gives a result within its contract (uniforms in [0, 1), integers in
 * [0, n), distinct samples, permutations, a state that continues the sequence) or a
 * GanCompressError; `describeValue` never throws and prints NaN and ±Infinity as such.
 */
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import {
  BackendError,
  ConfigError,
  describeValue,
  GanCompressError,
  ModelFileError,
  Random,
  ShapeError,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { anyNumber, check, JUNK, probe, Tally } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const tally = new Tally();
afterAll(() => console.log(tally.summary('util')));

/** A count as a user might pass it. */
const count = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 4 },
  { arbitrary: fc.oneof(anyNumber, JUNK), weight: 1 },
);

describeBackends(
  'util: issue 12 cases',
  () => {
    it('Random.normalArray refuses a NaN, infinite or negative std and a bad size', () => {
      const rng = new Random(1);
      expect(() => rng.normalArray(3, NaN)).toThrow(ConfigError);
      expect(() => rng.normalArray(3, NaN)).toThrow(/^std: got NaN, expected a finite number >= 0/);
      expect(() => rng.normalArray(3, Infinity)).toThrow(/^std: got Infinity/);
      expect(() => rng.normalArray(3, -1)).toThrow(/^std: got -1/);
      expect(() => rng.normalArray(-1)).toThrow(/^size: got -1, expected an integer in \[0, 2147483647\]/);
      expect(() => rng.normalArray(2.5)).toThrow(/^size: got 2.5/);
      expect(rng.normalArray(0)).toEqual(new Float32Array(0));
    });

    it('Random.choice of an empty list is a ConfigError (was a RangeError)', () => {
      expect(() => new Random(1).choice([])).toThrow(ConfigError);
      expect(() => new Random(1).choice([])).toThrow(/^items: got \[\], expected a non-empty array/);
      expect(() => new Random(1).shuffle('abc' as never)).toThrow(/^items: got 'abc', expected an array/);
    });
  },
  ['cpu'],
);

describeBackends(
  'util: properties',
  () => {
    it('Random: any seed and argument gives values within the contract, or a named error', () => {
      check(
        fc.property(fc.oneof({ arbitrary: fc.integer(), weight: 4 }, anyNumber, JUNK), count, count, (seed, n, k) => {
          let rng: Random | null = null;
          probe(
            tally,
            'Random',
            () => new Random(seed as number),
            (r) => (rng = r),
          );
          if (rng == null) return;
          const r: Random = rng;
          probe(
            tally,
            'Random.next',
            () => r.next(),
            (u) => expect(u >= 0 && u < 1).toBe(true),
          );
          probe(
            tally,
            'Random.nextUint32',
            () => r.nextUint32(),
            (u) => {
              expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
            },
          );
          probe(
            tally,
            'Random.int',
            () => r.int(n as number),
            (i) => {
              expect(Number.isInteger(i) && i >= 0 && i < (n as number)).toBe(true);
            },
          );
          probe(
            tally,
            'Random.normal',
            () => r.normal(),
            (v) => expect(Number.isFinite(v)).toBe(true),
          );
          probe(
            tally,
            'Random.normalArray',
            () => r.normalArray(n as number, (k as number) / 4),
            (a) => {
              expect(a.length).toBe(n);
              expect(a.every((v) => Number.isFinite(v))).toBe(true);
              if (k === 0) expect(a.every((v) => v === 0)).toBe(true);
            },
          );
          probe(
            tally,
            'Random.sample',
            () => r.sample(n as number, k as number),
            (s) => {
              expect(s.length).toBe(k);
              expect(new Set(s).size).toBe(k);
              expect(s.every((i) => Number.isInteger(i) && i >= 0 && i < (n as number))).toBe(true);
            },
          );
          const items = Array.from(
            { length: typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 40 ? n : 0 },
            (_, i) => i,
          );
          probe(
            tally,
            'Random.choice',
            () => r.choice(items),
            (c) => expect(items).toContain(c),
          );
          probe(
            tally,
            'Random.shuffle',
            () => r.shuffle([...items]),
            (p) => {
              expect([...p].sort((a, b) => a - b)).toEqual(items);
            },
          );
          // getState → fromState continues the same sequence, the pending normal included
          probe(
            tally,
            'Random.getState',
            () => r.getState(),
            (state) => {
              const copy = Random.fromState(JSON.parse(JSON.stringify(state)) as never);
              expect([copy.normal(), copy.next(), copy.nextUint32()]).toEqual([r.normal(), r.next(), r.nextUint32()]);
            },
          );
        }),
        150,
      );
    });

    it('Random.fromState: a damaged state is a named error, never a generator that repeats zeros', () => {
      const good = new Random(3).getState();
      check(
        fc.property(
          fc.oneof(
            JUNK,
            fc.record({ kind: fc.constantFrom<unknown>('xoshiro128**', 'mt19937', 1) }),
            fc.record({
              kind: fc.constant('xoshiro128**'),
              words: fc.oneof(
                {
                  arbitrary: fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 4, maxLength: 4 }),
                  weight: 3,
                },
                { arbitrary: fc.constant([0, 0, 0, 0]), weight: 1 },
                {
                  arbitrary: fc.array(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), anyNumber), { maxLength: 5 }),
                  weight: 1,
                },
                { arbitrary: JUNK, weight: 1 },
              ),
              spareNormal: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, anyNumber, JUNK),
            }),
          ),
          (state) => {
            probe(
              tally,
              'Random.fromState',
              () => Random.fromState(state as never),
              (rng) => {
                const w = rng.getState().words;
                expect(w.some((v) => v !== 0)).toBe(true);
                expect(Number.isFinite(rng.normal())).toBe(true);
              },
            );
          },
        ),
        150,
      );
      probe(
        tally,
        'Random.fromState',
        () => Random.fromState(good),
        () => undefined,
      );
    });

    it('describeValue: any value prints on one line, never throws, and NaN / ±Infinity print as such', () => {
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      check(
        fc.property(fc.oneof(fc.anything(), anyNumber, fc.constantFrom<unknown>(cyclic, 10n, Symbol('s'))), (value) => {
          probe(
            tally,
            'describeValue',
            () => describeValue(value),
            (text) => {
              expect(typeof text).toBe('string');
              expect(text.length).toBeLessThanOrEqual(120);
              if (typeof value === 'number') expect(text).toBe(String(value));
            },
          );
        }),
        300,
      );
      expect(describeValue([NaN, Infinity, { a: -Infinity }])).toBe('[NaN,Infinity,{"a":-Infinity}]');
    });

    it('the error classes: each is a GanCompressError naming its argument, the value and the expectation', () => {
      check(
        fc.property(
          fc.string({ maxLength: 8 }),
          anyNumber,
          fc.string({ maxLength: 8 }),
          (argument, value, expected) => {
            const errors: [string, () => GanCompressError][] = [
              ['ConfigError', () => new ConfigError(argument, value, expected)],
              ['ShapeError', () => new ShapeError(argument, [value, 1], expected)],
              ['BackendError', () => new BackendError(expected)],
              ['ModelFileError', () => new ModelFileError(argument, expected)],
              ['GanCompressError', () => new GanCompressError(expected)],
            ];
            for (const [name, make] of errors) {
              probe(tally, name, make, (e) => {
                expect(e).toBeInstanceOf(GanCompressError);
                expect(e.name).toBe(name);
                expect(e.message).toContain(expected);
                if (name === 'ConfigError')
                  expect(e.message).toBe(`${argument}: got ${String(value)}, expected ${expected}`);
              });
            }
          },
        ),
        60,
      );
    });
  },
  ['cpu'],
);

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.util));
