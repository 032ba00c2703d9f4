import { describe, expect, it } from 'vitest';
import { ConfigError, describeValue } from '../../../src/util/errors.js';
import {
  assertBoolean,
  assertFinite,
  assertIntList,
  assertKnownKeys,
  closestName,
  editDistance,
} from '../../../src/util/checks.js';

describe('describeValue', () => {
  it('prints NaN and ±Infinity as JavaScript writes them, alone and inside arrays and objects', () => {
    expect(describeValue(NaN)).toBe('NaN');
    expect(describeValue(Infinity)).toBe('Infinity');
    expect(describeValue(-Infinity)).toBe('-Infinity');
    expect(describeValue([1, NaN, Infinity, -Infinity])).toBe('[1,NaN,Infinity,-Infinity]');
    expect(describeValue({ momentum: NaN, pads: [0, -Infinity] })).toBe('{"momentum":NaN,"pads":[0,-Infinity]}');
    // A string that merely looks like one stays a quoted string.
    expect(describeValue(['NaN'])).toBe('["NaN"]');
  });

  it('keeps the other renderings: quoted strings, JSON arrays, truncation at 120 characters', () => {
    expect(describeValue('same')).toBe("'same'");
    expect(describeValue([2, 5])).toBe('[2,5]');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    const long = describeValue(Array.from({ length: 100 }, () => NaN));
    expect(long.length).toBe(120);
    expect(long.endsWith('...')).toBe(true);
    expect(long.startsWith('[NaN,NaN')).toBe(true);
  });

  it('makes error messages name non-finite values', () => {
    expect(() => assertFinite('momentum', NaN)).toThrow('momentum: got NaN, expected a finite number');
    expect(() => assertIntList('sizes', [3, Infinity])).toThrow('sizes: got [3,Infinity], expected a list of integers');
  });
});

describe('editDistance and closestName', () => {
  it('count insertions, deletions, substitutions and neighbour swaps (hand-worked pairs)', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3); // k→s, e→i, +g
    expect(editDistance('filter', 'filters')).toBe(1);
    expect(editDistance('kernelSzie', 'kernelSize')).toBe(1); // one swap
    expect(editDistance('ca', 'abc')).toBe(3); // optimal string alignment, not the unrestricted Damerau distance (2)
    expect(editDistance('useBias', 'useBias')).toBe(0);
  });

  it('suggest the nearest name within a third of the length (at least 2 edits), case-insensitively', () => {
    const keys = ['filters', 'kernelSize', 'kernelSizeChoices', 'padMode', 'useBias'];
    expect(closestName('filter', keys)).toBe('filters');
    expect(closestName('usebias', keys)).toBe('useBias');
    expect(closestName('kernel_size', keys)).toBe('kernelSize'); // one deletion after lower-casing
    expect(closestName('padmod', keys)).toBe('padMode');
    expect(closestName('axis', keys)).toBeUndefined();
    expect(closestName('momentum', keys)).toBeUndefined();
  });
});

describe('shared checks', () => {
  it('assertBoolean refuses truthy and falsy non-booleans', () => {
    expect(() => assertBoolean('useBias', 'no')).toThrow("useBias: got 'no', expected true or false");
    expect(() => assertBoolean('useBias', 0)).toThrow(ConfigError);
    expect(() => assertBoolean('useBias', false)).not.toThrow();
  });

  it('assertFinite words its bounds', () => {
    expect(() => assertFinite('momentum', 2, { min: 0, max: 1 })).toThrow(
      'momentum: got 2, expected a finite number in [0, 1]',
    );
    expect(() => assertFinite('epsilon', 0, { positive: true })).toThrow('expected a finite number > 0');
    expect(() => assertFinite('x', -1, { min: 0 })).toThrow('expected a finite number >= 0');
  });

  it('assertIntList checks entries, length and strict order', () => {
    const spec = { min: 1, minLength: 1, increasing: true };
    expect(() => assertIntList('k', [3, 5, 7], spec)).not.toThrow();
    expect(() => assertIntList('k', [7, 7], spec)).toThrow(
      'k: got [7,7], expected a non-empty, strictly increasing list of integers >= 1',
    );
    expect(() => assertIntList('k', [], spec)).toThrow(ConfigError);
    expect(() => assertIntList('k', [3, 2.5], spec)).toThrow(ConfigError);
    expect(() => assertIntList('k', '3,5', spec)).toThrow(ConfigError);
  });

  it('assertKnownKeys names the first unknown key with a hint, and skips undefined values', () => {
    expect(() => assertKnownKeys('conv', { filter: 8 }, ['filters'], 'an option')).toThrow(
      "conv.filter: got 8, expected an option (did you mean 'filters'?)",
    );
    expect(() => assertKnownKeys('conv', { axis: 1 }, ['filters'], 'an option')).toThrow(
      'conv.axis: got 1, expected an option',
    );
    expect(() => assertKnownKeys('conv', { other: undefined, filters: 3 }, ['filters'], 'an option')).not.toThrow();
  });
});
