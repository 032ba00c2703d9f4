import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, importOptional } from '../util/index.js';

/** A file being written by {@link FileOps.create}: each call is one step a test can fail. */
export interface WritableFile {
  /** Writes all of `data` at the current end of the file. */
  write(data: Uint8Array): Promise<void>;
  /** Flushes the file's data and metadata to the disk (fsync). */
  sync(): Promise<void>;
  /** Closes the file; nothing is written after it. */
  close(): Promise<void>;
}

/**
 * The file-system calls `fileSystem()` makes, and nothing else: the seam through which tests
 * inject a failure (or a simulated kill) at any single write, fsync, rename or unlink. Errors are
 * Node's (`code` = 'ENOSPC', 'EROFS', ...); by default `fileSystem()` makes them with node:fs/promises.
 */
export interface FileOps {
  /** What `path` names (following symbolic links), or null when nothing does. */
  kind(path: string): Promise<'file' | 'directory' | 'other' | null>;
  /** Creates one directory; its parent must exist (never recursive, see ensureDirectory). */
  mkdir(path: string): Promise<void>;
  /** The whole content of the file at `path`. */
  readFile(path: string): Promise<Uint8Array>;
  /** The names of the entries of `dir` (not their paths). */
  readdir(dir: string): Promise<string[]>;
  /** Creates a new file for writing; fails with EEXIST when `path` exists. */
  create(path: string): Promise<WritableFile>;
  /** Atomically replaces `to` (a file or nothing) with `from`; both in one directory. */
  rename(from: string, to: string): Promise<void>;
  /** Removes the file at `path`. */
  unlink(path: string): Promise<void>;
  /** Flushes a directory's entries (the renames in it) to the disk. */
  syncDirectory(dir: string): Promise<void>;
}

/** The Node modules the io module uses besides the file calls. */
export interface NodeParts {
  path: typeof import('node:path');
  crypto: typeof import('node:crypto');
}

/** Loads node:path and node:crypto, refusing to run outside Node. */
export async function nodeParts(): Promise<NodeParts> {
  if (!tf.env().getBool('IS_NODE')) {
    throw new ConfigError(
      'fileSystem',
      'browser',
      'Node.js (fileSystem() uses node:fs; in browsers use tf.io.browserFiles or indexeddb://)',
    );
  }
  const [path, crypto] = await Promise.all([
    importOptional<typeof import('node:path')>('node:path'),
    importOptional<typeof import('node:crypto')>('node:crypto'),
  ]);
  return { path, crypto };
}

/**
 * The real {@link FileOps} over node:fs/promises.
 *
 * @example
 * ```ts
 * const ops = await nodeFileOps();
 * console.log(await ops.kind('out/my-model')); // 'directory', 'file', 'other' or null
 * ```
 */
export async function nodeFileOps(): Promise<FileOps> {
  await nodeParts();
  const fs = await importOptional<typeof import('node:fs/promises')>('node:fs/promises');
  return {
    async kind(path) {
      try {
        const s = await fs.stat(path);
        return s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
    mkdir: async (path) => {
      await fs.mkdir(path);
    },
    readFile: async (path) => fs.readFile(path),
    readdir: (dir) => fs.readdir(dir),
    async create(path) {
      const handle = await fs.open(path, 'wx');
      return {
        write: (data) => handle.writeFile(data),
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
    rename: (from, to) => fs.rename(from, to),
    unlink: (path) => fs.unlink(path),
    async syncDirectory(dir) {
      // Windows cannot open a directory for fsync; its renames are durable when they return.
      if (process.platform === 'win32') return;
      const handle = await fs.open(dir, 'r');
      try {
        await handle.sync();
      } catch (e) {
        // Some file systems (network mounts, FUSE) do not implement fsync on directories: the
        // renames are then as durable as that file system makes them, and nothing more can be done.
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
      } finally {
        await handle.close();
      }
    },
  };
}
