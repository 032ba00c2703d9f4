import { errnoCode, fileCallError, modelFileError } from './file_errors.js';
import type { FileOps, NodeParts } from './file_ops.js';

/**
 * Makes `dir` exist as a directory, creating it and its missing parents one level at a time.
 * Node's recursive mkdir reports a read-only file system as ENOENT (it retries the parent, which
 * exists); creating each level ourselves reports the real cause (EROFS, EACCES, ENOTDIR).
 */
export async function ensureDirectory(dir: string, ops: FileOps, path: NodeParts['path']): Promise<void> {
  const kindOf = async (p: string): Promise<'file' | 'directory' | 'other' | null> => {
    try {
      return await ops.kind(p);
    } catch (e) {
      throw fileCallError(p, 'inspect the path', e, `cannot save into ${dir}`);
    }
  };
  const kind = await kindOf(dir);
  if (kind === 'directory') return;
  if (kind != null) {
    throw modelFileError(dir, 'exists and is not a directory; fileSystem(path) saves into a directory');
  }
  const missing = [dir];
  for (let parent = path.dirname(dir); parent !== missing[missing.length - 1]; parent = path.dirname(parent)) {
    const parentKind = await kindOf(parent);
    if (parentKind === 'directory') break;
    if (parentKind != null) {
      throw modelFileError(parent, `is not a directory, so ${dir} cannot be created in it (ENOTDIR)`);
    }
    missing.push(parent);
  }
  for (const d of missing.reverse()) {
    try {
      await ops.mkdir(d);
    } catch (e) {
      // Another process may have created it in the meantime: fine if it is a directory now.
      if (errnoCode(e) === 'EEXIST' && (await kindOf(d)) === 'directory') continue;
      throw fileCallError(d, 'create the directory', e, 'nothing was saved');
    }
  }
}
