import { importOptional } from '../util/index.js';

/** Node's `require` as returned by `createRequire` (only the members used here). */
export interface NodeRequire {
  (id: string): unknown;
  resolve(id: string): string;
}

/** A `require` resolving from this module (Node only). */
export async function nodeRequire(): Promise<NodeRequire> {
  const { createRequire } = await importOptional<typeof import('node:module')>('node:module');
  return createRequire(import.meta.url);
}

/** The number of cores Node reports (`os.availableParallelism()` where it exists, else `os.cpus()`). */
export async function nodeCoreCount(): Promise<number> {
  const os = await importOptional<typeof import('node:os')>('node:os');
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

/**
 * Writes `text` to a file in the system's temporary directory, named after `stem` and a hash of
 * the text, and returns its path. An existing file with that name already holds the same text
 * and is reused; otherwise the text goes to a temporary name beside it and is renamed into
 * place, so a concurrent reader never sees a partial file.
 */
export async function writeFileOnce(stem: string, extension: string, text: string): Promise<string> {
  const fs = await importOptional<typeof import('node:fs')>('node:fs');
  const os = await importOptional<typeof import('node:os')>('node:os');
  const path = await importOptional<typeof import('node:path')>('node:path');
  const { createHash, randomBytes } = await importOptional<typeof import('node:crypto')>('node:crypto');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const target = path.join(os.tmpdir(), `gancompress-${stem}-${hash}${extension}`);
  if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === text) return target;
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temporary, text, { mode: 0o644 });
    fs.renameSync(temporary, target);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  return target;
}
