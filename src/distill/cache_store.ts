import * as tf from '@tensorflow/tfjs-core';
import { importOptional, ModelFileError } from '../util/index.js';
// Not exported by io's index yet (the io module is being reworked): imported from its file.
import { writeFileAtomic } from '../io/index.js';
import type { DistillBatch } from './batch.js';
import { tensorBytes } from './digest.js';

type Fs = typeof import('node:fs/promises');
type PathModule = typeof import('node:path');

export const INDEX_FILE = 'index.json';
const FORMAT = 'gancompress-teacher-cache';

/** Where a tensor of a cached batch sits in its shard. */
export interface ShardTensor {
  /** `'input'`, `'target'`, `'output'` or `'feature'`. */
  role: 'input' | 'target' | 'output' | 'feature';
  /** The layer, for a feature. */
  name?: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
}

/** One cached batch in the index. */
export interface ShardEntry {
  /** Digest of the batch's input (and target). */
  digest: string;
  file: string;
  examples: number;
  bytes: number;
  tensors: ShardTensor[];
}

/** The JSON index of a cache directory. */
export interface CacheIndex {
  format: typeof FORMAT;
  version: 1;
  /** Digest of the teacher (architecture and weights). */
  teacher: string;
  features: string[];
  batches: ShardEntry[];
}

export async function nodeFs(): Promise<{ fs: Fs; path: PathModule }> {
  const [fs, path] = await Promise.all([
    importOptional<Fs>('node:fs/promises'),
    importOptional<PathModule>('node:path'),
  ]);
  return { fs, path };
}

/** Reads the index of `dir`, or null when there is none; a malformed index is a ModelFileError. */
export async function readIndex(dir: string): Promise<CacheIndex | null> {
  const { fs, path } = await nodeFs();
  const file = path.join(dir, INDEX_FILE);
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw new ModelFileError(file, `cannot be read (${e.message})`);
  });
  if (text == null) return null;
  let index: CacheIndex;
  try {
    index = JSON.parse(text) as CacheIndex;
  } catch (e) {
    throw new ModelFileError(file, `malformed JSON: ${(e as Error).message}`);
  }
  if (
    index == null ||
    index.format !== FORMAT ||
    index.version !== 1 ||
    typeof index.teacher !== 'string' ||
    !Array.isArray(index.features) ||
    !Array.isArray(index.batches)
  )
    throw new ModelFileError(file, `not a teacher cache index (expected format '${FORMAT}', version 1)`);
  return index;
}

/** Writes the index atomically. */
export async function writeIndex(dir: string, index: CacheIndex): Promise<void> {
  const { path } = await nodeFs();
  await writeFileAtomic(path.join(dir, INDEX_FILE), JSON.stringify(index));
}

/** A fresh index. */
export function newIndex(teacher: string, features: string[]): CacheIndex {
  return { format: FORMAT, version: 1, teacher, features, batches: [] };
}

/** Writes one batch's tensors to `<digest>.bin` (atomically) and returns its index entry. */
export async function writeShard(
  dir: string,
  digest: string,
  examples: number,
  tensors: { role: ShardTensor['role']; name?: string; tensor: tf.Tensor }[],
): Promise<ShardEntry> {
  const { path } = await nodeFs();
  const parts: Uint8Array[] = [];
  const entries: ShardTensor[] = [];
  let offset = 0;
  for (const { role, name, tensor } of tensors) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32')
      throw new ModelFileError(dir, `cannot cache a ${tensor.dtype} tensor (${role}); float32 and int32 only`);
    const bytes = await tensorBytes(tensor);
    entries.push({ role, ...(name === undefined ? {} : { name }), dtype: tensor.dtype, shape: tensor.shape, offset });
    parts.push(bytes);
    offset += bytes.byteLength;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.byteLength;
  }
  const file = `${digest}.bin`;
  await writeFileAtomic(path.join(dir, file), data);
  return { digest, file, examples, bytes: offset, tensors: entries };
}

/** Reads a cached batch (new tensors, owned by the caller), checking the shard's size. */
export async function readShard(dir: string, entry: ShardEntry): Promise<DistillBatch> {
  const { fs, path } = await nodeFs();
  const file = path.join(dir, entry.file);
  const buf = await fs.readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new ModelFileError(
      file,
      e.code === 'ENOENT' ? `no such file (listed in ${INDEX_FILE})` : `cannot be read (${e.message})`,
    );
  });
  if (buf.byteLength !== entry.bytes)
    throw new ModelFileError(file, `holds ${buf.byteLength} bytes, the index lists ${entry.bytes}`);
  const batch: Partial<DistillBatch> & { features: Record<string, tf.Tensor> } = { features: {} };
  let output: tf.Tensor | undefined;
  const made: tf.Tensor[] = [];
  try {
    for (const t of entry.tensors) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      const end = t.offset + 4 * n;
      if (!Number.isInteger(t.offset) || t.offset < 0 || end > buf.byteLength)
        throw new ModelFileError(file, `tensor '${t.name ?? t.role}' lies outside the file`);
      const slice = buf.buffer.slice(buf.byteOffset + t.offset, buf.byteOffset + end);
      const values = t.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice);
      const tensor = tf.tensor(values, t.shape, t.dtype);
      made.push(tensor);
      if (t.role === 'input') batch.input = tensor;
      else if (t.role === 'target') batch.target = tensor;
      else if (t.role === 'output') output = tensor;
      else batch.features[t.name as string] = tensor;
    }
  } catch (e) {
    tf.dispose(made);
    throw e;
  }
  if (batch.input == null || output == null) {
    tf.dispose(made);
    throw new ModelFileError(file, 'misses the input or the teacher output');
  }
  const out: DistillBatch = { input: batch.input, teacher: { output, features: batch.features } };
  if (batch.target != null) out.target = batch.target;
  return out;
}

/** Removes the shards of `dir` that `keep` does not list (left by older caches). */
export async function removeStaleShards(dir: string, keep: readonly ShardEntry[]): Promise<void> {
  const { fs, path } = await nodeFs();
  const wanted = new Set(keep.map((e) => e.file));
  for (const name of await fs.readdir(dir)) {
    if (/^[0-9a-f]{64}\.bin$/.test(name) && !wanted.has(name)) await fs.rm(path.join(dir, name), { force: true });
  }
}
