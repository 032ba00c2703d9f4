import {
  BLOCK,
  br,
  brIf,
  END,
  F64,
  F64_ADD,
  F64_MUL,
  f64Load,
  f64Store,
  F64X2_ADD,
  F64X2_MUL,
  F64X2_SPLAT,
  f64x2Lane,
  get,
  i32,
  I32,
  I32_ADD,
  I32_GE_S,
  I32_SHL,
  LOOP,
  compileModule,
  moduleBytes,
  set,
  V128,
  V128_ZERO,
  v128Load,
  v128Load64Splat,
  v128Store,
  type FunctionDef,
} from '../../util/index.js';

/**
 * The five float64 inner loops of the dense linear algebra, assembled at load time into a small
 * WebAssembly module that uses 128-bit SIMD (two doubles per instruction). Plain JavaScript
 * float64 code runs a packed matrix product at ~2.7 GMAC/s on the reference machine; this
 * module runs it at ~10 GMAC/s, which is what brings a 2048-dimensional Fréchet distance under
 * the benchmark target. The bytes are emitted here rather than shipped as a binary so that the
 * module stays reviewable; it is under 4 KB, so browsers allow compiling it synchronously.
 *
 * Every kernel addresses memory by element index (double-precision slots), never bytes.
 */

/** The kernels every float64 heap provides (a WebAssembly or a JavaScript implementation). */
export interface Float64Kernels {
  /**
   * C[4×4] += Σₚ Ap[p·4 + r] · Bp[p·4 + c] for p < kc, where C(r, c) is at `c + r·ldc + c`.
   * Ap and Bp are packed panels (see gemm.ts).
   */
  gemm4x4: (ap: number, bp: number, c: number, kc: number, ldc: number) => void;
  /** Σᵢ x[i]·y[i] for i < n. */
  dot: (x: number, y: number, n: number) => number;
  /** y[i] += alpha·x[i] for i < n. */
  axpy: (alpha: number, x: number, y: number, n: number) => void;
  /** Returns Σᵢ a[i]·x[i] and, in the same pass, y[i] += alpha·a[i] (the symmetric matrix-vector step). */
  dotAxpy: (a: number, x: number, y: number, n: number, alpha: number) => number;
  /** Two columns at once: out[0] = Σ a0·x, out[1] = Σ a1·x, y += alpha0·a0 + alpha1·a1. */
  dotAxpy2: (
    a0: number,
    a1: number,
    x: number,
    y: number,
    n: number,
    alpha0: number,
    alpha1: number,
    out: number,
  ) => void;
}

/** `local = local << 3` for each listed local: element index → byte address. */
const toBytes = (...locals: number[]): number[] => locals.flatMap((l) => [...get(l), ...i32(3), ...I32_SHL, ...set(l)]);
/** `local += step`. */
const advance = (local: number, step: number): number[] => [...get(local), ...i32(step), ...I32_ADD, ...set(local)];
/** `end = start + (n << 3)`. */
const endOf = (start: number, n: number, end: number): number[] => [
  ...get(start),
  ...get(n),
  ...i32(3),
  ...I32_SHL,
  ...I32_ADD,
  ...set(end),
];

function gemm4x4(): FunctionDef {
  const [ap, bp, c, kc, ldc, end] = [0, 1, 2, 3, 4, 5];
  const acc = (r: number, h: number): number => 6 + r * 2 + h;
  const [b0, b1, a] = [14, 15, 16];
  const body: number[] = [...toBytes(ap, bp, c, ldc)];
  body.push(...get(ap), ...get(kc), ...i32(5), ...I32_SHL, ...I32_ADD, ...set(end));
  for (let i = 0; i < 8; i++) body.push(...V128_ZERO, ...set(6 + i));
  body.push(...BLOCK, ...LOOP, ...get(ap), ...get(end), ...I32_GE_S, ...brIf(1));
  body.push(...get(bp), ...v128Load(0), ...set(b0), ...get(bp), ...v128Load(16), ...set(b1));
  for (let r = 0; r < 4; r++) {
    body.push(...get(ap), ...v128Load64Splat(r * 8), ...set(a));
    for (let h = 0; h < 2; h++)
      body.push(...get(acc(r, h)), ...get(a), ...get(h === 0 ? b0 : b1), ...F64X2_MUL, ...F64X2_ADD, ...set(acc(r, h)));
  }
  body.push(...advance(ap, 32), ...advance(bp, 32), ...br(0), ...END, ...END);
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++)
      body.push(...get(c), ...get(c), ...v128Load(h * 16), ...get(acc(r, h)), ...F64X2_ADD, ...v128Store(h * 16));
    body.push(...get(c), ...get(ldc), ...I32_ADD, ...set(c));
  }
  return {
    name: 'gemm4x4',
    params: [I32, I32, I32, I32, I32],
    results: [],
    locals: [
      [1, I32],
      [11, V128],
    ],
    body,
  };
}

/**
 * The shared shape of the streaming kernels: a loop over `step` bytes of every pointer per
 * iteration (four doubles as two v128 values, or two as one) followed by a scalar tail.
 * `vectorStep`/`scalarStep` emit the work of one iteration.
 */
function streamLoop(
  pointers: number[],
  n: number,
  end: number,
  tailEnd: number,
  vectorStep: number[],
  scalarStep: number[],
  step = 32,
): number[] {
  const first = pointers[0] as number;
  const body: number[] = [...toBytes(...pointers), ...endOf(first, n, end)];
  // The vector loop runs while first + step <= end, i.e. until first >= end − step + 8.
  body.push(...get(end), ...i32(8 - step), ...I32_ADD, ...set(tailEnd));
  body.push(...BLOCK, ...LOOP, ...get(first), ...get(tailEnd), ...I32_GE_S, ...brIf(1), ...vectorStep);
  for (const p of pointers) body.push(...advance(p, step));
  body.push(...br(0), ...END, ...END);
  body.push(...BLOCK, ...LOOP, ...get(first), ...get(end), ...I32_GE_S, ...brIf(1), ...scalarStep);
  for (const p of pointers) body.push(...advance(p, 8));
  body.push(...br(0), ...END, ...END);
  return body;
}

function dot(): FunctionDef {
  const [x, y, n, end, tailEnd, acc0, acc1, s] = [0, 1, 2, 3, 4, 5, 6, 7];
  const vectorStep: number[] = [];
  for (let h = 0; h < 2; h++) {
    const acc = h === 0 ? acc0 : acc1;
    vectorStep.push(
      ...get(acc),
      ...get(x),
      ...v128Load(h * 16),
      ...get(y),
      ...v128Load(h * 16),
      ...F64X2_MUL,
      ...F64X2_ADD,
      ...set(acc),
    );
  }
  const scalarStep = [...get(s), ...get(x), ...f64Load(), ...get(y), ...f64Load(), ...F64_MUL, ...F64_ADD, ...set(s)];
  const body = streamLoop([x, y], n, end, tailEnd, vectorStep, scalarStep);
  body.push(...get(acc0), ...get(acc1), ...F64X2_ADD, ...set(acc0));
  body.push(...get(acc0), ...f64x2Lane(0), ...get(acc0), ...f64x2Lane(1), ...F64_ADD, ...get(s), ...F64_ADD);
  return {
    name: 'dot',
    params: [I32, I32, I32],
    results: [F64],
    locals: [
      [2, I32],
      [2, V128],
      [1, F64],
    ],
    body,
  };
}

function axpy(): FunctionDef {
  const [alpha, x, y, n, end, tailEnd, va] = [0, 1, 2, 3, 4, 5, 6];
  const vectorStep: number[] = [];
  for (let h = 0; h < 2; h++) {
    vectorStep.push(
      ...get(y),
      ...get(y),
      ...v128Load(h * 16),
      ...get(x),
      ...v128Load(h * 16),
      ...get(va),
      ...F64X2_MUL,
      ...F64X2_ADD,
      ...v128Store(h * 16),
    );
  }
  const scalarStep = [
    ...get(y),
    ...get(y),
    ...f64Load(),
    ...get(x),
    ...f64Load(),
    ...get(alpha),
    ...F64_MUL,
    ...F64_ADD,
    ...f64Store(),
  ];
  const body = [
    ...get(alpha),
    ...F64X2_SPLAT,
    ...set(va),
    ...streamLoop([x, y], n, end, tailEnd, vectorStep, scalarStep),
  ];
  return {
    name: 'axpy',
    params: [F64, I32, I32, I32],
    results: [],
    locals: [
      [2, I32],
      [1, V128],
    ],
    body,
  };
}

function dotAxpy(): FunctionDef {
  const [a, x, y, n, alpha, end, tailEnd, acc0, acc1, va, av, s] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const vectorStep: number[] = [];
  for (let h = 0; h < 2; h++) {
    const acc = h === 0 ? acc0 : acc1;
    vectorStep.push(...get(a), ...v128Load(h * 16), ...set(av));
    vectorStep.push(...get(acc), ...get(av), ...get(x), ...v128Load(h * 16), ...F64X2_MUL, ...F64X2_ADD, ...set(acc));
    vectorStep.push(
      ...get(y),
      ...get(y),
      ...v128Load(h * 16),
      ...get(av),
      ...get(va),
      ...F64X2_MUL,
      ...F64X2_ADD,
      ...v128Store(h * 16),
    );
  }
  const scalarStep = [
    ...get(s),
    ...get(a),
    ...f64Load(),
    ...get(x),
    ...f64Load(),
    ...F64_MUL,
    ...F64_ADD,
    ...set(s),
    ...get(y),
    ...get(y),
    ...f64Load(),
    ...get(a),
    ...f64Load(),
    ...get(alpha),
    ...F64_MUL,
    ...F64_ADD,
    ...f64Store(),
  ];
  const body = [
    ...get(alpha),
    ...F64X2_SPLAT,
    ...set(va),
    ...streamLoop([a, x, y], n, end, tailEnd, vectorStep, scalarStep),
  ];
  body.push(...get(acc0), ...get(acc1), ...F64X2_ADD, ...set(acc0));
  body.push(...get(acc0), ...f64x2Lane(0), ...get(acc0), ...f64x2Lane(1), ...F64_ADD, ...get(s), ...F64_ADD);
  return {
    name: 'dotAxpy',
    params: [I32, I32, I32, I32, F64],
    results: [F64],
    locals: [
      [2, I32],
      [4, V128],
      [1, F64],
    ],
    body,
  };
}

/**
 * Two columns of the symmetric matrix-vector product at once: returns nothing, writes
 * Σ a0[i]·x[i] and Σ a1[i]·x[i] to out[0], out[1], and adds alpha0·a0[i] + alpha1·a1[i] to y[i] —
 * one pass over x and y for two columns, which is what limits the memory-bound product.
 */
function dotAxpy2(): FunctionDef {
  const [a0, a1, x, y, n, alpha0, alpha1, out, end, tailEnd, acc0, acc1, va0, va1, v0, v1, xv, s0, s1] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
  ];
  const vectorStep = [
    ...get(a0),
    ...v128Load(),
    ...set(v0),
    ...get(a1),
    ...v128Load(),
    ...set(v1),
    ...get(x),
    ...v128Load(),
    ...set(xv),
    ...get(acc0),
    ...get(v0),
    ...get(xv),
    ...F64X2_MUL,
    ...F64X2_ADD,
    ...set(acc0),
    ...get(acc1),
    ...get(v1),
    ...get(xv),
    ...F64X2_MUL,
    ...F64X2_ADD,
    ...set(acc1),
    ...get(y),
    ...get(y),
    ...v128Load(),
    ...get(v0),
    ...get(va0),
    ...F64X2_MUL,
    ...F64X2_ADD,
    ...get(v1),
    ...get(va1),
    ...F64X2_MUL,
    ...F64X2_ADD,
    ...v128Store(),
  ];
  const scalarStep = [
    ...get(s0),
    ...get(a0),
    ...f64Load(),
    ...get(x),
    ...f64Load(),
    ...F64_MUL,
    ...F64_ADD,
    ...set(s0),
    ...get(s1),
    ...get(a1),
    ...f64Load(),
    ...get(x),
    ...f64Load(),
    ...F64_MUL,
    ...F64_ADD,
    ...set(s1),
    ...get(y),
    ...get(y),
    ...f64Load(),
    ...get(a0),
    ...f64Load(),
    ...get(alpha0),
    ...F64_MUL,
    ...F64_ADD,
    ...get(a1),
    ...f64Load(),
    ...get(alpha1),
    ...F64_MUL,
    ...F64_ADD,
    ...f64Store(),
  ];
  const body = [
    ...get(alpha0),
    ...F64X2_SPLAT,
    ...set(va0),
    ...get(alpha1),
    ...F64X2_SPLAT,
    ...set(va1),
    ...streamLoop([a0, a1, x, y], n, end, tailEnd, vectorStep, scalarStep, 16),
    ...toBytes(out),
    ...get(out),
    ...get(acc0),
    ...f64x2Lane(0),
    ...get(acc0),
    ...f64x2Lane(1),
    ...F64_ADD,
    ...get(s0),
    ...F64_ADD,
    ...f64Store(0),
    ...get(out),
    ...get(acc1),
    ...f64x2Lane(0),
    ...get(acc1),
    ...f64x2Lane(1),
    ...F64_ADD,
    ...get(s1),
    ...F64_ADD,
    ...f64Store(8),
  ];
  return {
    name: 'dotAxpy2',
    params: [I32, I32, I32, I32, I32, F64, F64, I32],
    results: [],
    locals: [
      [2, I32],
      [7, V128],
      [2, F64],
    ],
    body,
  };
}

/** The module's bytes: one imported memory ("env"."memory"), the kernels exported by name. */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([gemm4x4(), dot(), axpy(), dotAxpy(), dotAxpy2()]);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel module, or null where WebAssembly or its SIMD extension is unavailable. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileModule(kernelModuleBytes());
  return compiled;
}

/** Instantiates the kernels over `memory`. */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Float64Kernels {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Float64Kernels;
  return {
    gemm4x4: exports.gemm4x4,
    dot: exports.dot,
    axpy: exports.axpy,
    dotAxpy: exports.dotAxpy,
    dotAxpy2: exports.dotAxpy2,
  };
}
