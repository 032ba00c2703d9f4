import { ModelFileError } from '../util/index.js';
import { STORAGE_DTYPES, type TorchDType } from './torch_tensor.js';

/*
 * A restricted reader of the pickles `torch.save` writes (protocol 2; 3–5 parse too). It is a
 * stack machine over the opcodes that plain data, state dicts and tensor rebuilds use, and it
 * never runs code: a GLOBAL may name only the few callables a state dict needs, which are
 * interpreted here (OrderedDict, the tensor and parameter rebuilds) or stand for a storage type;
 * REDUCE may call only those rebuilds; the object-building opcodes (INST, OBJ, NEWOBJ, EXT*)
 * are refused. Every length is checked against the bytes left before anything is allocated.
 */

/** A storage a tensor views: `numel` elements of `dtype` in the archive entry `data/<key>`. */
export interface StorageRef {
  readonly kind: 'storage';
  readonly key: string;
  readonly dtype: TorchDType;
  readonly numel: number;
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage. */
export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: number[];
  readonly stride: number[];
}

/** A dict (or OrderedDict): insertion-ordered, keys as Python gave them. */
export class PickleDict extends Map<unknown, unknown> {}

/** The value of an allowed GLOBAL. */
interface GlobalRef {
  readonly kind: 'global';
  readonly name: string;
}

/** What a pickle can produce: plain data, dicts, tensors. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleDict
  | TensorRef
  | StorageRef
  | GlobalRef;

const CALLABLES = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
]);

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

const isGlobal = (v: unknown, name?: string): v is GlobalRef =>
  typeof v === 'object' &&
  v != null &&
  (v as GlobalRef).kind === 'global' &&
  (name == null || (v as GlobalRef).name === name);

const isTensor = (v: unknown): v is TensorRef =>
  typeof v === 'object' && v != null && !(v instanceof Map) && (v as TensorRef).kind === 'tensor';

const isStorage = (v: unknown): v is StorageRef =>
  typeof v === 'object' && v != null && !(v instanceof Map) && (v as StorageRef).kind === 'storage';

/**
 * Parses `bytes` (a pickle) into plain values. `file` names the checkpoint in errors.
 *
 * @throws {@link ModelFileError} on any opcode, global or call a state dict does not use, on
 * truncated data and on malformed tensor descriptions.
 */
export function readPickle(bytes: Uint8Array, file: string): PickleValue {
  const fail = (problem: string): never => {
    throw new ModelFileError(file, `data.pkl: ${problem}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  const storages = new Map<string, StorageRef>();

  const need = (n: number, what: string): void => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > bytes.length)
      fail(`${what} at byte ${pos} needs ${n} bytes, ${bytes.length - pos} left (truncated?)`);
  };
  const u8 = (): number => {
    need(1, 'a byte');
    return bytes[pos++] as number;
  };
  const take = (n: number, what: string): Uint8Array => {
    need(n, what);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u16 = (): number => {
    need(2, 'a 2-byte length');
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4, 'a 4-byte length');
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8, 'an 8-byte length');
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${v} is too large`);
    return Number(v);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`unterminated text argument at byte ${pos}`);
    const text = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const utf8 = (raw: Uint8Array): string => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return fail(`a string at byte ${pos - raw.length} is not valid UTF-8`);
    }
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) return fail(`stack underflow at byte ${pos - 1}`);
    return v;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) return fail(`empty stack at byte ${pos - 1}`);
    return v;
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail(`no MARK before byte ${pos - 1}`);
    const items = stack.splice(at);
    items.shift();
    return items as PickleValue[];
  };
  const parseInt10 = (text: string): number | boolean => {
    if (text === '01') return true;
    if (text === '00') return false;
    const t = text.endsWith('L') ? text.slice(0, -1) : text;
    if (!/^[-+]?\d+$/.test(t)) return fail(`'${text}' is not an integer`);
    const v = Number(t);
    if (!Number.isSafeInteger(v)) return fail(`integer ${text} is too large`);
    return v;
  };
  const signedLE = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    if (raw.length > 8) fail(`an integer of ${raw.length} bytes is too large`);
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i] as number);
    if ((raw[raw.length - 1] as number) & 0x80) v -= 1n << BigInt(8 * raw.length);
    return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  };
  const memoPut = (key: number): void => {
    memo.set(key, top());
  };
  const memoGet = (key: number): void => {
    if (!memo.has(key)) fail(`memo entry ${key} was never stored`);
    stack.push(memo.get(key) as PickleValue);
  };
  const global = (module: string, name: string): GlobalRef => {
    const full = `${module}.${name}`;
    if (CALLABLES.has(full)) return { kind: 'global', name: full };
    if (module === 'torch' && name in STORAGE_DTYPES) return { kind: 'global', name: full };
    return fail(
      `refused global '${full}': a checkpoint may name only collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and torch.*Storage types (nothing is executed)`,
    );
  };
  const setItems = (dict: PickleValue, items: PickleValue[]): void => {
    if (!(dict instanceof PickleDict)) fail(`SETITEM(S) on a ${typeName(dict)}, not a dict`);
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i] as PickleValue;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint' && typeof key !== 'boolean')
        fail(`a dict key of type ${typeName(key)} (keys must be strings or numbers)`);
      (dict as PickleDict).set(key, items[i + 1]);
    }
  };
  const appendItems = (list: PickleValue, items: PickleValue[]): void => {
    if (!Array.isArray(list)) fail(`APPEND(S) on a ${typeName(list)}, not a list`);
    for (const item of items) (list as PickleValue[]).push(item); // no spread: items may be many
  };
  const persistent = (pid: PickleValue): StorageRef => {
    if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== 'storage')
      return fail(`persistent id ${describe(pid)}: expected ('storage', type, key, location, numel)`);
    const [, type, key, , numel] = pid;
    if (!isGlobal(type) || !(type.name.slice('torch.'.length) in STORAGE_DTYPES))
      return fail(`persistent id names ${describe(type)}, not a torch.*Storage type`);
    if (typeof key !== 'string' || !/^[A-Za-z0-9_]+$/.test(key))
      return fail(`storage key ${describe(key)} is not a plain name`);
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0)
      return fail(`storage '${key}' declares ${describe(numel)} elements`);
    const dtype = STORAGE_DTYPES[type.name.slice('torch.'.length)] as TorchDType;
    const seen = storages.get(key);
    if (seen != null) {
      if (seen.dtype !== dtype || seen.numel !== numel) fail(`storage '${key}' is declared twice, differently`);
      return seen;
    }
    const ref: StorageRef = { kind: 'storage', key, dtype, numel };
    storages.set(key, ref);
    return ref;
  };
  const rebuildTensor = (args: PickleValue[]): TensorRef => {
    const [storage, offset, size, stride] = args;
    if (args.length < 4 || args.length > 7 || !isStorage(storage))
      return fail(`_rebuild_tensor_v2 called with ${describe(args)}: expected (storage, offset, size, stride, ...)`);
    const ints = (v: PickleValue | undefined): v is number[] =>
      Array.isArray(v) && v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0);
    if (
      typeof offset !== 'number' ||
      !Number.isSafeInteger(offset) ||
      offset < 0 ||
      !ints(size) ||
      !ints(stride) ||
      size.length !== stride.length
    )
      return fail(
        `tensor with offset ${describe(offset)}, size ${describe(size)}, stride ${describe(stride)}: expected non-negative integers, as many strides as sizes`,
      );
    const hooks = args[5];
    if (hooks != null && !(hooks instanceof PickleDict && hooks.size === 0))
      fail('a tensor with backward hooks (hooks are code, which a checkpoint may not carry)');
    return { kind: 'tensor', storage, offset, shape: [...size], stride: [...stride] };
  };
  const reduce = (callable: PickleValue, args: PickleValue): PickleValue => {
    if (!isGlobal(callable) || !CALLABLES.has(callable.name))
      return fail(`REDUCE of ${describe(callable)}: only OrderedDict and the tensor rebuilds may be called`);
    if (!Array.isArray(args)) return fail(`REDUCE arguments ${describe(args)} are not a tuple`);
    switch (callable.name) {
      case 'collections.OrderedDict': {
        const dict = new PickleDict();
        if (args.length === 1 && Array.isArray(args[0]))
          for (const pair of args[0]) {
            if (!Array.isArray(pair) || pair.length !== 2) fail('OrderedDict built from items that are not pairs');
            setItems(dict, pair as PickleValue[]);
          }
        else if (args.length !== 0) fail(`OrderedDict called with ${describe(args)}`);
        return dict;
      }
      case 'torch._utils._rebuild_tensor_v2':
        return rebuildTensor(args);
      default: {
        const [data, , hooks] = args;
        if (!isTensor(data)) return fail(`_rebuild_parameter of ${describe(data)}, not a tensor`);
        if (hooks != null && !(hooks instanceof PickleDict && hooks.size === 0))
          fail('a parameter with backward hooks (hooks are code, which a checkpoint may not carry)');
        return data;
      }
    }
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} values on the stack`);
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        if (stack.pop() === undefined) fail(`POP on an empty stack at byte ${at}`);
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: // INT
      case 0x4c: // LONG
        stack.push(parseInt10(line()));
        break;
      case 0x4a: // BININT
        need(4, 'BININT');
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(signedLE(take(u8(), 'LONG1')));
        break;
      case 0x8b: // LONG4
        stack.push(signedLE(take(u32(), 'LONG4')));
        break;
      case 0x46: {
        // FLOAT
        const text = line();
        const v = Number(text);
        if (text.trim() === '' || (Number.isNaN(v) && !/^[-+]?nan$/i.test(text.trim())))
          fail(`'${text}' is not a float`);
        stack.push(v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8, 'BINFLOAT');
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(take(u32(), 'BINUNICODE')));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(take(u8(), 'SHORT_BINUNICODE')));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(take(u64(), 'BINUNICODE8')));
        break;
      case 0x54: // BINSTRING
        stack.push(new TextDecoder('latin1').decode(take(u32(), 'BINSTRING')));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(new TextDecoder('latin1').decode(take(u8(), 'SHORT_BINSTRING')));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32(), 'BINBYTES').slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8(), 'SHORT_BINBYTES').slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64(), 'BINBYTES8').slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PickleDict());
        break;
      case 0x64: {
        // DICT
        const dict = new PickleDict();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET (kept as a list)
        stack.push([]);
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(popMark());
        break;
      case 0x67: // GET
        memoGet(parseInt10(line()) as number);
        break;
      case 0x68: // BINGET
        memoGet(u8());
        break;
      case 0x6a: // LONG_BINGET
        memoGet(u32());
        break;
      case 0x70: // PUT
        memoPut(parseInt10(line()) as number);
        break;
      case 0x71: // BINPUT
        memoPut(u8());
        break;
      case 0x72: // LONG_BINPUT
        memoPut(u32());
        break;
      case 0x94: // MEMOIZE
        memoPut(memo.size);
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL of non-strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args));
        break;
      }
      case 0x62: {
        // BUILD: only an OrderedDict's attribute state (a state dict's `_metadata`), which is dropped.
        const state = pop();
        const obj = top();
        if (!(obj instanceof PickleDict) || !(state instanceof PickleDict || state == null))
          fail(`BUILD of ${typeName(obj)} with ${typeName(state)} state (only a dict's attributes are accepted)`);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistent(pop()));
        break;
      case 0x50: // PERSID (text ids are not torch's)
        return fail(`refused PERSID '${line()}' at byte ${at}: torch writes binary persistent ids`);
      default:
        return fail(
          `refused opcode 0x${op.toString(16).padStart(2, '0')} ('${String.fromCharCode(op)}') at byte ${at}: not used by state dicts (object construction and extensions are not allowed)`,
        );
    }
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'tuple/list';
  if (v instanceof PickleDict) return 'dict';
  if (v instanceof Uint8Array) return 'bytes';
  if (isTensor(v)) return 'tensor';
  if (isStorage(v)) return 'storage';
  if (isGlobal(v)) return v.name;
  return typeof v;
}

function describe(v: unknown): string {
  if (isGlobal(v)) return v.name;
  if (Array.isArray(v)) return `(${v.map(describe).join(', ')})`;
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 37)}...` : v}'`;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return typeName(v);
}

/** Whether a pickle value is a tensor. */
export function isTensorRef(v: unknown): v is TensorRef {
  return isTensor(v);
}
