import {
  BLOCK,
  br,
  brIf,
  END,
  F32,
  F32_ADD,
  F32_MUL,
  F32_SUB,
  f32Load,
  f32Store,
  F32X4_ADD,
  F32X4_MUL,
  F32X4_SUB,
  get,
  I32,
  i32,
  I32_ADD,
  I32_GT_U,
  LOOP,
  set,
  simd,
  V128,
  v128Load,
  v128Store,
  type FunctionDef,
} from '../util/index.js';

/*
 * Helpers for the element-wise kernels of this module, on top of util's WebAssembly encoder: named
 * locals, the opcodes util does not define yet, and the loop every kernel here is made of — over
 * the pixels of an NHWC tensor, and within a pixel over its channels four at a time (f32x4), then
 * one at a time for the last C mod 4.
 */

// Opcodes (WebAssembly core and SIMD specifications).
export const F32_MAX = [0x97];
export const F32_GT = [0x5e];
export const SELECT = [0x1b];
export const F64_PROMOTE_F32 = [0xbb];
export const F32X4_MAX = simd(0xe9);
export const F32X4_GT = simd(0x44);
export const V128_AND = simd(0x4e);
export const i32Store = (offset = 0): number[] => [0x36, 2, offset];

/** Named parameters and locals of one function, numbered in declaration order. */
export class Frame {
  private readonly index = new Map<string, number>();
  private readonly params: number[] = [];
  private readonly locals: [number, number][] = [];

  constructor(params: readonly string[]) {
    for (const p of params) this.declare(p, I32, true);
  }

  private declare(name: string, type: number, param: boolean): void {
    if (this.index.has(name)) throw new Error(`wasm assembler: '${name}' declared twice`);
    this.index.set(name, this.params.length + this.locals.length);
    if (param) this.params.push(type);
    else this.locals.push([1, type]);
  }

  /** Declares locals (all of one type). */
  local(type: number, ...names: string[]): this {
    for (const n of names) this.declare(n, type, false);
    return this;
  }

  /** `local.get` of a name. */
  get(name: string): number[] {
    return get(this.at(name));
  }

  /** `local.set` of a name. */
  set(name: string): number[] {
    return set(this.at(name));
  }

  /** `name += value` (i32). */
  add(name: string, value: number[]): number[] {
    return [...this.get(name), ...value, ...I32_ADD, ...this.set(name)];
  }

  /** The address `base + offset` (i32 locals). */
  addr(base: string, offset: string): number[] {
    return [...this.get(base), ...this.get(offset), ...I32_ADD];
  }

  private at(name: string): number {
    const i = this.index.get(name);
    if (i == null) throw new Error(`wasm assembler: unknown local '${name}'`);
    return i;
  }

  /** The function definition with this frame's signature. */
  define(name: string, body: number[]): FunctionDef {
    return { name, params: this.params, results: [], locals: this.locals, body };
  }
}

/** `block loop <exit> br_if 1 <body> br 0 end end`: runs `body` until `exit` leaves true. */
export function whileNot(exit: number[], body: number[]): number[] {
  return [...BLOCK, ...LOOP, ...exit, ...brIf(1), ...body, ...br(0), ...END, ...END];
}

/** The f32 operations of one lane width: four lanes (v128) or one (f32). */
export interface Lanes {
  /** Bytes per step. */
  step: number;
  type: number;
  load(offset?: number): number[];
  store(offset?: number): number[];
  add: number[];
  sub: number[];
  mul: number[];
  max: number[];
  /** Pushes 0 in every lane. */
  zero: number[];
  /** With [a, b] on the stack, leaves a where b > 0 and 0 elsewhere. */
  keepWherePositive(f: Frame, a: string, b: string): number[];
}

export const VECTOR: Lanes = {
  step: 16,
  type: V128,
  load: (o = 0) => v128Load(o, 2),
  store: (o = 0) => v128Store(o, 2),
  add: F32X4_ADD,
  sub: F32X4_SUB,
  mul: F32X4_MUL,
  max: F32X4_MAX,
  zero: simd(0x0c, ...new Array<number>(16).fill(0)),
  keepWherePositive: (f, a, b) => [
    ...f.get(a),
    ...f.get(b),
    ...simd(0x0c, ...new Array<number>(16).fill(0)),
    ...F32X4_GT,
    ...V128_AND,
  ],
};

export const SCALAR: Lanes = {
  step: 4,
  type: F32,
  load: f32Load,
  store: f32Store,
  add: F32_ADD,
  sub: F32_SUB,
  mul: F32_MUL,
  max: F32_MAX,
  zero: [0x43, 0, 0, 0, 0],
  keepWherePositive: (f, a, b) => [...f.get(a), 0x43, 0, 0, 0, 0, ...f.get(b), 0x43, 0, 0, 0, 0, ...F32_GT, ...SELECT],
};

/**
 * For `count` pixels: `body(lanes)` at channel byte offset `cc` (a local), four channels at a
 * time while at least four remain, then one at a time; after each pixel, every pointer in
 * `streams` advances by `cbytes` (a local). Uses the i32 locals `cc` and `left`.
 */
export function pixelLoop(
  f: Frame,
  count: string,
  cbytes: string,
  streams: readonly string[],
  body: (lanes: Lanes) => number[],
): number[] {
  const channels = (l: Lanes): number[] =>
    whileNot(
      // stop when cc + step > cbytes
      [...f.get('cc'), ...i32(l.step), ...I32_ADD, ...f.get(cbytes), ...I32_GT_U],
      [...body(l), ...f.add('cc', i32(l.step))],
    );
  return [
    ...f.get(count),
    ...f.set('left'),
    ...whileNot(
      [...f.get('left'), 0x45 /* i32.eqz */],
      [
        ...i32(0),
        ...f.set('cc'),
        ...channels(VECTOR),
        ...channels(SCALAR),
        ...streams.flatMap((s) => f.add(s, f.get(cbytes))),
        ...f.add('left', i32(-1)),
      ],
    ),
  ];
}
