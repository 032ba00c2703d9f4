/**
 * The example notebooks (examples/notebooks): committed without outputs, and each executes with
 * Debian's jupyter-nbconvert on the tslab kernel against the built package (dist/, which CI builds
 * before `npm test`), with no cell error, nothing on stderr and at least one picture. The executed
 * copies are left in .tmp/notebooks/.
 *
 * Without jupyter the execution tests are skipped with a warning; set NOTEBOOKS_REQUIRED=1 (CI does)
 * to make that a failure instead. NOTEBOOKS_DIST=<dir> runs them against another build than dist/.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  distMissing,
  executeNotebook,
  installBuiltPackage,
  installTslabKernel,
  jupyterMissing,
  NOTEBOOKS_DIR,
  REPO,
} from '../../scripts/notebooks/jupyter.js';
import {
  cellSource,
  readNotebook,
  strippedProblems,
  stripNotebook,
  summariseOutputs,
} from '../../scripts/notebooks/notebook.js';

const notebooks = readdirSync(NOTEBOOKS_DIR)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();
const missing = jupyterMissing();
const required = process.env.NOTEBOOKS_REQUIRED === '1';
if (missing != null && !required) {
  console.warn(
    `\n*** tests/notebooks: NOT executing the ${notebooks.length} example notebooks: ${missing}.\n` +
      '*** Install it to run them (CI sets NOTEBOOKS_REQUIRED=1, which turns this into a failure).\n',
  );
}

describe('example notebooks as committed', () => {
  it('are the four stories, each on the tslab kernel', () => {
    expect(notebooks).toHaveLength(4);
    for (const file of notebooks) {
      const nb = readNotebook(join(NOTEBOOKS_DIR, file));
      expect((nb.metadata.kernelspec as { name?: string } | undefined)?.name, file).toBe('tslab');
      const kinds = new Set(nb.cells.map((c) => c.cell_type));
      expect([...kinds].sort(), `${file}: prose and code`).toEqual(['code', 'markdown']);
      expect(
        nb.cells.filter((c) => cellSource(c).trim() === ''),
        `${file}: empty cells`,
      ).toEqual([]);
    }
  });

  it.each(notebooks)('%s has no outputs, execution counts or run metadata', (file) => {
    const nb = readNotebook(join(NOTEBOOKS_DIR, file));
    expect(strippedProblems(nb), `strip it: npx tsx scripts/notebooks/strip.ts examples/notebooks/${file}`).toEqual([]);
    expect(stripNotebook(nb)).toEqual(nb);
  });
});

describe.skipIf(missing != null && !required)('example notebooks executed', () => {
  let scratch = '';
  let jupyterPath = '';

  beforeAll(() => {
    if (missing != null) throw new Error(`NOTEBOOKS_REQUIRED=1 but ${missing}`);
    const dist = process.env.NOTEBOOKS_DIST;
    const noDist = distMissing(dist);
    if (noDist != null) throw new Error(`the notebooks run against the built package: ${noDist}`);
    installBuiltPackage(dist);
    scratch = mkdtempSync(join(tmpdir(), 'gancompress-notebooks-'));
    jupyterPath = installTslabKernel(scratch);
  });

  afterAll(() => {
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  it.each(notebooks)(
    '%s runs every cell without error and shows pictures',
    (file) => {
      // Kept after the run (.tmp/ is ignored by git): the executed notebooks, pictures included.
      const output = join(REPO, '.tmp', 'notebooks', file);
      const result = executeNotebook(join(NOTEBOOKS_DIR, file), output, {
        jupyterPath,
        runtimeDir: join(scratch, 'runtime'),
      });
      expect(result.ok, result.log).toBe(true);
      const summary = summariseOutputs(readNotebook(output));
      expect(summary.errors).toEqual([]);
      expect(summary.stderr, 'nothing written to stderr (warnings included)').toEqual([]);
      expect(Object.keys(summary.images).length, `${file} shows no picture`).toBeGreaterThan(0);
    },
    300_000,
  );
});
