/**
 * writeFileAtomic: the file holds the old bytes or the new ones at every step of a write that fails (each create,
 * write, flush, close, rename, directory flush, with ENOSPC, EROFS, EACCES, and a simulated kill); no temporary is
 * left behind after an error; errors name the path and the cause in words; bad arguments are refused.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, ModelFileError, writeFileAtomic } from '../../src/index.js';
import { nodeFileOps } from '../../src/io/index.js';
import { FaultyOps, type Fault } from './fault_ops.js';

const dir = mkdtempSync(join(tmpdir(), 'gancompress-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces the file, leaving nothing else in the directory', async () => {
    const file = join(dir, 'plain.json');
    await writeFileAtomic(file, '{"a":1}');
    await writeFileAtomic(file, new Uint8Array([123, 125]));
    expect(readFileSync(file, 'utf8')).toBe('{}');
    expect(readdirSync(dir).filter((f) => f.startsWith('.plain'))).toEqual([]);
  });

  it('keeps the old bytes or the new ones whatever step fails; names the path and the cause', async () => {
    const steps = 6; // create, write, flush, close, rename, flush the directory
    let faults = 0;
    for (let at = 1; at <= steps; at++) {
      for (const fault of [
        { kind: 'error', code: 'ENOSPC', at },
        { kind: 'error', code: 'EROFS', at },
        { kind: 'error', code: 'EACCES', at },
        { kind: 'kill', at },
      ] as Fault[]) {
        const file = join(dir, `case-${at}-${fault.kind}-${'code' in fault ? fault.code : ''}.txt`);
        writeFileSync(file, 'old');
        const faulty = new FaultyOps(await nodeFileOps(), fault);
        const result = await writeFileAtomic(file, 'new contents', faulty.ops()).then(
          () => null,
          (e: unknown) => e,
        );
        const now = readFileSync(file, 'utf8');
        expect(['old', 'new contents'], `${at} ${fault.kind}`).toContain(now);
        if (fault.kind === 'error') {
          expect(result, `${at} ${fault.code}`).toBeInstanceOf(ModelFileError);
          expect(String((result as Error).message)).toContain(file);
          if (fault.code === 'ENOSPC') expect((result as Error).message).toMatch(/disk full \(ENOSPC\)/);
          if (fault.code === 'EROFS') expect((result as Error).message).toMatch(/read-only file system \(EROFS\)/);
          // Before the rename the old file stays; a failure after it (flushing the directory) has the new one.
          expect(now).toBe(at <= 5 ? 'old' : 'new contents');
          // An error leaves no temporary behind.
          expect(readdirSync(dir).filter((f) => f.startsWith(`.case-${at}-error`))).toEqual([]);
        }
        faults += faulty.injected;
      }
    }
    expect(faults).toBe(steps * 4);
  });

  it('refuses bad arguments, naming them', async () => {
    await expect(writeFileAtomic('', 'x')).rejects.toThrow(ConfigError);
    await expect(writeFileAtomic(join(dir, 'x'), 42 as unknown as string)).rejects.toThrow(/data: got 42/);
    await expect(writeFileAtomic(join(dir, 'missing', 'x.txt'), 'x')).rejects.toThrow(
      /no such file or directory \(ENOENT\)/,
    );
  });
});
