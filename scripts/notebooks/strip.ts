/**
 * Removes what a run leaves in notebooks (outputs, execution counts, run metadata), in place:
 *
 *   npx tsx scripts/notebooks/strip.ts [--check] [FILE.ipynb ...]
 *
 * Without files, every notebook in examples/notebooks. With --check nothing is written; the exit
 * status is 1 if a notebook is not stripped (what tests/notebooks checks).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { NOTEBOOKS_DIR, REPO } from './jupyter.js';
import { readNotebook, strippedProblems, stripNotebook, writeNotebook } from './notebook.js';

const { values, positionals } = parseArgs({ options: { check: { type: 'boolean' } }, allowPositionals: true });
const files =
  positionals.length > 0
    ? positionals
    : readdirSync(NOTEBOOKS_DIR)
        .filter((f) => f.endsWith('.ipynb'))
        .map((f) => join(NOTEBOOKS_DIR, f));

let dirty = 0;
for (const file of files) {
  const nb = readNotebook(file);
  const problems = strippedProblems(nb);
  if (problems.length === 0) continue;
  dirty++;
  if (values.check === true) {
    console.error(`${relative(REPO, file)}: not stripped (${problems.join('; ')})`);
  } else {
    writeNotebook(file, stripNotebook(nb));
    console.log(`stripped ${relative(REPO, file)}`);
  }
}
process.exit(values.check === true && dirty > 0 ? 1 : 0);
