import { describe, expect, it } from 'vitest';
import {
  compileModule,
  F32,
  F32_ADD,
  f32,
  f32Load,
  f32Store,
  F32X4_MUL,
  F32X4_SPLAT,
  get,
  I32,
  moduleBytes,
  set,
  sleb,
  uleb,
  V128,
  v128Load,
  v128Store,
} from '../../src/util/wasm_module.js';

describe('WebAssembly emitter', () => {
  it('encodes LEB128 as the specification examples', () => {
    expect(uleb(0)).toEqual([0x00]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(f32(0.5)).toEqual([0x43, 0x00, 0x00, 0x00, 0x3f]); // little-endian 0x3f000000
  });

  it('assembles a module that imports a plain or shared memory and runs its exports on it', () => {
    // add3(p): mem[p + 8] = mem[p] + mem[p + 4] + 0.25 (f32); scale4(p, s): mem[p..p+16] *= s (f32x4)
    const defs = [
      {
        name: 'add3',
        params: [I32],
        results: [],
        locals: [[1, F32]] as [number, number][],
        body: [
          ...get(0),
          ...f32Load(0),
          ...get(0),
          ...f32Load(4),
          ...F32_ADD,
          ...f32(0.25),
          ...F32_ADD,
          ...set(1),
          ...get(0),
          ...get(1),
          ...f32Store(8),
        ],
      },
      {
        name: 'scale4',
        params: [I32, F32],
        results: [],
        locals: [[1, V128]] as [number, number][],
        body: [
          ...get(1),
          ...F32X4_SPLAT,
          ...set(2),
          ...get(0),
          ...get(0),
          ...v128Load(0, 2),
          ...get(2),
          ...F32X4_MUL,
          ...v128Store(0, 2),
        ],
      },
    ];
    for (const shared of [false, true]) {
      const module = compileModule(moduleBytes(defs, { shared }));
      expect(module, `shared ${shared}`).not.toBeNull();
      const memory = shared
        ? new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true })
        : new WebAssembly.Memory({ initial: 1 });
      const { add3, scale4 } = new WebAssembly.Instance(module as WebAssembly.Module, { env: { memory } }).exports as {
        add3: (p: number) => void;
        scale4: (p: number, s: number) => void;
      };
      const heap = new Float32Array(memory.buffer);
      heap.set([1.5, 2, 0, 7, 8], 3);
      add3(12);
      expect(Array.from(heap.subarray(3, 8))).toEqual([1.5, 2, 3.75, 7, 8]);
      scale4(12, -2); // not 16-byte aligned: elements 3..6
      expect(Array.from(heap.subarray(2, 9))).toEqual([0, -3, -4, -7.5, -14, 8, 0]);
    }
  });

  it('returns null for bytes the runtime rejects instead of throwing', () => {
    expect(compileModule(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00]))).toBeNull();
  });
});
