import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelFileError, parseTorchCheckpoint, readTorchCheckpoint, type TorchTensor } from '../../src/index.js';
import { readFixture } from '../helpers/fixtures.js';
import { OP, PickleBytes, stateDictPickle, torchArchive, type TensorSpec } from './torch_writer.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtureFile = (name: string): string => join(here, '..', 'fixtures', 'interop', name);

interface Described {
  shape: number[];
  dtype: string;
  data: string[];
}
interface ViewsFixture {
  views: Record<string, Described | Record<string, unknown>>;
}

/** The fixture's value for `name` as numbers (floats parsed from Python's repr) or bigints. */
function expectedValues(d: Described): (number | bigint)[] {
  return d.data.map((v) => (d.dtype === 'int64' ? BigInt(v) : Number(v)));
}

function flatten(v: unknown, prefix: string, out: Map<string, Described>): void {
  if (v == null) return;
  if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${prefix}${i}.`, out));
  else if (typeof v === 'object' && 'dtype' in v) out.set(prefix.slice(0, -1), v as Described);
  else for (const [k, x] of Object.entries(v)) flatten(x, `${prefix}${k}.`, out);
}

describe('readTorchCheckpoint: torch.save archives', () => {
  it('decodes strided views (transposed, sliced, stepped, expanded) and every dtype as torch holds them', async () => {
    const tensors = await readTorchCheckpoint(fixtureFile('views_and_dtypes.pth'));
    const expected = new Map<string, Described>();
    flatten(readFixture<ViewsFixture>('interop_torch').views, '', expected);
    expect(Object.keys(tensors).sort()).toEqual([...expected.keys()].sort());
    const dtypeOf: Record<string, string> = {
      float32: 'float32',
      float64: 'float64',
      float16: 'float16',
      bfloat16: 'bfloat16',
      int64: 'int64',
      int32: 'int32',
      uint8: 'uint8',
      bool: 'bool',
    };
    for (const [name, d] of expected) {
      const t = tensors[name] as TorchTensor;
      expect(t.shape, name).toEqual(d.shape);
      expect(t.dtype, name).toBe(dtypeOf[d.dtype]);
      const values = expectedValues(d);
      const got = Array.from(t.data as ArrayLike<number | bigint>);
      // float32 (and the 16-bit floats decoded to float32) are exact: torch's value is a float32.
      if (d.dtype === 'float32' || d.dtype === 'float16' || d.dtype === 'bfloat16')
        expect(got, name).toEqual(values.map((v) => Math.fround(v as number)));
      else expect(got, name).toEqual(values);
    }
    // hand-checked: base = arange(24).reshape(4, 6) / 7; transposed[i][j] = base[j][i]
    expect(Array.from((tensors['transposed'] as TorchTensor).data as Float32Array).slice(0, 4)).toEqual(
      [0, 6, 12, 18].map((v) => Math.fround(v / 7)),
    );
    expect(Array.from((tensors['expanded'] as TorchTensor).data as Float32Array)).toEqual([1.5, 1.5, 1.5, -2, -2, -2]);
  });

  it("takes a Lightning checkpoint's state_dict (and nothing of its optimizer states)", async () => {
    const tensors = await readTorchCheckpoint(fixtureFile('mobilestylegan_lightning.ckpt'));
    const names = Object.keys(tensors);
    expect(names).toContain('student.input.input');
    expect(names).toContain('mapping_net.layers.1.weight');
    expect(names).toContain('style_mean');
    expect(names.some((n) => n.startsWith('optimizer_states') || n.startsWith('state_dict'))).toBe(false);
    expect(tensors['device_info']).toEqual({ shape: [], dtype: 'int64', data: new BigInt64Array([1n]) });
  });

  it('reads a safetensors file written by Python', async () => {
    const tensors = await readTorchCheckpoint(fixtureFile('mapping_network.safetensors'));
    expect(Object.keys(tensors).sort()).toEqual([
      'layers.1.bias',
      'layers.1.weight',
      'layers.2.bias',
      'layers.2.weight',
      'layers.3.bias',
      'layers.3.weight',
    ]);
    expect((tensors['layers.1.weight'] as TorchTensor).shape).toEqual([8, 8]);
  });

  it('names a missing file and refuses a pre-1.6 bare pickle and unknown bytes', async () => {
    await expect(readTorchCheckpoint(fixtureFile('nope.pth'))).rejects.toThrow(ModelFileError);
    expect(() => parseTorchCheckpoint(new PickleBytes().int(1).finish())).toThrow(/before PyTorch 1\.6/);
    expect(() => parseTorchCheckpoint(strToU8('hello, world'))).toThrow(
      /neither a torch\.save zip archive nor a safetensors file/,
    );
  });
});

/** A one-tensor archive around a storage of `bytes`. */
function oneTensor(spec: Partial<TensorSpec>, storage: Uint8Array): Uint8Array {
  const t: TensorSpec = {
    name: 'w',
    storage: '0',
    storageType: 'FloatStorage',
    numel: storage.length / 4,
    offset: 0,
    shape: [storage.length / 4],
    stride: [1],
    ...spec,
  };
  return torchArchive(stateDictPickle([t]), { [t.storage]: storage });
}

describe('readTorchCheckpoint: refusals (nothing executed, nothing allocated beyond the file)', () => {
  it("refuses Python's own pickle of an object whose __reduce__ is os.system, naming the global", () => {
    const marker = '/tmp/gancompress-interop-pwned';
    rmSync(marker, { force: true });
    const bytes = readFileSync(fixtureFile('malicious_os_system.pth'));
    expect(() => parseTorchCheckpoint(bytes)).toThrow(ModelFileError);
    expect(() => parseTorchCheckpoint(bytes)).toThrow(/refused global 'posix\.system'/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a GLOBAL of os.system or builtins.eval before anything is called', () => {
    for (const [module, name] of [
      ['os', 'system'],
      ['builtins', 'eval'],
      ['torch', 'load'],
      ['collections', 'defaultdict'],
    ]) {
      const p = new PickleBytes()
        .global(module as string, name as string)
        .tuple((q) => q.str('id'))
        .raw(OP.REDUCE)
        .finish();
      expect(() => parseTorchCheckpoint(torchArchive(p, {}))).toThrow(
        new RegExp(`refused global '${module}\\.${name}'`),
      );
    }
  });

  it('refuses a REDUCE of anything but OrderedDict and the tensor rebuilds', () => {
    const storageCall = new PickleBytes()
      .global('torch', 'FloatStorage')
      .tuple((q) => q.int(3))
      .raw(OP.REDUCE)
      .finish();
    expect(() => parseTorchCheckpoint(torchArchive(storageCall, {}))).toThrow(
      /REDUCE of torch\.FloatStorage: only OrderedDict and the tensor rebuilds/,
    );
    const stringCall = new PickleBytes()
      .str('os.system')
      .tuple((q) => q.str('ls'))
      .raw(OP.REDUCE)
      .finish();
    expect(() => parseTorchCheckpoint(torchArchive(stringCall, {}))).toThrow(/REDUCE of 'os\.system'/);
    const hooked = new PickleBytes()
      .global('torch._utils', '_rebuild_tensor_v2')
      .tuple((q) => {
        q.tuple((r) => r.str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(1)).raw(OP.BINPERSID);
        q.int(0).ints([1]).ints([1]).raw(OP.NEWFALSE);
        q.raw(OP.EMPTY_DICT).str('hook').int(1).raw(OP.SETITEM);
      })
      .raw(OP.REDUCE)
      .finish();
    expect(() => parseTorchCheckpoint(torchArchive(hooked, { '0': new Uint8Array(4) }))).toThrow(/backward hooks/);
  });

  it('refuses the object-building opcodes (INST, NEWOBJ) and BUILD of anything but a dict', () => {
    for (const op of [OP.INST, OP.NEWOBJ]) {
      const p = new PickleBytes().raw(OP.EMPTY_TUPLE, OP.EMPTY_TUPLE, op).finish();
      expect(() => parseTorchCheckpoint(torchArchive(p, {}))).toThrow(/refused opcode/);
    }
    const build = new PickleBytes().str('x').raw(OP.EMPTY_DICT, OP.BUILD).finish();
    expect(() => parseTorchCheckpoint(torchArchive(build, {}))).toThrow(/BUILD of string/);
  });

  it('refuses truncated archives at any length', () => {
    const whole = readFileSync(fixtureFile('adaptor_net_A-0.pth'));
    expect(Object.keys(parseTorchCheckpoint(whole)).sort()).toEqual(['bias', 'weight']);
    for (const cut of [whole.length - 1, whole.length - 30, Math.floor(whole.length / 2), 100, 10, 4])
      expect(() => parseTorchCheckpoint(whole.subarray(0, cut)), `cut at ${cut}`).toThrow(ModelFileError);
  });

  it('refuses a storage shorter than its declaration, and a view reaching past its storage', () => {
    expect(() => oneTensor({ numel: 4, shape: [4] }, new Uint8Array(8))).not.toThrow();
    expect(() => parseTorchCheckpoint(oneTensor({ numel: 4, shape: [4] }, new Uint8Array(8)))).toThrow(
      /storage '0' holds 8 bytes, its declaration needs 16 \(4 × float32\)/,
    );
    expect(() => parseTorchCheckpoint(oneTensor({ numel: 2, shape: [3] }, new Uint8Array(8)))).toThrow(
      /reads element 2 of storage '0', which has 2/,
    );
    expect(() =>
      parseTorchCheckpoint(oneTensor({ numel: 2, offset: 1, shape: [2, 2], stride: [1, 0] }, new Uint8Array(8))),
    ).toThrow(/reads element 2/);
    expect(() =>
      parseTorchCheckpoint(
        torchArchive(
          stateDictPickle([
            { name: 'w', storage: '7', storageType: 'FloatStorage', numel: 1, offset: 0, shape: [1], stride: [1] },
          ]),
          {},
        ),
      ),
    ).toThrow(/storage '7' is missing/);
  });

  it('refuses a 2^40-element shape before allocating (a stride-0 view of one float, and a storage declaring 2^40)', () => {
    const before = process.memoryUsage().arrayBuffers;
    const huge = oneTensor({ numel: 1, shape: [2 ** 20, 2 ** 20], stride: [0, 0] }, new Uint8Array(4));
    expect(() => parseTorchCheckpoint(huge)).toThrow(
      /shape \[1048576, 1048576\] needs more than \d+ bytes.*allocation refused/,
    );
    const declared = oneTensor({ numel: 2 ** 40, shape: [2 ** 40] }, new Uint8Array(4));
    expect(() => parseTorchCheckpoint(declared)).toThrow(/holds 4 bytes, its declaration needs 4398046511104/);
    // A deflated entry whose header declares 4 GiB: refused before fflate allocates it.
    const zip = zipSync({ 'archive/data.pkl': new Uint8Array(300) }, { level: 6 });
    const patched = zip.slice();
    const view = new DataView(patched.buffer);
    for (let i = patched.length - 22; i >= 0; i--)
      if (view.getUint32(i, true) === 0x02014b50) {
        view.setUint32(i + 24, 0xfffffff0, true); // central directory: uncompressed size
        break;
      }
    expect(() => parseTorchCheckpoint(patched)).toThrow(/declares 4294967280 bytes.*allocation refused/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });

  it('refuses cyclic and absurdly deep structures, and reads a long flat list (no recursion limits hit)', () => {
    // a list that contains itself, through the memo: ] q0 h0 a
    const cyclic = new PickleBytes().raw(0x5d, OP.BINPUT, 0, OP.BINGET, 0, 0x61).finish();
    expect(() => parseTorchCheckpoint(torchArchive(cyclic, {}))).toThrow(/nested deeper than 64 levels/);
    const deep = new PickleBytes();
    for (let i = 0; i < 100; i++) deep.raw(0x5d);
    for (let i = 0; i < 99; i++) deep.raw(0x61);
    expect(() => parseTorchCheckpoint(torchArchive(deep.finish(), {}))).toThrow(/nested deeper than 64 levels/);
    const long = new PickleBytes().raw(0x5d, OP.MARK);
    for (let i = 0; i < 200_000; i++) long.raw(OP.BININT1, i & 0xff);
    expect(parseTorchCheckpoint(torchArchive(long.raw(0x65).finish(), {}))).toEqual({});
  });

  it('refuses big-endian storages (PyTorch ≥ 2.1 records the byte order)', () => {
    const pickle = stateDictPickle([
      { name: 'w', storage: '0', storageType: 'FloatStorage', numel: 1, offset: 0, shape: [1], stride: [1] },
    ]);
    const files = { 'archive/data.pkl': pickle, 'archive/data/0': new Uint8Array([0, 0, 128, 63]) };
    expect(
      parseTorchCheckpoint(zipSync({ ...files, 'archive/byteorder': strToU8('little') }, { level: 0 }))['w']?.data,
    ).toEqual(new Float32Array([1]));
    expect(() =>
      parseTorchCheckpoint(zipSync({ ...files, 'archive/byteorder': strToU8('big') }, { level: 0 })),
    ).toThrow(/'big' byte order/);
  });

  it('honours options.maxBytes and names the checkpoint', () => {
    const bytes = oneTensor({}, new Uint8Array(400));
    expect(Object.keys(parseTorchCheckpoint(bytes, { maxBytes: 2000 }))).toEqual(['w']);
    expect(() => parseTorchCheckpoint(bytes, { maxBytes: 500, name: 'tiny.pth' })).toThrow(
      /^tiny\.pth: .*allocation refused/,
    );
    expect(() => parseTorchCheckpoint(bytes, { maxBytes: -1 })).toThrow(/options\.maxBytes: got -1/);
  });
});

/** Storage bytes of `values` for a dtype, written with typed arrays (not the reader's DataView code). */
const DTYPES = {
  FloatStorage: { dtype: 'float32', make: (v: number[]) => new Float32Array(v), size: 4 },
  DoubleStorage: { dtype: 'float64', make: (v: number[]) => new Float64Array(v), size: 8 },
  IntStorage: { dtype: 'int32', make: (v: number[]) => new Int32Array(v.map(Math.round)), size: 4 },
  LongStorage: {
    dtype: 'int64',
    make: (v: number[]) => new BigInt64Array(v.map((x) => BigInt(Math.round(x * 1e6)))),
    size: 8,
  },
  ShortStorage: { dtype: 'int16', make: (v: number[]) => new Int16Array(v.map(Math.round)), size: 2 },
  CharStorage: { dtype: 'int8', make: (v: number[]) => new Int8Array(v.map(Math.round)), size: 1 },
  ByteStorage: {
    dtype: 'uint8',
    make: (v: number[]) => new Uint8Array(v.map((x) => Math.abs(Math.round(x)))),
    size: 1,
  },
} as const;
type StorageName = keyof typeof DTYPES;

const tensorArb = fc
  .record({
    storageType: fc.constantFrom(...(Object.keys(DTYPES) as StorageName[])),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 }),
    order: fc.integer({ min: 0, max: 5 }),
    offset: fc.integer({ min: 0, max: 3 }),
    extra: fc.integer({ min: 0, max: 2 }),
    seed: fc.integer({ min: 0, max: 1000 }),
  })
  .map((r) => {
    // Strides of a random axis order (a transposed view), over a storage with room to spare.
    const axes = r.shape.map((_, i) => i);
    for (let i = axes.length - 1; i > 0; i--) {
      const j = (r.order + i) % (i + 1);
      [axes[i], axes[j]] = [axes[j] as number, axes[i] as number];
    }
    const stride = new Array<number>(r.shape.length).fill(0);
    let s = 1;
    for (let k = axes.length - 1; k >= 0; k--) {
      const a = axes[k] as number;
      stride[a] = s;
      s *= r.shape[a] as number;
    }
    const numel = r.offset + s + r.extra;
    const values = Array.from({ length: numel }, (_, i) => Math.sin(r.seed + i * 1.7) * 100);
    return { ...r, stride, numel, values };
  });

function expectedView(
  t: { shape: number[]; stride: number[]; offset: number },
  storage: ArrayLike<number | bigint>,
): (number | bigint)[] {
  const n = t.shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, flat) => {
    let at = t.offset;
    let rest = flat;
    for (let d = t.shape.length - 1; d >= 0; d--) {
      at += (rest % (t.shape[d] as number)) * (t.stride[d] as number);
      rest = Math.floor(rest / (t.shape[d] as number));
    }
    return storage[at] as number | bigint;
  });
}

describe('readTorchCheckpoint: properties', () => {
  it('reads back any state dict of strided views, as a second writer wrote it', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_.]{0,12}$/), tensorArb), {
          selector: (t) => t[0],
          minLength: 1,
          maxLength: 5,
        }),
        (entries) => {
          const storages: Record<string, Uint8Array> = {};
          const specs: TensorSpec[] = entries.map(([name, t], i) => {
            const typed = DTYPES[t.storageType].make(t.values);
            storages[String(i)] = new Uint8Array(typed.buffer);
            return {
              name,
              storage: String(i),
              storageType: t.storageType,
              numel: t.numel,
              offset: t.offset,
              shape: t.shape,
              stride: t.stride,
            };
          });
          const tensors = parseTorchCheckpoint(torchArchive(stateDictPickle(specs), storages));
          expect(Object.keys(tensors)).toEqual(entries.map(([n]) => n));
          entries.forEach(([name, t]) => {
            const got = tensors[name] as TorchTensor;
            expect(got.dtype).toBe(DTYPES[t.storageType].dtype);
            expect(got.shape).toEqual(t.shape);
            const typed = DTYPES[t.storageType].make(t.values) as ArrayLike<number | bigint>;
            expect(Array.from(got.data as ArrayLike<number | bigint>)).toEqual(expectedView(t, typed));
          });
        },
      ),
      { seed: 7, numRuns: 150 },
    );
  });

  it('gives a result or a ModelFileError for any corruption or truncation of an archive', () => {
    const whole = readFileSync(fixtureFile('adaptor_net_A-0.pth'));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(whole.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(whole.length),
        (flips, cut) => {
          const bytes = whole.slice(0, Math.max(cut, 1));
          for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
          try {
            const tensors = parseTorchCheckpoint(bytes);
            for (const t of Object.values(tensors)) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
          } catch (e) {
            expect(e).toBeInstanceOf(ModelFileError);
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('gives a ModelFileError for arbitrary pickles of the allowed opcodes', () => {
    const ops = [
      OP.MARK,
      OP.TUPLE,
      OP.EMPTY_TUPLE,
      OP.TUPLE1,
      OP.EMPTY_DICT,
      OP.SETITEMS,
      OP.SETITEM,
      OP.REDUCE,
      OP.BINPERSID,
      OP.NEWFALSE,
      OP.BINPUT,
      OP.BINGET,
      OP.BININT1,
      OP.BUILD,
      0x2e,
    ];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...ops), fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
        (body) => {
          const pickle = Uint8Array.from([OP.PROTO, 2, ...body]);
          try {
            parseTorchCheckpoint(torchArchive(pickle, {}));
          } catch (e) {
            expect(e).toBeInstanceOf(ModelFileError);
          }
        },
      ),
      { seed: 3, numRuns: 500 },
    );
  });
});
