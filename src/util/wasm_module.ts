/**
 * A minimal WebAssembly binary emitter: the encodings, the instructions this library's hand-written
 * kernels use (opcodes from the WebAssembly core and SIMD specifications) and the assembly of a
 * module that imports one memory and exports its functions. Kernels are emitted from these bytes
 * at load time rather than shipped as binaries so that they stay reviewable; modules under 4 KB
 * compile synchronously in browsers too.
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A length-prefixed vector of encoded items. */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
/** A UTF-8 name (ASCII here). */
export const name = (s: string): number[] => vec([...s].map((ch) => [ch.charCodeAt(0)]));
/** A section with its id and byte length. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// Control and locals.
export const get = (i: number): number[] => [0x20, ...uleb(i)];
export const set = (i: number): number[] => [0x21, ...uleb(i)];
export const BLOCK = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const IF = [0x04, 0x40];
export const ELSE = [0x05];
export const END = [0x0b];
export const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
export const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];

// i32.
export const i32 = (v: number): number[] => [0x41, ...sleb(v)];
export const I32_EQZ = [0x45];
export const I32_LT_U = [0x49];
export const I32_GT_U = [0x4b];
export const I32_GE_S = [0x4e];
export const I32_GE_U = [0x4f];
export const I32_ADD = [0x6a];
export const I32_SUB = [0x6b];
export const I32_MUL = [0x6c];
export const I32_AND = [0x71];
export const I32_SHL = [0x74];

// f32 (memory immediates: log2 of the alignment, then the static offset).
export const f32Load = (offset = 0): number[] => [0x2a, 2, ...uleb(offset)];
export const f32Store = (offset = 0): number[] => [0x38, 2, ...uleb(offset)];
export const f32 = (v: number): number[] => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
export const F32_ADD = [0x92];
export const F32_SUB = [0x93];
export const F32_MUL = [0x94];

// f64.
export const f64Load = (offset = 0): number[] => [0x2b, 3, ...uleb(offset)];
export const f64Store = (offset = 0): number[] => [0x39, 3, ...uleb(offset)];
export const F64_ADD = [0xa0];
export const F64_MUL = [0xa2];

// 128-bit SIMD. The alignment immediate is a hint: unaligned accesses stay correct.
export const simd = (code: number, ...imm: number[]): number[] => [0xfd, ...uleb(code), ...imm];
export const v128Load = (offset = 0, alignLog2 = 4): number[] => simd(0x00, alignLog2, ...uleb(offset));
export const v128Store = (offset = 0, alignLog2 = 4): number[] => simd(0x0b, alignLog2, ...uleb(offset));
export const v128Load64Splat = (offset = 0): number[] => simd(0x0a, 3, ...uleb(offset));
export const V128_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
export const F32X4_SPLAT = simd(0x13);
export const F64X2_SPLAT = simd(0x14);
export const f64x2Lane = (lane: number): number[] => simd(0x21, lane);
export const F32X4_ADD = simd(0xe4);
export const F32X4_SUB = simd(0xe5);
export const F32X4_MUL = simd(0xe6);
export const F64X2_ADD = simd(0xf0);
export const F64X2_MUL = simd(0xf2);

/** One exported function: its signature, extra locals (after the parameters) and code. */
export interface FunctionDef {
  name: string;
  params: number[];
  results: number[];
  locals: [count: number, type: number][];
  body: number[];
}

/** How the module imports its memory ("env"."memory"). */
export interface MemoryImport {
  /**
   * A shared memory (the threaded builds of emscripten modules): the import must then say so and
   * give a maximum, here WebAssembly's 4 GiB (an import accepts any memory at most that large).
   */
  shared?: boolean;
}

/** The bytes of a module that imports one memory and exports `defs` by name, in order. */
export function moduleBytes(defs: readonly FunctionDef[], memory: MemoryImport = {}): Uint8Array<ArrayBuffer> {
  const types = section(
    1,
    vec(defs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))])),
  );
  const limits = memory.shared === true ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]]));
  const functions = section(3, vec(defs.map((_, i) => uleb(i))));
  const exports = section(7, vec(defs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const code = section(
    10,
    vec(
      defs.map((f) => {
        const body = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body, ...END];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...functions,
    ...exports,
    ...code,
  ]);
}

/**
 * Compiles `bytes`, or returns null where the runtime has no WebAssembly or rejects the module
 * (no SIMD, no threads for a shared memory import).
 */
export function compileModule(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module | null {
  try {
    if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) return new WebAssembly.Module(bytes);
  } catch {
    // compiling can still fail (e.g. a size limit): callers fall back to JavaScript
  }
  return null;
}
