/**
 * Saves fail (or the process is killed) at every single step — each write, fsync, close, rename
 * and unlink — through the FileOps seam, and after each the directory must load the complete
 * previous model bit-exactly, or the complete new one once model.json has been renamed into place.
 * A model that loads as neither counts as lost; the count must stay 0.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fileSystemWith, nodeFileOps, type FileOps } from '../../src/io/index.js';
import { fileSystem, ModelFileError } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { FaultyOps, type Fault } from './fault_ops.js';
import { buildModel, fingerprint } from './models.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => join(root, `case-${counter++}`);

/** Error codes a save meets in practice, and the words its message must carry. */
const CODES: Record<string, string> = {
  ENOSPC: 'disk full (ENOSPC)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  EROFS: 'read-only file system (EROFS)',
  EIO: 'input/output error',
};

/** The fingerprint of what `dir` loads, or the error loading it raised. */
async function loaded(dir: string): Promise<Buffer | Error> {
  try {
    const model = await tfl.loadLayersModel(fileSystem(dir));
    const f = fingerprint(model);
    model.dispose();
    return f;
  } catch (e) {
    return e as Error;
  }
}

const temporaries = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describeBackends('fileSystem() saves atomically', (backend) => {
  let a: tfl.LayersModel;
  let b: tfl.LayersModel;
  let fa: Buffer;
  let fb: Buffer;
  let real: FileOps;
  const tally = { saves: 0, faults: 0, lost: 0 };
  beforeAll(async () => {
    a = buildModel(1);
    b = buildModel(2);
    fa = fingerprint(a);
    fb = fingerprint(b);
    real = await nodeFileOps();
  });
  afterAll(() => {
    a.dispose();
    b.dispose();
    console.info(
      `atomic_save [${backend}]: ${tally.faults} faults injected over ${tally.saves} saves; models lost: ${tally.lost}`,
    );
  });

  /** A directory holding model A, saved the ordinary way. */
  async function withModelA(): Promise<string> {
    const dir = freshDir();
    await a.save(fileSystem(dir));
    return dir;
  }

  /** Saves B over `dir` through a faulty seam; returns the steps taken and the outcome. */
  async function faultySave(dir: string, fault: Fault, model = b) {
    const faulty = new FaultyOps(real, fault);
    const outcome = await model.save(fileSystemWith(dir, () => Promise.resolve(faulty.ops()))).then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    tally.saves++;
    tally.faults += faulty.injected;
    return { steps: faulty.steps, outcome };
  }

  /** Asserts `dir` loads `expected` (A or B) bit-exactly; a model loading as neither is counted lost. */
  async function expectModel(dir: string, expected: 'A' | 'B', what: string): Promise<void> {
    const got = await loaded(dir);
    const ok = got instanceof Buffer && got.equals(expected === 'A' ? fa : fb);
    if (!(got instanceof Buffer && (got.equals(fa) || got.equals(fb)))) tally.lost++;
    expect(ok, `${what}: expected model ${expected}, got ${got instanceof Error ? got.message : 'another model'}`).toBe(
      true,
    );
  }

  // The steps of a clean save of B over A; the fault loops below fail each in turn.
  let protocol: string[] = [];
  let protocolDir = '';
  let listingBefore: string[] = [];
  beforeAll(async () => {
    protocolDir = await withModelA();
    listingBefore = readdirSync(protocolDir);
    const { steps, outcome } = await faultySave(protocolDir, { kind: 'none' });
    if (!outcome.ok) throw (outcome as { error: Error }).error;
    protocol = steps;
  });

  it('writes and flushes both temporaries, renames the weights, then model.json, then removes the old weights', async () => {
    const dir = protocolDir;
    const steps = protocol;
    const before = listingBefore;
    const tmpW = String.raw`\.weights\.[0-9a-f]{16}\.bin\.[0-9a-f]{12}\.tmp`;
    const tmpJ = String.raw`\.model\.json\.[0-9a-f]{12}\.tmp`;
    const d = dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const expected = [
      `create ${d}/${tmpW}`,
      `write ${d}/${tmpW}`,
      `fsync ${d}/${tmpW}`,
      `close ${d}/${tmpW}`,
      `create ${d}/${tmpJ}`,
      `write ${d}/${tmpJ}`,
      `fsync ${d}/${tmpJ}`,
      `close ${d}/${tmpJ}`,
      `rename ${d}/${tmpW} ${d}/weights\\.[0-9a-f]{16}\\.bin`,
      `fsync-dir ${d}`,
      `rename ${d}/${tmpJ} ${d}/model\\.json`,
      `fsync-dir ${d}`,
      `unlink ${d}/${before.find((f) => f.startsWith('weights.')) as string}`,
    ];
    expect(steps).toHaveLength(expected.length);
    steps.forEach((s, i) => expect(s).toMatch(new RegExp(`^${expected[i] as string}$`)));
    await expectModel(dir, 'B', 'after a clean save');
    expect(readdirSync(dir).sort()).toEqual(['model.json', expect.stringMatching(/^weights\.[0-9a-f]{16}\.bin$/)]);
  });

  it('a failure at any step leaves model A (before the commit) or B (after), names the file and the cause', async () => {
    const commit = protocol.findIndex((s) => /model\.json$/.test(s) && s.startsWith('rename')) + 1;
    expect(commit).toBe(11);
    for (let at = 1; at <= protocol.length; at++) {
      for (const [code, words] of Object.entries(CODES)) {
        const dir = await withModelA();
        const listing = readdirSync(dir).sort();
        const { steps, outcome } = await faultySave(dir, { kind: 'error', code, at });
        const what = `${code} at step ${at} (${steps[at - 1]})`;
        if (at <= commit + 1) {
          // Up to and including the directory fsync that follows the commit, the save fails.
          expect(outcome.ok, what).toBe(false);
          const error = (outcome as { error: unknown }).error;
          expect(error, what).toBeInstanceOf(ModelFileError);
          const e = error as ModelFileError;
          expect(e.message, what).toContain(words);
          expect(e.path.startsWith(dir), what).toBe(true);
          expect((e.cause as { code?: string }).code, what).toBe(code);
          if (at <= commit) {
            expect(e.message, what).toContain('the model saved in');
            expect(e.message, what).toContain('before is unchanged');
            await expectModel(dir, 'A', what);
            // Everything the failed save wrote is gone.
            expect(readdirSync(dir).sort(), what).toEqual(listing);
          } else {
            expect(e.message, what).toContain('already holds the new model');
            await expectModel(dir, 'B', what);
          }
        } else {
          // Removing the old weights failed: the save succeeded, and says what it could not remove.
          expect(outcome.ok, what).toBe(true);
          const result = (outcome as { result: { errors?: unknown[] } }).result;
          expect(String(result.errors), what).toContain(words);
          await expectModel(dir, 'B', what);
        }
        expect(temporaries(dir), what).toEqual([]);
      }
    }
  });

  it('a kill after any step leaves model A or B, and the next save removes what the killed one left', async () => {
    const commit = protocol.findIndex((s) => /model\.json$/.test(s) && s.startsWith('rename')) + 1;
    for (let at = 0; at <= protocol.length; at++) {
      const dir = await withModelA();
      // What the killed save's promise does is moot (a killed process has none): the disk is what counts.
      await faultySave(dir, { kind: 'kill', at });
      const what = `killed after step ${at} (${protocol[at - 1] ?? 'before any'})`;
      await expectModel(dir, at < commit ? 'A' : 'B', what);
      await a.save(fileSystem(dir));
      await expectModel(dir, 'A', `${what}, then saved again`);
      expect(readdirSync(dir), `${what}: leftovers`).toHaveLength(2);
    }
  });

  it('a first save that fails at any step leaves no model and no file behind', async () => {
    const probe = await faultySave(join(freshDir(), 'nested'), { kind: 'none' });
    expect(probe.steps.filter((s) => s.startsWith('mkdir'))).toHaveLength(2);
    for (let at = 1; at <= probe.steps.length; at++) {
      const parent = freshDir();
      const dir = join(parent, 'nested');
      const { steps, outcome } = await faultySave(dir, { kind: 'error', code: 'EACCES', at });
      const what = `EACCES at step ${at} (${steps[at - 1]})`;
      const committed = at > probe.steps.findIndex((s) => /rename .* \S+\/model\.json$/.test(s)) + 1;
      expect(outcome.ok, what).toBe(false);
      expect((outcome as { error: Error }).error.message, what).toContain('permission denied (EACCES)');
      if (committed) {
        await expectModel(dir, 'B', what);
      } else {
        expect(await loaded(dir), what).toBeInstanceOf(ModelFileError);
        expect(existsSync(dir) ? readdirSync(dir) : [], what).toEqual([]);
      }
    }
  });

  it('re-saving the same weights and failing after their rename keeps them (they are the old model’s too)', async () => {
    const dir = await withModelA();
    const commit = protocol.findIndex((s) => /model\.json$/.test(s) && s.startsWith('rename')) + 1;
    for (let at = commit - 2; at <= commit; at++) {
      const { outcome } = await faultySave(dir, { kind: 'error', code: 'EIO', at }, a);
      expect(outcome.ok).toBe(false);
      await expectModel(dir, 'A', `same weights, EIO at step ${at}`);
      expect(readdirSync(dir)).toHaveLength(2);
    }
  });

  it('a load racing a save that removes the weights it was about to read retries and gets the new model', async () => {
    const dir = await withModelA();
    let raced = false;
    const racing: FileOps = {
      ...real,
      readFile: async (p) => {
        if (!raced && p.endsWith('.bin')) {
          raced = true;
          await b.save(fileSystem(dir)); // replaces model.json and removes A's weights
        }
        return real.readFile(p);
      },
    };
    const model = await tfl.loadLayersModel(fileSystemWith(dir, () => Promise.resolve(racing)));
    expect(raced).toBe(true);
    expect(fingerprint(model).equals(fb)).toBe(true);
    model.dispose();
  });
});
