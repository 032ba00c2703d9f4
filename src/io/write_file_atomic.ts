import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, importOptional } from '../util/index.js';

type Fs = typeof import('node:fs/promises');
type PathModule = typeof import('node:path');

let counter = 0;

/**
 * Writes `data` to `path` atomically (Node): into a temporary file in the same directory, which
 * is then renamed over `path`, so a reader sees the old file or the new one, never a partial
 * write (the data is flushed to disk before the rename). The directory must exist. On failure the temporary file is removed and the error
 * rethrown.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/checkpoint.json', JSON.stringify({ step: 120 }));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw new ConfigError('path', path, 'a non-empty file path');
  if (!tf.env().getBool('IS_NODE'))
    throw new ConfigError('writeFileAtomic', 'browser', 'Node.js (it writes with node:fs)');
  const [fs, pathModule] = await Promise.all([
    importOptional<Fs>('node:fs/promises'),
    importOptional<PathModule>('node:path'),
  ]);
  const dir = pathModule.dirname(path);
  const temp = pathModule.join(dir, `.${pathModule.basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  try {
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync(); // the bytes reach the disk before the name points at them
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
}
