/**
 * Saves that fail on a real file system: a full disk (a small tmpfs), a read-only one (the same
 * tmpfs remounted read-only), a path through a file (ENOTDIR) and a model.json that is a directory
 * (EISDIR). After each failure the model saved before still loads bit-exactly and no temporary is
 * left. Mounting needs root (CI runs as root); where mounting is not permitted the tmpfs cases are
 * skipped and the reason is printed — the fault-injection suite (atomic_save.test.ts) covers every
 * step either way.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystem, initBackend, ModelFileError } from '../../src/index.js';
import { fingerprint } from './models.js';
import { seededTensor } from '../helpers/tensors.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-disk-'));

/** Mounts a tmpfs of `size` at a new directory; returns it, or why it could not. */
function mountTmpfs(name: string, size: string): { dir: string } | { reason: string } {
  const dir = join(root, name);
  mkdirSync(dir);
  if (process.platform !== 'linux') return { reason: `not Linux (${process.platform})` };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (e) {
    return { reason: String((e as { stderr?: Buffer }).stderr ?? e).trim() || String(e) };
  }
}
const mounted: string[] = [];
afterAll(() => {
  for (const dir of mounted) execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  rmSync(root, { recursive: true, force: true });
});

/** A Dense model with `inputs × 16` kernel weights, seeded (4-byte floats: about 64·inputs bytes). */
function denseModel(inputs: number, seed: number): tfl.LayersModel {
  const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [inputs], units: 16, name: 'dense' })] });
  const values = model.weights.map((w, i) => seededTensor(w.shape as number[], seed + i));
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

async function fingerprintOf(path: string, inputs: number): Promise<Buffer> {
  const loaded = await tfl.loadLayersModel(fileSystem(path));
  const f = fingerprint(loaded, [inputs]);
  loaded.dispose();
  return f;
}

async function saveError(model: tfl.LayersModel, dir: string): Promise<ModelFileError> {
  const e = await model.save(fileSystem(dir)).then(
    () => null,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(ModelFileError);
  return e as ModelFileError;
}

const PAGE = 4096;
/** Fills the file system holding `dir` with a file, then frees `pages` pages of it. */
function fill(dir: string, pages: number): string {
  const filler = join(dir, 'filler');
  const chunk = Buffer.alloc(PAGE);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(filler, chunk, { flag: i === 0 ? 'w' : 'a' });
    } catch {
      break;
    }
  }
  const size = statSync(filler).size;
  truncateSync(filler, Math.floor(size / PAGE) * PAGE - pages * PAGE);
  return filler;
}

beforeAll(() => initBackend('cpu'));
const small = { inputs: 8 };
const large = { inputs: 600 }; // 600·16·4 = 38400 bytes of kernel: 10 pages

const full = mountTmpfs('full', '256k');
const readOnly = mountTmpfs('ro', '256k');
for (const m of [full, readOnly]) if ('dir' in m) mounted.push(m.dir);
if ('reason' in full) console.warn(`real_disk: tmpfs cases skipped, mount refused: ${full.reason}`);
else console.info('real_disk: tmpfs mounted; the disk-full and read-only cases run on a real file system');

describe.skipIf('reason' in full)('on a full tmpfs', () => {
  const base = 'dir' in full ? full.dir : '';
  it('a save that runs out of space at any point keeps the previous model loadable bit-exactly', async () => {
    const dir = join(base, 'model');
    const a = denseModel(small.inputs, 1);
    await a.save(fileSystem(dir));
    const kept = fingerprint(a, [small.inputs]);
    const b = denseModel(large.inputs, 2);
    // Free space for: part of B's weights; all of B's weights but not its model.json.
    for (const [pages, failing] of [
      [2, /\/weights\.[0-9a-f]{16}\.bin: cannot write/],
      [10, /\/model\.json: cannot write/],
    ] as const) {
      const filler = fill(base, pages);
      const e = await saveError(b, dir);
      expect(e.message).toMatch(failing);
      expect(e.message).toContain('disk full (ENOSPC)');
      expect(e.message).toContain(dir);
      expect(e.message).toContain('the model saved in');
      expect((e.cause as { code?: string }).code).toBe('ENOSPC');
      expect((await fingerprintOf(dir, small.inputs)).equals(kept), `after failing with ${pages} pages free`).toBe(
        true,
      );
      expect(
        readdirSync(dir).filter((f) => f.includes('.tmp')),
        'temporaries left',
      ).toEqual([]);
      expect(readdirSync(dir)).toHaveLength(2);
      rmSync(filler);
    }
    // With room again, B replaces A completely: A's weights file is gone.
    await b.save(fileSystem(dir));
    expect((await fingerprintOf(dir, large.inputs)).equals(fingerprint(b, [large.inputs]))).toBe(true);
    expect(readdirSync(dir)).toHaveLength(2);
    a.dispose();
    b.dispose();
  });
});

describe.skipIf('reason' in readOnly)('on a read-only tmpfs', () => {
  const base = 'dir' in readOnly ? readOnly.dir : '';
  it('reports EROFS in words (not ENOENT), for a new directory too, and keeps the model', async () => {
    const dir = join(base, 'model');
    const a = denseModel(small.inputs, 3);
    await a.save(fileSystem(dir));
    const kept = fingerprint(a, [small.inputs]);
    execFileSync('mount', ['-o', 'remount,ro', base], { stdio: 'pipe' });
    try {
      const b = denseModel(small.inputs, 4);
      const e = await saveError(b, dir);
      expect(e.message).toContain('read-only file system (EROFS)');
      expect((e.cause as { code?: string }).code).toBe('EROFS');
      const nested = join(base, 'new', 'deeper', 'model');
      const e2 = await saveError(b, nested);
      expect(e2.message).toContain('read-only file system (EROFS)');
      expect(e2.message).not.toContain('ENOENT');
      expect(e2.path).toBe(join(base, 'new'));
      expect((await fingerprintOf(dir, small.inputs)).equals(kept)).toBe(true);
      b.dispose();
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', base], { stdio: 'pipe' });
    }
    a.dispose();
  });
});

describe('on the ordinary file system', () => {
  it('names ENOTDIR (a path through a file) and EISDIR (model.json is a directory) in words', async () => {
    const a = denseModel(small.inputs, 5);
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    const e = await saveError(a, join(file, 'sub', 'model'));
    expect(e.message).toContain('is not a directory');
    expect(e.message).toContain(file);

    const dir = join(root, 'isdir');
    await a.save(fileSystem(dir));
    const kept = fingerprint(a, [small.inputs]);
    rmSync(join(dir, 'model.json'));
    mkdirSync(join(dir, 'model.json'));
    const loadError = await tfl.loadLayersModel(fileSystem(dir)).catch((err: unknown) => err);
    expect(loadError).toBeInstanceOf(ModelFileError);
    expect((loadError as Error).message).toContain('is a directory (EISDIR)');
    const b = denseModel(small.inputs, 6);
    const e2 = await saveError(b, dir);
    expect(e2.message).toMatch(/is a directory \(EISDIR\)|not a directory \(ENOTDIR\)/);
    expect(e2.path).toBe(join(dir, 'model.json'));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    rmSync(join(dir, 'model.json'), { recursive: true });
    await b.save(fileSystem(dir));
    expect((await fingerprintOf(dir, small.inputs)).equals(kept)).toBe(false);
    expect((await fingerprintOf(dir, small.inputs)).equals(fingerprint(b, [small.inputs]))).toBe(true);
    a.dispose();
    b.dispose();
  });
});
