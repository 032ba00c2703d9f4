import { strToU8, zipSync } from 'fflate';

/*
 * A second, independent writer of torch.save archives for the tests: pickles built opcode by
 * opcode (protocol 2, as torch.save writes them) and zipped with fflate (stored entries). It
 * writes valid state dicts for property tests and hand-made malicious or malformed ones.
 */

/** Opcode bytes by name (Python's pickle module). */
export const OP = {
  PROTO: 0x80,
  STOP: 0x2e,
  MARK: 0x28,
  TUPLE: 0x74,
  EMPTY_TUPLE: 0x29,
  TUPLE1: 0x85,
  EMPTY_DICT: 0x7d,
  SETITEMS: 0x75,
  SETITEM: 0x73,
  GLOBAL: 0x63,
  REDUCE: 0x52,
  BINPERSID: 0x51,
  BININT: 0x4a,
  BININT1: 0x4b,
  BINUNICODE: 0x58,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  BINPUT: 0x71,
  BINGET: 0x68,
  NEWOBJ: 0x81,
  INST: 0x69,
  BUILD: 0x62,
} as const;

/** Builds a pickle from opcodes and arguments. */
export class PickleBytes {
  private readonly bytes: number[] = [OP.PROTO, 2];

  raw(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  global(module: string, name: string): this {
    return this.raw(OP.GLOBAL, ...strToU8(`${module}\n${name}\n`));
  }
  str(s: string): this {
    const u = strToU8(s);
    return this.raw(
      OP.BINUNICODE,
      u.length & 0xff,
      (u.length >> 8) & 0xff,
      (u.length >> 16) & 0xff,
      u.length >>> 24,
      ...u,
    );
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.raw(OP.BININT1, n);
    if (n >= -(2 ** 31) && n < 2 ** 31)
      return this.raw(OP.BININT, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
    // LONG1: little-endian two's complement, 8 bytes.
    const b = new Uint8Array(new BigInt64Array([BigInt(n)]).buffer);
    return this.raw(OP.LONG1, 8, ...b);
  }
  tuple(build: (p: this) => void): this {
    this.raw(OP.MARK);
    build(this);
    return this.raw(OP.TUPLE);
  }
  ints(values: number[]): this {
    return this.tuple((p) => values.forEach((v) => p.int(v)));
  }
  finish(): Uint8Array {
    return Uint8Array.from([...this.bytes, OP.STOP]);
  }
}

/** One tensor of a state dict to write: a view of storage `key`. */
export interface TensorSpec {
  name: string;
  storage: string;
  storageType: string;
  numel: number;
  offset: number;
  shape: number[];
  stride: number[];
}

/** The tensor part of a state dict entry: `_rebuild_tensor_v2((storage pid), offset, size, stride, False, OrderedDict())`. */
export function rebuildTensor(p: PickleBytes, t: TensorSpec): PickleBytes {
  p.global('torch._utils', '_rebuild_tensor_v2');
  p.tuple((q) => {
    q.tuple((r) => r.str('storage').global('torch', t.storageType).str(t.storage).str('cpu').int(t.numel));
    q.raw(OP.BINPERSID);
    q.int(t.offset).ints(t.shape).ints(t.stride).raw(OP.NEWFALSE);
    q.global('collections', 'OrderedDict').raw(OP.EMPTY_TUPLE, OP.REDUCE);
  });
  return p.raw(OP.REDUCE);
}

/** A state dict pickle as torch.save writes it: an OrderedDict of name → tensor. */
export function stateDictPickle(tensors: TensorSpec[]): Uint8Array {
  const p = new PickleBytes();
  p.global('collections', 'OrderedDict').raw(OP.EMPTY_TUPLE, OP.REDUCE, OP.MARK);
  for (const t of tensors) rebuildTensor(p.str(t.name), t);
  return p.raw(OP.SETITEMS).finish();
}

/** A torch.save archive: `archive/data.pkl`, `archive/data/<key>` and `archive/version`, stored. */
export function torchArchive(pickle: Uint8Array, storages: Record<string, Uint8Array>): Uint8Array {
  const files: Record<string, Uint8Array> = { 'archive/data.pkl': pickle, 'archive/version': strToU8('3\n') };
  for (const [key, bytes] of Object.entries(storages)) files[`archive/data/${key}`] = bytes;
  return zipSync(files, { level: 0 });
}
