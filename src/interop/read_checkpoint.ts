import { ConfigError, ModelFileError, importOptional, isNode } from '../util/index.js';
import { readSafetensors } from './safetensors.js';
import { readTorchZip } from './torch_zip.js';
import type { TorchStateDict } from './torch_tensor.js';

/** Options of {@link readTorchCheckpoint}. */
export interface ReadCheckpointOptions {
  /**
   * The most bytes the reader may allocate: archive entries extracted plus tensors decoded.
   * Default three times the file's size (a float16 checkpoint decodes to float32, twice its
   * size, after its entries are extracted). Raise it for compressed archives or for
   * checkpoints whose tensors share storage.
   */
  maxBytes?: number;
  /** Name of the checkpoint in error messages. Default: the path, or `'checkpoint'`. */
  name?: string;
}

/** The kind of a checkpoint file, from its first bytes. */
export type CheckpointFormat = 'torch-zip' | 'safetensors' | 'torch-legacy' | 'unknown';

/**
 * Tells the format of a checkpoint from its first bytes: a `torch.save` zip archive, a
 * safetensors file, a pre-1.6 bare pickle (not read), or something else.
 *
 * @example
 * ```ts
 * checkpointFormat(fs.readFileSync('latest_net_G.pth')); // 'torch-zip'
 * ```
 */
export function checkpointFormat(bytes: Uint8Array): CheckpointFormat {
  if (!(bytes instanceof Uint8Array)) throw new ConfigError('bytes', bytes, 'a Uint8Array');
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)
    return 'torch-zip';
  // A safetensors header length is small (its high bytes are 0) and the JSON header opens with '{'.
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  if (bytes.length >= 2 && bytes[0] === 0x80 && (bytes[1] as number) <= 5) return 'torch-legacy';
  return 'unknown';
}

/**
 * Parses a checkpoint held in memory (see {@link readTorchCheckpoint}).
 *
 * @example
 * ```ts
 * const tensors = parseTorchCheckpoint(fs.readFileSync('latest_net_G.pth'));
 * Object.keys(tensors); // ['model.1.weight', 'model.1.bias', ...]
 * ```
 */
export function parseTorchCheckpoint(
  bytes: Uint8Array | ArrayBuffer,
  options: ReadCheckpointOptions = {},
): TorchStateDict {
  const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(data instanceof Uint8Array)) throw new ConfigError('bytes', bytes, 'a Uint8Array or ArrayBuffer');
  if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ maxBytes?, name? }');
  const name = options.name ?? 'checkpoint';
  const maxBytes = options.maxBytes ?? 3 * data.length;
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes < 0)
    throw new ConfigError('options.maxBytes', maxBytes, 'a non-negative integer (bytes)');
  switch (checkpointFormat(data)) {
    case 'torch-zip':
      return readTorchZip(data, name, maxBytes);
    case 'safetensors':
      return readSafetensors(data, name, maxBytes);
    case 'torch-legacy':
      throw new ModelFileError(
        name,
        'a bare pickle (torch.save before PyTorch 1.6, or _use_new_zipfile_serialization=False): re-save it with a current torch.save, or as .safetensors',
      );
    default:
      throw new ModelFileError(name, 'neither a torch.save zip archive nor a safetensors file');
  }
}

/**
 * Reads the tensors of a PyTorch checkpoint — without running any of its code — as plain named
 * arrays (`{ shape, dtype, data }`, no tfjs tensors):
 *
 * - `torch.save` archives (PyTorch ≥ 1.6: a zip with `data.pkl` and `data/N` storages): float32,
 *   float16, bfloat16, float64 and integer storages, little-endian, strided views included.
 *   The pickle is read by a restricted reader that knows only what state dicts use
 *   (`OrderedDict`, the tensor and parameter rebuilds, storage persistent ids); any other global
 *   or call is refused with a {@link ModelFileError} naming it.
 * - Checkpoints holding a `state_dict` (PyTorch Lightning's `.ckpt`, most trainers'): the
 *   tensors of that dict. Other nested dicts are flattened with dotted names.
 * - `.safetensors` files.
 *
 * Every size a file declares is checked against the file before anything is allocated (see
 * `options.maxBytes`); truncated or inconsistent files raise a {@link ModelFileError}.
 * `source` is the file's bytes or, in Node, its path.
 *
 * @example
 * ```ts
 * const tensors = await readTorchCheckpoint('latest_net_G.pth');
 * tensors['model.1.weight']?.shape; // [64, 3, 7, 7]
 * ```
 */
export async function readTorchCheckpoint(
  source: Uint8Array | ArrayBuffer | string,
  options: ReadCheckpointOptions = {},
): Promise<TorchStateDict> {
  if (typeof source !== 'string') return parseTorchCheckpoint(source, options);
  if (!isNode())
    throw new ConfigError(
      'source',
      source,
      'the checkpoint bytes (reading a path needs Node.js; in browsers pass the file contents)',
    );
  const fs = await importOptional<typeof import('node:fs/promises')>('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(source);
  } catch (e) {
    throw new ModelFileError(source, `cannot be read: ${(e as Error).message}`);
  }
  return parseTorchCheckpoint(bytes, { ...options, name: options.name ?? source });
}
