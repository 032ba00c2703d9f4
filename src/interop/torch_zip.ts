import { unzipSync } from 'fflate';
import { ModelFileError } from '../util/index.js';
import { gatherStrided, type TypedArray } from './permute.js';
import { PickleDict, isTensorRef, readPickle, type PickleValue, type StorageRef, type TensorRef } from './pickle.js';
import {
  DECODED_BYTES,
  STORED_BYTES,
  allocate,
  checkedElementCount,
  decodeElements,
  type TorchStateDict,
} from './torch_tensor.js';

/** The smallest central-directory record of a zip entry, to bound how many entries a file can list. */
const CENTRAL_RECORD_BYTES = 46;

/**
 * Extracts the entries `want` selects, refusing archives that declare more entries than the
 * file can hold or entries whose expanded size would pass `budget` bytes in total. fflate
 * allocates a compressed entry's declared size before inflating it, so the check comes first.
 */
function extract(
  bytes: Uint8Array,
  file: string,
  want: (name: string) => boolean,
  budget: { left: number },
): Record<string, Uint8Array> {
  let listed = 0;
  const declared = new Map<string, number>();
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (info) => {
        if (++listed > bytes.length / CENTRAL_RECORD_BYTES)
          throw new ModelFileError(file, 'the zip directory lists more entries than the file can hold');
        if (!want(info.name)) return false;
        if (info.compression !== 0 && info.compression !== 8)
          throw new ModelFileError(
            file,
            `zip entry '${info.name}' uses compression method ${info.compression} (only stored and deflate are read)`,
          );
        const size = info.compression === 0 ? info.size : info.originalSize;
        if (!Number.isSafeInteger(size) || size < 0 || size > budget.left)
          throw new ModelFileError(
            file,
            `zip entry '${info.name}' declares ${size} bytes, more than the ${budget.left} bytes left of the allowed size (maxBytes; allocation refused)`,
          );
        budget.left -= size;
        declared.set(info.name, size);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(file, `not a readable zip archive (truncated or corrupt): ${(e as Error).message}`);
  }
  for (const [name, data] of Object.entries(files)) {
    if (data.length !== declared.get(name))
      throw new ModelFileError(
        file,
        `zip entry '${name}' holds ${data.length} bytes, its header declares ${declared.get(name)} (truncated?)`,
      );
  }
  return files;
}

/**
 * Reads the tensors of a `torch.save` zip archive (see {@link tensorsOf} for the names). Only the
 * storages the returned tensors view are extracted; archive entries and decoded tensors together
 * may take at most `maxBytes`.
 */
export function readTorchZip(bytes: Uint8Array, file: string, maxBytes: number): TorchStateDict {
  const budget = { left: maxBytes };
  const pickles = extract(bytes, file, (name) => name === 'data.pkl' || name.endsWith('/data.pkl'), budget);
  const names = Object.keys(pickles);
  if (names.length !== 1)
    throw new ModelFileError(
      file,
      names.length === 0
        ? 'a zip archive without data.pkl: not a torch.save checkpoint'
        : `several data.pkl entries (${names.join(', ')})`,
    );
  const pklName = names[0] as string;
  const prefix = pklName.slice(0, pklName.length - 'data.pkl'.length);
  // PyTorch ≥ 2.1 records the byte order of the storages; older archives are little-endian.
  const order = extract(bytes, file, (name) => name === `${prefix}byteorder`, budget)[`${prefix}byteorder`];
  if (order != null && new TextDecoder().decode(order).trim() !== 'little')
    throw new ModelFileError(
      file,
      `storages in '${new TextDecoder().decode(order).trim()}' byte order (only little-endian is read)`,
    );
  const named = namedTensors(stateDictOf(readPickle(pickles[pklName] as Uint8Array, file)), file);

  const storages = new Map<string, StorageRef>();
  for (const [, ref] of named) storages.set(ref.storage.key, ref.storage);
  const keys = new Set([...storages.keys()].map((k) => `${prefix}data/${k}`));
  const data = extract(bytes, file, (name) => keys.has(name), budget);
  for (const s of storages.values()) {
    const entry = data[`${prefix}data/${s.key}`];
    if (entry == null) throw new ModelFileError(file, `storage '${s.key}' is missing from the archive (data/${s.key})`);
    const needed = s.numel * STORED_BYTES[s.dtype];
    if (entry.length < needed)
      throw new ModelFileError(
        file,
        `storage '${s.key}' holds ${entry.length} bytes, its declaration needs ${needed} (${s.numel} × ${s.dtype})`,
      );
  }

  const decode = (ref: TensorRef, name: string): TypedArray => {
    const s = ref.storage;
    const what = `tensor '${name}'`;
    const numel = checkedElementCount(file, what, ref.shape, DECODED_BYTES[s.dtype], budget.left);
    if (numel > 0) {
      let last = ref.offset;
      ref.shape.forEach((d, i) => (last += (d - 1) * (ref.stride[i] as number)));
      if (last >= s.numel)
        throw new ModelFileError(
          file,
          `${what} reads element ${last} of storage '${s.key}', which has ${s.numel} (shape [${ref.shape.join(', ')}], stride [${ref.stride.join(', ')}], offset ${ref.offset})`,
        );
    }
    budget.left -= numel * DECODED_BYTES[s.dtype];
    const entry = data[`${prefix}data/${s.key}`] as Uint8Array;
    const contiguous = isContiguous(ref.shape, ref.stride);
    if (contiguous || numel === 0) return decodeElements(entry, ref.offset * STORED_BYTES[s.dtype], numel, s.dtype);
    // A strided view: decode the span it covers, then gather.
    let span = 1;
    ref.shape.forEach((d, i) => (span += (d - 1) * (ref.stride[i] as number)));
    const window = decodeElements(entry, ref.offset * STORED_BYTES[s.dtype], span, s.dtype);
    return gatherStrided(window, 0, ref.shape, ref.stride, (n) => allocate(s.dtype, n));
  };
  return tensorsOf(named, file, decode);
}

/** A root holding a `state_dict` dict (PyTorch Lightning, and most trainers): that dict; else the root. */
function stateDictOf(root: PickleValue): PickleValue {
  return root instanceof PickleDict && root.get('state_dict') instanceof PickleDict
    ? (root.get('state_dict') as PickleDict)
    : root;
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if ((shape[i] as number) !== 1 && stride[i] !== expected) return false;
    expected *= shape[i] as number;
  }
  return true;
}

/** State dicts nest a few levels (Lightning: 4); deeper (or cyclic) structures are refused. */
const MAX_DEPTH = 64;
/** Containers and values visited at most, so that shared sub-structures cannot multiply the work. */
const MAX_VISITS = 1_000_000;

/**
 * The tensors under `start` with their dotted names, in order: a dict of tensors as it is, nested
 * dicts and lists joined with '.' (`ckpt.layers.1.weight`); other values (numbers, strings) are
 * left out. Iterative, with a depth and a visit limit (a pickle can build cycles and shared
 * structures through its memo).
 */
function namedTensors(start: PickleValue, file: string): [string, TensorRef][] {
  const out: [string, TensorRef][] = [];
  const stack: [PickleValue, string, number][] = [[start, '', 0]];
  let visits = 0;
  while (stack.length > 0) {
    const [v, name, depth] = stack.pop() as [PickleValue, string, number];
    if (++visits > MAX_VISITS)
      throw new ModelFileError(file, `more than ${MAX_VISITS} values to walk (shared structures?)`);
    if (isTensorRef(v)) {
      out.push([name, v]);
      continue;
    }
    const children: [PickleValue, string][] =
      v instanceof PickleDict
        ? [...v].map(([k, item]) => [item as PickleValue, name === '' ? String(k) : `${name}.${String(k)}`])
        : Array.isArray(v)
          ? v.map((item, i) => [item, name === '' ? String(i) : `${name}.${i}`])
          : [];
    if (children.length > 0 && depth >= MAX_DEPTH)
      throw new ModelFileError(file, `values nested deeper than ${MAX_DEPTH} levels at '${name}' (a cycle?)`);
    for (let i = children.length - 1; i >= 0; i--) {
      const [item, childName] = children[i] as [PickleValue, string];
      stack.push([item, childName, depth + 1]);
    }
  }
  return out;
}

function tensorsOf(
  named: [string, TensorRef][],
  file: string,
  decode: (ref: TensorRef, name: string) => TypedArray,
): TorchStateDict {
  const out: TorchStateDict = Object.create(null) as TorchStateDict;
  for (const [name, ref] of named) {
    if (name in out) throw new ModelFileError(file, `two tensors named '${name}'`);
    out[name] = { shape: [...ref.shape], dtype: ref.storage.dtype, data: decode(ref, name) };
  }
  return out;
}
