import { ConfigError, ModelFileError } from '../util/index.js';
import {
  DECODED_BYTES,
  STORED_BYTES,
  allocate,
  checkedElementCount,
  decodeElements,
  encodeElements,
  type TorchDType,
  type TorchStateDict,
  type TorchTensor,
} from './torch_tensor.js';

/** safetensors dtype codes ↔ dtypes. */
const CODES: Record<TorchDType, string> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  float64: 'F64',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};
const DTYPES: Record<string, TorchDType> = Object.fromEntries(
  Object.entries(CODES).map(([dtype, code]) => [code, dtype as TorchDType]),
);

/** The header size limit of the reference implementation (100 MB). */
const MAX_HEADER = 100_000_000;

/**
 * Reads a safetensors file: an 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__? }`, then the data. Every
 * size is checked against the file before anything is allocated: the header length, each
 * tensor's byte range (inside the data, exactly `numel × element size`, no overlaps, no holes).
 */
export function readSafetensors(bytes: Uint8Array, file: string, maxBytes: number): TorchStateDict {
  if (bytes.length < 8) throw new ModelFileError(file, `${bytes.length} bytes: too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(bytes.length - 8, MAX_HEADER)))
    throw new ModelFileError(
      file,
      `safetensors header declares ${headerLength} bytes, the file has ${bytes.length - 8} after the length`,
    );
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new ModelFileError(file, `safetensors header is not valid JSON: ${(e as Error).message}`);
  }
  const data = bytes.subarray(8 + n);
  const entries: { name: string; dtype: TorchDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const what = `tensor '${name}'`;
    if (v == null || typeof v !== 'object') throw new ModelFileError(file, `${what}: header entry is not an object`);
    const dtype = typeof v.dtype === 'string' ? DTYPES[v.dtype] : undefined;
    if (dtype == null)
      throw new ModelFileError(
        file,
        `${what}: dtype ${JSON.stringify(v.dtype)} (read: ${Object.values(CODES).join(', ')})`,
      );
    if (!Array.isArray(v.shape)) throw new ModelFileError(file, `${what}: shape is not a list`);
    const numel = checkedElementCount(file, what, v.shape, STORED_BYTES[dtype], data.length);
    const offsets = v.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0) ||
      (offsets[0] as number) > (offsets[1] as number) ||
      (offsets[1] as number) > data.length
    )
      throw new ModelFileError(
        file,
        `${what}: data_offsets ${JSON.stringify(offsets)} lie outside the ${data.length} data bytes`,
      );
    const [begin, end] = offsets as [number, number];
    if (end - begin !== numel * STORED_BYTES[dtype])
      throw new ModelFileError(
        file,
        `${what}: ${end - begin} data bytes for shape [${(v.shape as number[]).join(', ')}] of ${dtype} (needs ${numel * STORED_BYTES[dtype]})`,
      );
    entries.push({ name, dtype, shape: [...(v.shape as number[])], begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin !== covered)
      throw new ModelFileError(
        file,
        e.begin < covered
          ? `tensor '${e.name}' overlaps another tensor's bytes`
          : `a hole in the data before tensor '${e.name}'`,
      );
    covered = e.end;
  }
  if (covered !== data.length)
    throw new ModelFileError(file, `${data.length - covered} data bytes after the last tensor`);
  let left = maxBytes;
  const out: TorchStateDict = Object.create(null) as TorchStateDict;
  for (const e of entries) {
    const numel = (e.end - e.begin) / STORED_BYTES[e.dtype];
    left -= numel * DECODED_BYTES[e.dtype];
    if (left < 0)
      throw new ModelFileError(
        file,
        `the tensors need more than maxBytes (${maxBytes}) once decoded (allocation refused)`,
      );
    out[e.name] = {
      shape: e.shape,
      dtype: e.dtype,
      data: numel === 0 ? allocate(e.dtype, 0) : decodeElements(data, e.begin, numel, e.dtype),
    };
  }
  return out;
}

function checkTensor(name: string, t: unknown): TorchTensor {
  const v = t as Partial<TorchTensor> | null;
  if (
    v == null ||
    typeof v !== 'object' ||
    !Array.isArray(v.shape) ||
    typeof v.dtype !== 'string' ||
    !(v.dtype in CODES)
  )
    throw new ConfigError(
      `tensors['${name}']`,
      t,
      '{ shape, dtype, data } with a dtype of float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8, bool',
    );
  if (!v.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new ConfigError(`tensors['${name}'].shape`, v.shape, 'non-negative integers');
  const numel = v.shape.reduce((a, b) => a * b, 1);
  const expected = allocate(v.dtype, 0).constructor;
  if (v.data == null || v.data.constructor !== expected || v.data.length !== numel)
    throw new ConfigError(
      `tensors['${name}'].data`,
      v.data == null ? v.data : `${v.data.constructor.name}(${v.data.length})`,
      `a ${expected.name} of ${numel} elements (shape [${v.shape.join(', ')}], ${v.dtype})`,
    );
  return v as TorchTensor;
}

/**
 * Encodes named tensors as a safetensors file. Tensors are written in name order, the header
 * padded with spaces to a multiple of 8 bytes (as the reference writer does); `metadata` (string
 * values) goes under `__metadata__`. The same input always gives the same bytes.
 *
 * @example
 * ```ts
 * const bytes = writeSafetensors({ 'conv.weight': { shape: [2], dtype: 'float32', data: new Float32Array([1, 2]) } });
 * ```
 */
export function writeSafetensors(tensors: TorchStateDict, metadata?: Record<string, string>): Uint8Array {
  if (tensors == null || typeof tensors !== 'object')
    throw new ConfigError('tensors', tensors, 'an object of named tensors');
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata != null) {
    if (typeof metadata !== 'object' || !Object.values(metadata).every((v) => typeof v === 'string'))
      throw new ConfigError('metadata', metadata, 'an object of string values');
    header['__metadata__'] = { ...metadata };
  }
  let offset = 0;
  const checked = names.map((name) => {
    if (name === '__metadata__') throw new ConfigError('tensors', name, 'tensor names other than __metadata__');
    const t = checkTensor(name, tensors[name]);
    const size = t.data.length * STORED_BYTES[t.dtype];
    header[name] = { dtype: CODES[t.dtype], shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
    return t;
  });
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of checked) {
    encodeElements(view, at, t.data, t.dtype);
    at += t.data.length * STORED_BYTES[t.dtype];
  }
  return out;
}
