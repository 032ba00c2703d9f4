/**
 * Every TypeScript block of README.md and docs/*.md is a complete program: it type-checks on its own (imports
 * included) and runs, in order, in a scratch directory (so files it writes land there).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownBlocks, markdownFiles, ROOT } from './extract.js';
import { typecheckSamples } from './typecheck.js';

const files = markdownFiles();
const blocks = files.flatMap(markdownBlocks);

it('every block type-checks as a complete module', () => {
  const problems = typecheckSamples(
    blocks.map((sample) => ({ sample, kind: 'program' as const })),
    'markdown-typecheck',
  );
  expect(problems.join('\n')).toBe('');
});

describe('every block runs', () => {
  const dir = join(ROOT, '.tmp', 'markdown-run');
  let cwd = '';
  const home = process.cwd();
  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cwd = mkdtempSync(join(tmpdir(), 'gancompress-docs-'));
    process.chdir(cwd);
  });
  afterAll(() => {
    process.chdir(home);
    rmSync(cwd, { recursive: true, force: true });
  });
  blocks.forEach((block, i) => {
    it(`${block.label} (line ${block.line})`, async () => {
      const file = join(dir, `block_${String(i).padStart(3, '0')}.ts`);
      writeFileSync(file, `${block.code}\nexport {};\n`);
      await import(file);
    });
  });
});
