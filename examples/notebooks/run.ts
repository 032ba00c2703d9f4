/**
 * Executes the example notebooks as CI does: Debian's jupyter-nbconvert, the tslab kernel, the built
 * package (run `npm run build` first). Executed copies, with every output, go to .tmp/notebooks/.
 *
 *   npx tsx examples/notebooks/run.ts [--out DIR] [--dist DIR] [NAME ...]
 *
 * NAME selects notebooks by file-name prefix (`01`, `02_elastic`); none runs all of them. Exits 1 if
 * any cell fails, a notebook shows no picture, or jupyter is missing.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  executeNotebook,
  installBuiltPackage,
  installTslabKernel,
  jupyterMissing,
  NOTEBOOKS_DIR,
  REPO,
} from '../../scripts/notebooks/jupyter.js';
import { readNotebook, strippedProblems, summariseOutputs } from '../../scripts/notebooks/notebook.js';

const { values, positionals } = parseArgs({
  options: { out: { type: 'string' }, dist: { type: 'string' } },
  allowPositionals: true,
});
const outDir = values.out ?? join(REPO, '.tmp', 'notebooks');
const all = readdirSync(NOTEBOOKS_DIR)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();
const chosen = positionals.length === 0 ? all : all.filter((f) => positionals.some((p) => f.startsWith(p)));
if (chosen.length === 0) {
  console.error(`no notebook matches ${positionals.join(', ')}; have ${all.join(', ')}`);
  process.exit(1);
}

const missing = jupyterMissing();
if (missing != null) {
  console.error(`cannot run the notebooks: ${missing}`);
  process.exit(1);
}

installBuiltPackage(values.dist);
const scratch = mkdtempSync(join(tmpdir(), 'gancompress-notebooks-'));
let failed = 0;
try {
  const jupyterPath = installTslabKernel(scratch);
  for (const file of chosen) {
    const source = join(NOTEBOOKS_DIR, file);
    const unstripped = strippedProblems(readNotebook(source));
    if (unstripped.length > 0)
      console.warn(`${file}: has run output (${unstripped[0]}, ...); strip it before committing`);
    const output = join(outDir, file);
    const result = executeNotebook(source, output, { jupyterPath, runtimeDir: join(scratch, 'runtime') });
    if (!result.ok) {
      failed++;
      console.error(`FAIL ${file} (${result.seconds.toFixed(1)} s)\n${result.log}`);
      continue;
    }
    const summary = summariseOutputs(readNotebook(output));
    const pictures = Object.entries(summary.images).map(([type, n]) => `${n} ${type}`);
    if (pictures.length === 0) {
      failed++;
      console.error(`FAIL ${file}: ran but shows no picture`);
      continue;
    }
    console.log(`ok   ${file} (${result.seconds.toFixed(1)} s, ${pictures.join(', ')}) → ${relative(REPO, output)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed > 0 ? 1 : 0);
