/**
 * The reliability suite covers the whole public API: every function and class src/index.ts
 * exports is probed by one family file (tests/reliability/coverage.ts) or listed with a reason in
 * NOT_PROBED; and no list names something src/index.ts no longer exports.
 */
import { expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { FAMILY_EXPORTS, NOT_PROBED } from './coverage.js';

it('every exported function and class of src/index.ts is probed by a family of the reliability suite', () => {
  const exported = Object.entries(api)
    .filter(([, v]) => typeof v === 'function')
    .map(([k]) => k)
    .sort();
  const listed = [...Object.values(FAMILY_EXPORTS).flat(), ...Object.keys(NOT_PROBED)];
  const duplicates = listed.filter((n, i) => listed.indexOf(n) !== i);
  expect(duplicates, 'listed twice').toEqual([]);
  expect(
    exported.filter((n) => !listed.includes(n)),
    'exports without a probe: add them to a family file and to tests/reliability/coverage.ts',
  ).toEqual([]);
  expect(
    listed.filter((n) => !exported.includes(n)),
    'listed but no longer exported by src/index.ts',
  ).toEqual([]);
});
