import { ConfigError } from '../util/index.js';
import { fileCallError } from './file_errors.js';
import { nodeFileOps, nodeParts, type FileOps } from './file_ops.js';

/**
 * Writes `data` to `path` atomically (Node), as `fileSystem()` writes model files: into a temporary file in the same
 * directory, flushed to the disk, renamed over `path`, then the directory flushed — so a reader (or a crash) sees
 * the complete old file or the complete new one, never a partial write. The directory must exist. On failure the
 * temporary file is removed and a `ModelFileError` names the path and the cause in words ("disk full (ENOSPC)"),
 * with the system error as `cause`. `ops` is the file-call seam tests inject failures through.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/checkpoint.json', JSON.stringify({ step: 120 }));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, ops?: FileOps): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw new ConfigError('path', path, 'a non-empty file path');
  if (typeof data !== 'string' && !(data instanceof Uint8Array))
    throw new ConfigError('data', data, 'a string or a Uint8Array');
  const { path: paths, crypto } = await nodeParts();
  const files = ops ?? (await nodeFileOps());
  const dir = paths.dirname(path);
  // A random name, so concurrent writers of different files never share a temporary.
  const temp = paths.join(dir, `.${paths.basename(path)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let step = 'create';
  try {
    const file = await files.create(temp);
    try {
      step = 'write';
      await file.write(bytes);
      step = 'flush';
      await file.sync();
    } finally {
      await file.close();
    }
    step = 'rename into place';
    await files.rename(temp, path);
  } catch (e) {
    await files.unlink(temp).catch(() => undefined);
    throw fileCallError(path, step, e, 'the previous file, if any, is unchanged');
  }
  try {
    await files.syncDirectory(dir);
  } catch (e) {
    throw fileCallError(path, 'flush its directory', e, 'the new file is in place but may not survive a crash');
  }
}
