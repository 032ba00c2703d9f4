/**
 * Executing the example notebooks with Debian's jupyter-nbconvert and the tslab kernel, against the
 * built package. Used by examples/notebooks/run.ts and tests/notebooks.
 *
 * tslab type-checks every cell with TypeScript's Node10 module resolution, which knows neither package
 * self-references nor `exports` maps, so `import ... from 'gancompress'` needs a real
 * `node_modules/gancompress` next to the notebooks. `installBuiltPackage` makes one: a copy of
 * package.json and dist/ — what the published package holds — in examples/notebooks/node_modules
 * (ignored by git), whose own imports (the tfjs peers) resolve upward to the repository's node_modules,
 * the same copies the notebooks import. examples/notebooks/package.json makes that directory a package
 * scope of its own, so that at run time too `require('gancompress')` finds the copy rather than the
 * repository through Node's self-reference. A copy, not a link, so a concurrent rebuild of dist/ (tsup
 * empties it first) cannot pull files from under a running kernel.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNotebook, summariseOutputs } from './notebook.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NOTEBOOKS_DIR = join(REPO, 'examples', 'notebooks');
/** Debian's python with nbconvert and nbclient (not a pyenv `python3` that may come first on PATH). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** The files of dist/ the notebooks need: CommonJS (tslab runs cells as CommonJS) and its types. */
const DIST_FILES = ['index.cjs', 'index.d.cts', 'index.js', 'index.d.ts'];

/** Why the notebooks cannot run here (a sentence naming what to install), or null when they can. */
export function jupyterMissing(): string | null {
  const jupyter = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
  if (jupyter.error != null || jupyter.status !== 0)
    return 'jupyter nbconvert not found (Debian: apt-get install jupyter-nbconvert python3-nbconvert python3-ipykernel)';
  const py = spawnSync(SYSTEM_PYTHON, ['-c', 'import nbconvert, nbclient, jupyter_client'], { encoding: 'utf8' });
  if (py.error != null || py.status !== 0)
    return `${SYSTEM_PYTHON} cannot import nbconvert/nbclient/jupyter_client (Debian: apt-get install python3-nbconvert python3-ipykernel): ${py.stderr.trim()}`;
  return null;
}

/** Why dist/ is not a usable build (a sentence), or null. */
export function distMissing(dist = join(REPO, 'dist')): string | null {
  const absent = DIST_FILES.filter((f) => !existsSync(join(dist, f)));
  return absent.length === 0 ? null : `${dist} lacks ${absent.join(', ')}: run \`npm run build\` first`;
}

/**
 * Copies the built package (package.json and dist/) to examples/notebooks/node_modules/gancompress,
 * replacing an earlier copy. Returns the copy's directory.
 */
export function installBuiltPackage(dist = join(REPO, 'dist')): string {
  const problem = distMissing(dist);
  if (problem != null) throw new Error(problem);
  const target = join(NOTEBOOKS_DIR, 'node_modules', 'gancompress');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(join(target, 'dist'), { recursive: true });
  copyFileSync(join(REPO, 'package.json'), join(target, 'package.json'));
  for (const f of readdirSync(dist)) {
    if (statSync(join(dist, f)).isFile()) copyFileSync(join(dist, f), join(target, 'dist', f));
  }
  // A rebuild that emptied dist/ between the check and the copy would show here.
  const copied = distMissing(join(target, 'dist'));
  if (copied != null) throw new Error(`copying ${dist}: ${copied}`);
  return target;
}

/**
 * Installs the tslab kernel spec under `prefix` (kernels/tslab, kernels/jslab) with `tslab install`,
 * pointing at the repository's tslab and Debian's python. Returns the JUPYTER_PATH to use.
 */
export function installTslabKernel(prefix: string): string {
  const tslab = join(REPO, 'node_modules', '.bin', 'tslab');
  if (!existsSync(tslab)) throw new Error(`${tslab} not found: tslab is a devDependency, run npm ci`);
  execFileSync(tslab, ['install', `--python=${SYSTEM_PYTHON}`, `--binary=${tslab}`, `--prefix=${prefix}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const path = join(prefix, 'share', 'jupyter');
  if (!existsSync(join(path, 'kernels', 'tslab', 'kernel.json')))
    throw new Error(`tslab install wrote no kernels/tslab/kernel.json under ${path}`);
  return path;
}

export interface ExecuteOptions {
  /** The JUPYTER_PATH holding the tslab kernel spec (installTslabKernel). */
  jupyterPath: string;
  /** Where jupyter keeps connection files: a scratch directory, so runs leave nothing in $HOME. */
  runtimeDir: string;
  /** Seconds a single cell may take. */
  cellTimeout?: number;
}

export interface ExecuteResult {
  ok: boolean;
  seconds: number;
  /** nbconvert's output: on failure it quotes the failing cell and its error. */
  log: string;
}

/**
 * Executes `notebook` with `jupyter nbconvert --execute` on the tslab kernel, in the notebook's own
 * directory, writing the executed notebook to `output`. Any cell error fails the run (no
 * --allow-errors). tslab reports a failing cell to nbconvert without its message (type errors and
 * exceptions go to the cell's stderr), so after a failure the notebook is run once more with
 * --allow-errors, and the log quotes what each failing cell printed on stderr.
 */
export function executeNotebook(notebook: string, output: string, options: ExecuteOptions): ExecuteResult {
  const started = performance.now();
  const run = nbconvert(notebook, output, options, false);
  const seconds = (performance.now() - started) / 1000;
  if (run.ok) return { ok: true, seconds, log: run.log };
  // nbconvert's own traceback is Python's; what matters is its last part, which quotes the cell.
  const at = run.log.indexOf('An error occurred while executing the following cell');
  let log = at >= 0 ? run.log.slice(at) : run.log;
  const diagnosis = output.replace(/\.ipynb$/, '.failed.ipynb');
  const again = nbconvert(notebook, diagnosis, options, true);
  if (again.ok) {
    const { errors, stderr } = summariseOutputs(readNotebook(diagnosis));
    log += `\nRun again with --allow-errors (${diagnosis}):\n${[...errors, ...stderr].join('\n')}`;
  }
  return { ok: false, seconds, log };
}

function nbconvert(
  notebook: string,
  output: string,
  options: ExecuteOptions,
  allowErrors: boolean,
): { ok: boolean; log: string } {
  mkdirSync(dirname(output), { recursive: true });
  rmSync(output, { force: true });
  mkdirSync(options.runtimeDir, { recursive: true });
  const run = spawnSync(
    'jupyter',
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--ExecutePreprocessor.kernel_name=tslab',
      `--ExecutePreprocessor.timeout=${options.cellTimeout ?? 300}`,
      '--ExecutePreprocessor.startup_timeout=120',
      ...(allowErrors ? ['--allow-errors'] : []),
      notebook,
      '--output',
      output,
    ],
    {
      cwd: dirname(notebook),
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: options.jupyterPath, JUPYTER_RUNTIME_DIR: options.runtimeDir },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const log = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error != null ? String(run.error) : ''}`;
  return { ok: run.status === 0 && existsSync(output), log };
}
