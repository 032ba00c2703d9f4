import { describeFileError, errnoCode, fileCallError } from './file_errors.js';
import type { FileOps, NodeParts } from './file_ops.js';

/** The name every model directory's topology file has. */
export const MODEL_JSON = 'model.json';

/** Weights files this module writes: named by the first 16 hex digits of their SHA-256. */
export const WEIGHTS_FILE = /^weights\.[0-9a-f]{16}\.bin$/;

/** Temporaries this module writes: `.<final name>.<12 random hex digits>.tmp`. */
export const TEMPORARY_FILE = /^\.(model\.json|weights\.[0-9a-f]{16}\.bin)\.[0-9a-f]{12}\.tmp$/;

/** One weights file of a save: its name in the directory and its bytes. */
export interface WeightsFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * Replaces the model in `dir` by model.json `jsonText` and its weights file, so that at every
 * instant the directory holds a loadable pair — the old model.json with the weights it names, or
 * the new model.json with the new weights — and a crash, a kill or a full disk at any step leaves
 * one of the two.
 *
 * Why this order works: the new weights go under a content-addressed name (weights.<sha>.bin)
 * that the old model.json does not name (or, if it does, names a file with the very same bytes),
 * so putting them in place never touches what the old model.json reads. model.json is then
 * replaced by one rename, which POSIX makes atomic: a reader sees the old file or the new one,
 * never a mix. Only after that rename has been flushed to disk are the old weights removed.
 *
 * Steps: (1) write both files to temporaries in `dir` and fsync them, (2) rename the weights into
 * place, (3) fsync `dir`, (4) rename model.json into place — the commit — (5) fsync `dir`,
 * (6) remove the old weights and any leftovers of earlier interrupted saves.
 *
 * A failure before the commit removes what this save wrote and throws a ModelFileError naming the
 * file and the cause; the previous model is untouched. A failure of step 5 throws too (the new
 * model is in place but may not survive a power loss) and skips step 6. Failures of step 6 do not
 * fail the save: they are returned, and the next save retries them.
 *
 * Assumes one writer per directory at a time (as any file format does); readers may run
 * concurrently.
 */
export async function replaceModelFiles(
  dir: string,
  jsonText: string,
  weights: WeightsFile,
  ops: FileOps,
  { path, crypto }: NodeParts,
): Promise<string[]> {
  const jsonPath = path.join(dir, MODEL_JSON);
  const weightsPath = path.join(dir, weights.name);
  const previous = await previousFiles(jsonPath, ops, path);
  const unchanged = previous.exists ? `the model saved in ${dir} before is unchanged` : `nothing was saved in ${dir}`;
  // Only has to differ from any other save's temporaries: a name, not a result, so no seed.
  const suffix = crypto.randomBytes(6).toString('hex');
  const tmpWeights = path.join(dir, `.${weights.name}.${suffix}.tmp`);
  const tmpJson = path.join(dir, `.${MODEL_JSON}.${suffix}.tmp`);
  const written: string[] = [];
  let step = '';
  let stepPath = dir;
  const run = async <T>(target: string, action: string, call: () => Promise<T>): Promise<T> => {
    step = action;
    stepPath = target;
    return call();
  };
  try {
    await writeDurably(ops, tmpWeights, weights.bytes, weightsPath, written, run);
    await writeDurably(ops, tmpJson, new TextEncoder().encode(jsonText), jsonPath, written, run);
    // The same bytes may be in place already (a model saved twice): then the rename replaces the
    // file by an identical one, and a failure afterwards must not remove it.
    const existed = (await run(weightsPath, 'inspect', () => ops.kind(weightsPath))) != null;
    await run(weightsPath, `rename ${tmpWeights} into place`, () => ops.rename(tmpWeights, weightsPath));
    written.splice(written.indexOf(tmpWeights), 1);
    if (!existed) written.push(weightsPath);
    await run(dir, 'flush the directory to disk (fsync)', () => ops.syncDirectory(dir));
    await run(jsonPath, `rename ${tmpJson} into place`, () => ops.rename(tmpJson, jsonPath));
  } catch (e) {
    const leftovers = await removeAll(ops, written);
    const note = leftovers.length > 0 ? `${unchanged}; could not remove ${leftovers.join('; ')}` : unchanged;
    throw fileCallError(stepPath, step, e, note);
  }
  try {
    await ops.syncDirectory(dir);
  } catch (e) {
    throw fileCallError(
      dir,
      'flush the directory to disk (fsync)',
      e,
      `${jsonPath} already holds the new model, but the rename may not survive a power loss; ` +
        'the previous weights were kept',
    );
  }
  return removeLeftovers(dir, weights.name, previous.weights, ops, path);
}

type Runner = <T>(target: string, action: string, call: () => Promise<T>) => Promise<T>;

/** Creates `tmp` with `bytes`, fsyncs and closes it; records it in `written` once it exists. */
async function writeDurably(
  ops: FileOps,
  tmp: string,
  bytes: Uint8Array,
  target: string,
  written: string[],
  run: Runner,
): Promise<void> {
  const file = await run(target, `create the temporary file ${tmp}`, () => ops.create(tmp));
  written.push(tmp);
  try {
    await run(target, 'write', () => file.write(bytes));
    await run(target, 'flush to disk (fsync)', () => file.sync());
  } catch (e) {
    await file.close().catch(() => undefined); // the write's error is the one to report
    throw e;
  }
  // close() can report a deferred write error (NFS, some FUSE file systems): a real failure.
  await run(target, 'close', () => file.close());
}

/** Unlinks each file; returns "<file>: <reason>" for those that could not be removed. */
async function removeAll(ops: FileOps, files: readonly string[]): Promise<string[]> {
  const failed: string[] = [];
  for (const f of files) {
    try {
      await ops.unlink(f);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') failed.push(`${f}: ${describeFileError(e)}`);
    }
  }
  return failed;
}

/** Whether model.json exists, and the weights files in `dir` its manifest names (plain names only). */
async function previousFiles(
  jsonPath: string,
  ops: FileOps,
  path: NodeParts['path'],
): Promise<{ exists: boolean; weights: string[] }> {
  let text: string;
  try {
    if ((await ops.kind(jsonPath)) == null) return { exists: false, weights: [] };
    text = new TextDecoder().decode(await ops.readFile(jsonPath));
  } catch {
    // Unreadable: keep every file it might name (its weights stay behind; nothing is lost).
    return { exists: true, weights: [] };
  }
  const names: string[] = [];
  try {
    const json = JSON.parse(text) as { weightsManifest?: { paths?: unknown }[] };
    for (const group of Array.isArray(json.weightsManifest) ? json.weightsManifest : []) {
      for (const p of Array.isArray(group?.paths) ? group.paths : []) {
        // Only files directly in the directory: a manifest may point elsewhere, and those files are
        // not this save's to remove.
        if (typeof p === 'string' && p === path.basename(p) && p !== '.' && p !== '..') names.push(p);
      }
    }
  } catch {
    // Malformed: as above.
  }
  return { exists: true, weights: names };
}

/**
 * After the commit: removes the weights the replaced model.json named, and the temporaries and
 * unnamed content-addressed weights that interrupted saves left behind.
 */
async function removeLeftovers(
  dir: string,
  keep: string,
  previousWeights: readonly string[],
  ops: FileOps,
  path: NodeParts['path'],
): Promise<string[]> {
  const doomed = new Set(previousWeights.filter((w) => w !== keep));
  try {
    for (const entry of await ops.readdir(dir)) {
      if (entry !== keep && (WEIGHTS_FILE.test(entry) || TEMPORARY_FILE.test(entry))) doomed.add(entry);
    }
  } catch (e) {
    return [`${dir}: could not list the directory to remove leftovers: ${describeFileError(e)}`];
  }
  const failed = await removeAll(
    ops,
    [...doomed].map((f) => path.join(dir, f)),
  );
  return failed.map((f) => `could not remove an old file: ${f}`);
}
