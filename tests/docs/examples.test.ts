/**
 * Every TSDoc `@example` in src/ type-checks: as a fragment that sees the library's public names, `tf`
 * (@tensorflow/tfjs), `tfl`, `fs`, its own file's exports and the few variables of PRELUDE (tests/docs/typecheck.ts).
 */
import { expect, it } from 'vitest';
import { sourceFiles, tsdocExamples } from './extract.js';
import { typecheckSamples } from './typecheck.js';

it('every @example compiles', () => {
  const samples = sourceFiles()
    .flatMap(tsdocExamples)
    .map((sample) => ({ sample, kind: 'fragment' as const }));
  expect(samples.length).toBeGreaterThan(100);
  const problems = typecheckSamples(samples, 'examples-typecheck');
  expect(problems.join('\n')).toBe('');
});
