import {
  BLOCK,
  br,
  brIf,
  compileModule,
  ELSE,
  END,
  f32,
  F32,
  F32_ADD,
  F32_MUL,
  F32_SUB,
  f32Load,
  f32Store,
  F32X4_ADD,
  F32X4_MUL,
  F32X4_SPLAT,
  F32X4_SUB,
  get,
  i32,
  I32,
  I32_ADD,
  I32_EQZ,
  I32_GE_U,
  I32_GT_U,
  I32_SUB,
  IF,
  LOOP,
  moduleBytes,
  set,
  V128,
  v128Load,
  v128Store,
  type FunctionDef,
} from '../util/index.js';
import type { HaarPass } from './haar_pass.js';

/*
 * The one-pass Haar kernel of haar_pass.ts as WebAssembly SIMD, four channels per f32x4
 * instruction. The module imports the memory of the tfjs wasm backend, so it transforms between
 * tensors where they live, without copies.
 *
 * No scalar tail for C ≥ 4: the last group of four channels of a run starts at C − 4 and overlaps
 * the one before it, which rewrites a few outputs with the values they already hold (input and
 * output never alias). For C < 4 one group per block reads and writes 4 − C values past the end
 * of each run; the runs are stored in increasing address order, so whatever lands in a later
 * run of the same image row (or band row) is overwritten by that run's own store. Only the last
 * blocks of a row, whose groups would reach past the row (into the odd image row, written
 * earlier, or out of the tensor), take the scalar path: see {@link narrowTail}.
 */

/** The exported kernel: every offset and size in bytes (see {@link kernelArguments}). */
type HaarExport = (
  src: number,
  dst: number,
  rows: number,
  cols: number,
  runBytes: number,
  s1: number,
  s2: number,
  s3: number,
  sStep: number,
  sSkip: number,
  d1: number,
  d2: number,
  d3: number,
  dStep: number,
  dSkip: number,
  narrow: number,
) => void;

const PARAMS = 16;
const [SRC, DST, ROWS, COLS, RUN, S1, S2, S3, S_STEP, S_SKIP, D1, D2, D3, D_STEP, D_SKIP, NARROW] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
];
// i32 locals, then v128, then f32.
const [J, K, LAST, PA, PB] = [16, 17, 18, 19, 20];
const [HALF, A, B, C, D, SUM, DIFF, T0, T1] = [21, 22, 23, 24, 25, 26, 27, 28, 29];
const [FHALF, FA, FB, FC, FD, FSUM, FDIFF, FT0, FT1] = [30, 31, 32, 33, 34, 35, 36, 37, 38];

/** `block loop <exit> br_if 1 <body> br 0 end end`: runs `body` until `exit` leaves true on the stack. */
const whileNot = (exit: number[], body: number[]): number[] => [
  ...BLOCK,
  ...LOOP,
  ...exit,
  ...brIf(1),
  ...body,
  ...br(0),
  ...END,
  ...END,
];
const addTo = (local: number, ...terms: number[][]): number[] => [
  ...get(local),
  ...terms.flat(),
  ...I32_ADD,
  ...set(local),
];
const ifElse = (condition: number[], then: number[], otherwise: number[]): number[] => [
  ...condition,
  ...IF,
  ...then,
  ...ELSE,
  ...otherwise,
  ...END,
];

interface Lanes {
  load: (offset?: number) => number[];
  store: (offset?: number) => number[];
  add: number[];
  sub: number[];
  mul: number[];
  locals: number[];
}

const VECTOR: Lanes = {
  load: (o = 0) => v128Load(o, 2),
  store: (o = 0) => v128Store(o, 2),
  add: F32X4_ADD,
  sub: F32X4_SUB,
  mul: F32X4_MUL,
  locals: [HALF, A, B, C, D, SUM, DIFF, T0, T1],
};
const SCALAR: Lanes = {
  load: f32Load,
  store: f32Store,
  add: F32_ADD,
  sub: F32_SUB,
  mul: F32_MUL,
  locals: [FHALF, FA, FB, FC, FD, FSUM, FDIFF, FT0, FT1],
};

/**
 * One group of channels at byte `K` of the current block's runs: the butterfly a, b, c, d →
 * ½(a+b ± (c+d)), ½(a−b ± (c−d)), the same ±½ matrix as the JavaScript loop with two adds fewer.
 * Stores go in increasing address order (see the note on C < 4 above).
 */
function group(v: Lanes): number[] {
  const [half, a, b, c, d, sum, diff, t0, t1] = v.locals as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const at = (base: number, offset: number | null): number[] =>
    offset == null ? get(base) : [...get(base), ...get(offset), ...I32_ADD];
  const body = [...get(SRC), ...get(K), ...I32_ADD, ...set(PA), ...get(DST), ...get(K), ...I32_ADD, ...set(PB)];
  [a, b, c, d].forEach((local, i) =>
    body.push(...at(PA, [null, S1, S2, S3][i] as number | null), ...v.load(), ...set(local)),
  );
  body.push(...get(a), ...get(b), ...v.add, ...set(sum), ...get(a), ...get(b), ...v.sub, ...set(diff));
  body.push(...get(c), ...get(d), ...v.add, ...set(t0), ...get(c), ...get(d), ...v.sub, ...set(t1));
  const outputs: [number | null, number, number, number[]][] = [
    [null, sum, t0, v.add],
    [D1, sum, t0, v.sub],
    [D2, diff, t1, v.add],
    [D3, diff, t1, v.sub],
  ];
  for (const [offset, x, y, op] of outputs)
    body.push(...at(PB, offset), ...get(x), ...get(y), ...op, ...get(half), ...v.mul, ...v.store());
  return body;
}

function haarFunction(): FunctionDef {
  // C ≥ 4: groups at 0, 16, … below LAST = run − 16, then one at LAST.
  const wide = [
    ...i32(0),
    ...set(K),
    ...whileNot([...get(K), ...get(LAST), ...I32_GE_U], [...group(VECTOR), ...addTo(K, i32(16))]),
    ...get(LAST),
    ...set(K),
    ...group(VECTOR),
  ];
  // C < 4: one spilling group, except for a row's last NARROW blocks (J counts down to 1), done channel by channel.
  const narrow = ifElse(
    [...get(J), ...get(NARROW), ...I32_GT_U],
    [...i32(0), ...set(K), ...group(VECTOR)],
    [...i32(0), ...set(K), ...whileNot([...get(K), ...get(RUN), ...I32_GE_U], [...group(SCALAR), ...addTo(K, i32(4))])],
  );
  const block = ifElse([...get(RUN), ...i32(16), ...I32_GE_U], wide, narrow);
  const row = [
    ...get(COLS),
    ...set(J),
    ...whileNot(
      [...get(J), ...I32_EQZ],
      [...block, ...addTo(SRC, get(S_STEP)), ...addTo(DST, get(D_STEP)), ...get(J), ...i32(1), ...I32_SUB, ...set(J)],
    ),
  ];
  const body = [
    ...f32(0.5),
    ...set(FHALF),
    ...get(FHALF),
    ...F32X4_SPLAT,
    ...set(HALF),
    ...get(RUN),
    ...i32(16),
    ...I32_SUB,
    ...set(LAST),
    ...whileNot(
      [...get(ROWS), ...I32_EQZ],
      [
        ...row,
        ...addTo(SRC, get(S_SKIP)),
        ...addTo(DST, get(D_SKIP)),
        ...get(ROWS),
        ...i32(1),
        ...I32_SUB,
        ...set(ROWS),
      ],
    ),
  ];
  return {
    name: 'haar',
    params: new Array<number>(PARAMS).fill(I32),
    results: [],
    locals: [
      [5, I32],
      [9, V128],
      [9, F32],
    ],
    body,
  };
}

/** The module's bytes, importing a plain or a shared memory. */
export function haarModuleBytes(shared = false): Uint8Array<ArrayBuffer> {
  return moduleBytes([haarFunction()], { shared });
}

const compiled = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, HaarExport>();

/**
 * The kernel instantiated over `memory` (cached per memory), or null where the runtime cannot
 * compile the module (no WebAssembly SIMD, or no threads for a shared memory).
 */
export function haarKernelOver(memory: WebAssembly.Memory): HaarExport | null {
  const cached = instances.get(memory);
  if (cached != null) return cached;
  const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
  if (!compiled.has(shared)) compiled.set(shared, compileModule(haarModuleBytes(shared)));
  const module = compiled.get(shared) ?? null;
  if (module == null) return null;
  let kernel: HaarExport;
  try {
    kernel = (new WebAssembly.Instance(module, { env: { memory } }).exports as { haar: HaarExport }).haar;
  } catch {
    return null;
  }
  instances.set(memory, kernel);
  return kernel;
}

/**
 * For C < 4, how many blocks at the end of each row take the scalar path. Block j's image-side
 * runs (2C per block and row) start at 2Cj and 2Cj + C; a 4-lane group from the second reaches
 * 2Cj + C + 3, which must stay inside the row (2C·cols values): j ≤ cols − (C + 4)/(2C). The
 * band side (4C per block, the last run at 4Cj + 3C) is less strict.
 */
export function narrowTail(channels: number): number {
  return Math.ceil((channels + 4) / (2 * channels)) - 1;
}

/** The kernel's arguments for `pass` between byte addresses `src` and `dst`. */
export function kernelArguments(pass: HaarPass, src: number, dst: number): Parameters<HaarExport> {
  const [, s1, s2, s3] = pass.src.offsets;
  const [, d1, d2, d3] = pass.dst.offsets;
  const narrow = pass.channels < 4 ? narrowTail(pass.channels) : 0;
  return [
    src,
    dst,
    pass.rows,
    pass.cols,
    4 * pass.channels,
    4 * s1,
    4 * s2,
    4 * s3,
    4 * pass.src.step,
    4 * pass.src.skip,
    4 * d1,
    4 * d2,
    4 * d3,
    4 * pass.dst.step,
    4 * pass.dst.skip,
    narrow,
  ];
}
