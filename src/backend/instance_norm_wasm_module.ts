import {
  compileModule,
  ELSE,
  END,
  F64_ADD,
  f64Load,
  f64Store,
  f32Load,
  f32Store,
  i32,
  I32,
  I32_ADD,
  I32_LT_U,
  I32_SHL,
  IF,
  moduleBytes,
  V128,
  type FunctionDef,
} from '../util/index.js';
import { F64_PROMOTE_F32, Frame, pixelLoop, whileNot, type Lanes } from './wasm_assembler.js';

/*
 * The passes of instance_norm_math.ts as WebAssembly SIMD over the tfjs wasm backend's memory
 * (four channels per f32x4 instruction; every address and size in bytes). Sums run in float32
 * along one image row, then each row's sums are added into float64 accumulators per channel,
 * so the error grows with the row length, not with H·W.
 *
 *   sum_x       acc[c] += Σ x                       (per row: `row` holds the float32 partials)
 *   sum_sq      acc[c] += Σ (x − mean[c])²
 *   apply_*     y = (x − mean)·scale + beta          (_relu: then max(·, 0))
 *   gsum_*      acc1 += Σ dz, acc2 += Σ dz·(x − mean)·rstd, dz = dy (·[y > 0] for _relu)
 *   gapply_*    dx = coef·(dz − k1 − (x − mean)·rstd·k2)
 */

/** The exported functions (see the table above); every argument is a byte address or size. */
export interface NormExports {
  sum_x: (x: number, n: number, cbytes: number, w: number, row: number, acc: number) => void;
  sum_sq: (x: number, n: number, cbytes: number, w: number, row: number, acc: number, mean: number) => void;
  apply_linear: ApplyFunction;
  apply_relu: ApplyFunction;
  gsum_linear: (...args: GradSumArgs) => void;
  gsum_relu: (...args: GradSumArgs) => void;
  gapply_linear: (...args: GradApplyArgs) => void;
  gapply_relu: (...args: GradApplyArgs) => void;
}

type ApplyFunction = (
  x: number,
  y: number,
  n: number,
  cbytes: number,
  mean: number,
  scale: number,
  beta: number,
) => void;
type GradSumArgs = [
  dy: number,
  x: number,
  y: number,
  n: number,
  cbytes: number,
  w: number,
  mean: number,
  rstd: number,
  row1: number,
  row2: number,
  acc1: number,
  acc2: number,
];
type GradApplyArgs = [
  dy: number,
  x: number,
  y: number,
  dx: number,
  n: number,
  cbytes: number,
  mean: number,
  rstd: number,
  coef: number,
  k1: number,
  k2: number,
];

/** The value-holding locals every body uses, of both lane widths. */
const VALUES = ['a', 'b', 'd', 'g', 'h'];
const frame = (params: string[]): Frame =>
  new Frame(params)
    .local(I32, 'cc', 'left', 'rem', 'count')
    .local(V128, ...VALUES.map((v) => `v${v}`))
    .local(0x7d /* f32 */, ...VALUES.map((v) => `s${v}`));
/** The local holding value `v` at this lane width. */
const val = (l: Lanes, v: string): string => `${l.step === 16 ? 'v' : 's'}${v}`;

/** A load of `base[cc]` (base a per-pixel stream or a per-channel array). */
const load = (f: Frame, l: Lanes, base: string): number[] => [...f.addr(base, 'cc'), ...l.load()];

/**
 * Loops over rows of `w` pixels (the last may be shorter): zeroes the float32 partials `rows`,
 * runs `pixels` over the row, then adds the partials into the float64 `accs` (channel c at byte
 * 8c of each).
 */
function rowLoop(f: Frame, rows: string[], accs: string[], pixels: number[]): number[] {
  const perChannel = (body: number[]): number[] => [
    ...i32(0),
    ...f.set('cc'),
    ...whileNot([...f.get('cc'), ...f.get('cbytes'), ...I32_LT_U, 0x45 /* eqz */], [...body, ...f.add('cc', i32(4))]),
  ];
  const zero = rows.flatMap((r) => [...f.addr(r, 'cc'), 0x43, 0, 0, 0, 0, ...f32Store()]);
  const flush = rows.flatMap((r, i) => {
    const acc = accs[i] as string;
    const at = [...f.get(acc), ...f.get('cc'), ...i32(1), ...I32_SHL, ...I32_ADD];
    return [
      ...at,
      ...at,
      ...f64Load(),
      ...f.addr(r, 'cc'),
      ...f32Load(),
      ...F64_PROMOTE_F32,
      ...F64_ADD,
      ...f64Store(),
    ];
  });
  return [
    ...f.get('n'),
    ...f.set('rem'),
    ...whileNot(
      [...f.get('rem'), 0x45 /* eqz */],
      [
        ...f.get('rem'),
        ...f.get('w'),
        ...I32_LT_U,
        ...IF,
        ...f.get('rem'),
        ...f.set('count'),
        ...ELSE,
        ...f.get('w'),
        ...f.set('count'),
        ...END,
        ...f.get('rem'),
        ...f.get('count'),
        0x6b /* i32.sub */,
        ...f.set('rem'),
        ...perChannel(zero),
        ...pixels,
        ...perChannel(flush),
      ],
    ),
  ];
}

/** `row[cc] += value` where `value` is the code leaving the addend on the stack. */
const accumulate = (f: Frame, l: Lanes, row: string, value: number[]): number[] => [
  ...f.addr(row, 'cc'),
  ...load(f, l, row),
  ...value,
  ...l.add,
  ...l.store(),
];

/** Leaves (x − mean)·rstd on the stack, from the locals holding x (`a`) and the arrays. */
const xhat = (f: Frame, l: Lanes): number[] => [
  ...f.get(val(l, 'a')),
  ...load(f, l, 'mean'),
  ...l.sub,
  ...load(f, l, 'rstd'),
  ...l.mul,
];

/** Sets `d` to dz: dy, or dy where y > 0 (ReLU). */
function dz(f: Frame, l: Lanes, relu: boolean): number[] {
  const dy = [...load(f, l, 'dy'), ...f.set(val(l, 'd'))];
  if (!relu) return dy;
  return [
    ...dy,
    ...load(f, l, 'y'),
    ...f.set(val(l, 'b')),
    ...l.keepWherePositive(f, val(l, 'd'), val(l, 'b')),
    ...f.set(val(l, 'd')),
  ];
}

function sumX(): FunctionDef {
  const f = frame(['x', 'n', 'cbytes', 'w', 'row', 'acc']);
  const pixels = pixelLoop(f, 'count', 'cbytes', ['x'], (l) => accumulate(f, l, 'row', load(f, l, 'x')));
  return f.define('sum_x', rowLoop(f, ['row'], ['acc'], pixels));
}

function sumSq(): FunctionDef {
  const f = frame(['x', 'n', 'cbytes', 'w', 'row', 'acc', 'mean']);
  const pixels = pixelLoop(f, 'count', 'cbytes', ['x'], (l) => [
    ...load(f, l, 'x'),
    ...load(f, l, 'mean'),
    ...l.sub,
    ...f.set(val(l, 'a')),
    ...accumulate(f, l, 'row', [...f.get(val(l, 'a')), ...f.get(val(l, 'a')), ...l.mul]),
  ]);
  return f.define('sum_sq', rowLoop(f, ['row'], ['acc'], pixels));
}

function apply(relu: boolean): FunctionDef {
  const f = frame(['x', 'y', 'n', 'cbytes', 'mean', 'scale', 'beta']);
  const body = pixelLoop(f, 'n', 'cbytes', ['x', 'y'], (l) => [
    ...f.addr('y', 'cc'),
    ...load(f, l, 'x'),
    ...load(f, l, 'mean'),
    ...l.sub,
    ...load(f, l, 'scale'),
    ...l.mul,
    ...load(f, l, 'beta'),
    ...l.add,
    ...(relu ? [...l.zero, ...l.max] : []),
    ...l.store(),
  ]);
  return f.define(relu ? 'apply_relu' : 'apply_linear', body);
}

function gradSums(relu: boolean): FunctionDef {
  const f = frame(['dy', 'x', 'y', 'n', 'cbytes', 'w', 'mean', 'rstd', 'row1', 'row2', 'acc1', 'acc2']);
  const pixels = pixelLoop(f, 'count', 'cbytes', ['dy', 'x', 'y'], (l) => [
    ...dz(f, l, relu),
    ...load(f, l, 'x'),
    ...f.set(val(l, 'a')),
    ...accumulate(f, l, 'row1', f.get(val(l, 'd'))),
    ...accumulate(f, l, 'row2', [...f.get(val(l, 'd')), ...xhat(f, l), ...l.mul]),
  ]);
  return f.define(relu ? 'gsum_relu' : 'gsum_linear', rowLoop(f, ['row1', 'row2'], ['acc1', 'acc2'], pixels));
}

function gradApply(relu: boolean): FunctionDef {
  const f = frame(['dy', 'x', 'y', 'dx', 'n', 'cbytes', 'mean', 'rstd', 'coef', 'k1', 'k2']);
  const body = pixelLoop(f, 'n', 'cbytes', ['dy', 'x', 'y', 'dx'], (l) => [
    ...dz(f, l, relu),
    ...load(f, l, 'x'),
    ...f.set(val(l, 'a')),
    ...f.addr('dx', 'cc'),
    ...f.get(val(l, 'd')),
    ...load(f, l, 'k1'),
    ...l.sub,
    ...xhat(f, l),
    ...load(f, l, 'k2'),
    ...l.mul,
    ...l.sub,
    ...load(f, l, 'coef'),
    ...l.mul,
    ...l.store(),
  ]);
  return f.define(relu ? 'gapply_relu' : 'gapply_linear', body);
}

/** The module's bytes, importing a plain or a shared memory. */
export function normModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return moduleBytes(
    [sumX(), sumSq(), apply(false), apply(true), gradSums(false), gradSums(true), gradApply(false), gradApply(true)],
    { shared },
  );
}

const compiled = new Map<boolean, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, NormExports>();

/**
 * The kernels instantiated over `memory` (cached per memory), or null where the runtime cannot
 * compile the module (no WebAssembly SIMD, or no threads for a shared memory).
 */
export function normKernelsOver(memory: WebAssembly.Memory): NormExports | null {
  const cached = instances.get(memory);
  if (cached != null) return cached;
  const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
  if (!compiled.has(shared)) compiled.set(shared, compileModule(normModuleBytes(shared)));
  const module = compiled.get(shared) ?? null;
  if (module == null) return null;
  let kernels: NormExports;
  try {
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as NormExports;
  } catch {
    return null;
  }
  instances.set(memory, kernels);
  return kernels;
}
