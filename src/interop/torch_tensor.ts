import { ModelFileError } from '../util/index.js';
import type { TypedArray } from './permute.js';

/** The element types a PyTorch checkpoint or a safetensors file can hold that this module reads. */
export type TorchDType =
  'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * A tensor read from a checkpoint: plain JavaScript data, no tfjs tensor (so nothing to dispose).
 * `data` is contiguous, row-major over `shape`; its array type follows `dtype`: `Float32Array`
 * for float32 and the 16-bit floats (decoded), `Float64Array`, `BigInt64Array` for int64,
 * `Int32Array`, `Int16Array`, `Int8Array`, and `Uint8Array` for uint8 and bool (0 / 1).
 */
export interface TorchTensor {
  shape: number[];
  dtype: TorchDType;
  data: TypedArray;
}

/** Named tensors, as a PyTorch `state_dict` names them. */
export type TorchStateDict = Record<string, TorchTensor>;

/** Bytes per element of each dtype as stored. */
export const STORED_BYTES: Record<TorchDType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** Bytes per element once decoded (16-bit floats become float32). */
export const DECODED_BYTES: Record<TorchDType, number> = { ...STORED_BYTES, float16: 4, bfloat16: 4 };

/** `torch.<Name>Storage` → dtype. */
export const STORAGE_DTYPES: Readonly<Record<string, TorchDType>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** A new zeroed array of `n` elements of the decoded type of `dtype`. */
export function allocate(dtype: TorchDType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
    case 'float16':
    case 'bfloat16':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

/** IEEE 754 half precision bits → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f + (f % 2);
}

/** number → IEEE 754 half precision bits, rounding to nearest even (as numpy's `astype(float16)`). */
export function floatToHalf(value: number): number {
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (Number.isNaN(a)) return 0x7e00;
  if (a >= 65520) return sign | 0x7c00;
  // Below 2^-14 the half is subnormal: a multiple of 2^-24 (1024 of them is the smallest normal).
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  return e + 15 >= 31 ? sign | 0x7c00 : sign | ((e + 15) << 10) | m;
}

/**
 * Decodes `count` little-endian elements of `dtype` starting at `byteOffset` of `bytes` (which
 * need not be aligned). The caller has checked the range lies inside `bytes`.
 */
export function decodeElements(bytes: Uint8Array, byteOffset: number, count: number, dtype: TorchDType): TypedArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * STORED_BYTES[dtype]);
  const out = allocate(dtype, count);
  switch (dtype) {
    case 'float32': {
      const o = out as Float32Array;
      for (let i = 0; i < count; i++) o[i] = view.getFloat32(4 * i, true);
      break;
    }
    case 'float16': {
      const o = out as Float32Array;
      for (let i = 0; i < count; i++) o[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    }
    case 'bfloat16': {
      const o = out as Float32Array;
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        word.setUint32(0, view.getUint16(2 * i, true) << 16, true);
        o[i] = word.getFloat32(0, true);
      }
      break;
    }
    case 'float64': {
      const o = out as Float64Array;
      for (let i = 0; i < count; i++) o[i] = view.getFloat64(8 * i, true);
      break;
    }
    case 'int64': {
      const o = out as BigInt64Array;
      for (let i = 0; i < count; i++) o[i] = view.getBigInt64(8 * i, true);
      break;
    }
    case 'int32': {
      const o = out as Int32Array;
      for (let i = 0; i < count; i++) o[i] = view.getInt32(4 * i, true);
      break;
    }
    case 'int16': {
      const o = out as Int16Array;
      for (let i = 0; i < count; i++) o[i] = view.getInt16(2 * i, true);
      break;
    }
    case 'int8':
      (out as Int8Array).set(new Int8Array(bytes.buffer, bytes.byteOffset + byteOffset, count));
      break;
    case 'uint8':
    case 'bool':
      (out as Uint8Array).set(bytes.subarray(byteOffset, byteOffset + count));
      break;
  }
  return out;
}

/** Writes `data` (decoded form of `dtype`) as little-endian elements at `byteOffset` of `view`. */
export function encodeElements(view: DataView, byteOffset: number, data: TypedArray, dtype: TorchDType): void {
  const n = data.length;
  const at = (i: number): number => byteOffset + i * STORED_BYTES[dtype];
  const num = data as unknown as ArrayLike<number>;
  switch (dtype) {
    case 'float32':
      for (let i = 0; i < n; i++) view.setFloat32(at(i), num[i] as number, true);
      break;
    case 'float16':
      for (let i = 0; i < n; i++) view.setUint16(at(i), floatToHalf(num[i] as number), true);
      break;
    case 'bfloat16': {
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        word.setFloat32(0, num[i] as number, true);
        const bits = word.getUint32(0, true);
        // Round to nearest even on the dropped 16 bits (NaN stays NaN).
        const rounded = Number.isNaN(num[i]) ? bits | 0x400000 : bits + 0x7fff + ((bits >>> 16) & 1);
        view.setUint16(at(i), (rounded >>> 16) & 0xffff, true);
      }
      break;
    }
    case 'float64':
      for (let i = 0; i < n; i++) view.setFloat64(at(i), num[i] as number, true);
      break;
    case 'int64': {
      const big = data as BigInt64Array;
      for (let i = 0; i < n; i++) view.setBigInt64(at(i), big[i] as bigint, true);
      break;
    }
    case 'int32':
      for (let i = 0; i < n; i++) view.setInt32(at(i), num[i] as number, true);
      break;
    case 'int16':
      for (let i = 0; i < n; i++) view.setInt16(at(i), num[i] as number, true);
      break;
    case 'int8':
      for (let i = 0; i < n; i++) view.setInt8(at(i), num[i] as number);
      break;
    case 'uint8':
    case 'bool':
      for (let i = 0; i < n; i++) view.setUint8(at(i), num[i] as number);
      break;
  }
}

/**
 * The element count of `shape`, refusing (with a {@link ModelFileError} for `file`) any entry
 * that is not a non-negative safe integer and any count whose `bytesPerElement` bytes would
 * exceed `limit` — checked while multiplying, so no overflow lets a huge shape through.
 */
export function checkedElementCount(
  file: string,
  what: string,
  shape: readonly unknown[],
  bytesPerElement: number,
  limit: number,
): number {
  const described = `[${shape.map(String).join(', ')}]`;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
      throw new ModelFileError(file, `${what}: shape ${described} has an entry that is not a size`);
  }
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape as number[]) {
    n *= d;
    if (n * bytesPerElement > limit)
      throw new ModelFileError(
        file,
        `${what}: shape ${described} needs more than ${limit} bytes, more than the file's data can hold (allocation refused)`,
      );
  }
  return n;
}
