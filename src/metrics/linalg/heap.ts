import { GanCompressError } from '../../util/index.js';
import { instantiateKernels, kernelModule, type Float64Kernels } from './wasm_kernels.js';

/**
 * A block of float64 slots with the kernels that operate on it. Matrices live at element
 * offsets inside `f64`; with WebAssembly the block is the module's linear memory, otherwise a
 * plain Float64Array with JavaScript kernels of the same signatures.
 */
export interface Float64Heap {
  readonly f64: Float64Array;
  readonly kernels: Float64Kernels;
  /** 'wasm' or 'js': which kernels run. */
  readonly kind: 'wasm' | 'js';
  /** Reserves `n` slots (zeroed, 16-byte aligned) and returns the offset of the first. */
  alloc(n: number): number;
}

/** Which kernels new heaps use: 'auto' (WebAssembly SIMD when available), 'wasm' or 'js'. */
export type KernelChoice = 'auto' | 'wasm' | 'js';

let choice: KernelChoice = 'auto';

/**
 * Selects the kernels of heaps created from now on; returns the previous choice. Tests use it
 * to run the JavaScript fallback (what browsers without WebAssembly SIMD get).
 */
export function setKernelChoice(next: KernelChoice): KernelChoice {
  const previous = choice;
  choice = next;
  return previous;
}

/** Slots that stay free at the start of every heap: the packing buffers of gemm (see gemm.ts). */
export const GEMM_KC = 256;
export const GEMM_NC = 512;
const GEMM_SLOTS = GEMM_KC * (GEMM_NC + 4) + 16;

/**
 * A heap with room for `elements` slots beyond gemm's packing buffers. Allocates exactly once:
 * growing a WebAssembly memory would detach the Float64Array views.
 */
export function createHeap(elements: number): Float64Heap {
  const total = align(GEMM_SLOTS) + elements + 64;
  const module = choice === 'js' ? null : kernelModule();
  if (choice === 'wasm' && module == null)
    throw new GanCompressError('WebAssembly SIMD kernels were requested but this runtime cannot compile them');
  if (module != null) {
    const pages = Math.ceil((total * 8) / 65536);
    if (pages <= 65536) {
      let memory: WebAssembly.Memory | null;
      try {
        memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      } catch {
        memory = null; // over the runtime's limit: the JavaScript heap may still fit
      }
      if (memory != null) return makeHeap(new Float64Array(memory.buffer), instantiateKernels(module, memory), 'wasm');
    } else if (choice === 'wasm') {
      throw new GanCompressError(`a float64 workspace of ${total} slots exceeds WebAssembly's 4 GiB memory`);
    }
  }
  const f64 = new Float64Array(total);
  return makeHeap(f64, jsKernels(f64), 'js');
}

function align(n: number): number {
  return (n + 1) & ~1;
}

function makeHeap(f64: Float64Array, kernels: Float64Kernels, kind: 'wasm' | 'js'): Float64Heap {
  let next = align(GEMM_SLOTS);
  return {
    f64,
    kernels,
    kind,
    alloc(n: number): number {
      const offset = next;
      next = align(next + n);
      if (next > f64.length)
        throw new GanCompressError(`float64 heap exhausted: ${n} slots requested, ${f64.length - offset} left`);
      return offset;
    },
  };
}

/** The JavaScript kernels over one array (same arithmetic as the WebAssembly ones, four doubles per step). */
function jsKernels(f: Float64Array): Float64Kernels {
  return {
    gemm4x4(ap: number, bp: number, c: number, kc: number, ldc: number): void {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      let a = ap;
      let b = bp;
      for (let p = 0; p < kc; p++, a += 4, b += 4) {
        const a0 = f[a] as number,
          a1 = f[a + 1] as number,
          a2 = f[a + 2] as number,
          a3 = f[a + 3] as number;
        const b0 = f[b] as number,
          b1 = f[b + 1] as number,
          b2 = f[b + 2] as number,
          b3 = f[b + 3] as number;
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
      }
      let o = c;
      f[o]! += c00;
      f[o + 1]! += c01;
      f[o + 2]! += c02;
      f[o + 3]! += c03;
      o += ldc;
      f[o]! += c10;
      f[o + 1]! += c11;
      f[o + 2]! += c12;
      f[o + 3]! += c13;
      o += ldc;
      f[o]! += c20;
      f[o + 1]! += c21;
      f[o + 2]! += c22;
      f[o + 3]! += c23;
      o += ldc;
      f[o]! += c30;
      f[o + 1]! += c31;
      f[o + 2]! += c32;
      f[o + 3]! += c33;
    },
    dot(x: number, y: number, n: number): number {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let i = 0;
      for (; i + 3 < n; i += 4) {
        s0 += (f[x + i] as number) * (f[y + i] as number);
        s1 += (f[x + i + 1] as number) * (f[y + i + 1] as number);
        s2 += (f[x + i + 2] as number) * (f[y + i + 2] as number);
        s3 += (f[x + i + 3] as number) * (f[y + i + 3] as number);
      }
      for (; i < n; i++) s0 += (f[x + i] as number) * (f[y + i] as number);
      return s0 + s1 + (s2 + s3);
    },
    axpy(alpha: number, x: number, y: number, n: number): void {
      for (let i = 0; i < n; i++) f[y + i]! += alpha * (f[x + i] as number);
    },
    dotAxpy(a: number, x: number, y: number, n: number, alpha: number): number {
      let s0 = 0,
        s1 = 0;
      let i = 0;
      for (; i + 1 < n; i += 2) {
        const a0 = f[a + i] as number;
        const a1 = f[a + i + 1] as number;
        s0 += a0 * (f[x + i] as number);
        s1 += a1 * (f[x + i + 1] as number);
        f[y + i]! += alpha * a0;
        f[y + i + 1]! += alpha * a1;
      }
      if (i < n) {
        const a0 = f[a + i] as number;
        s0 += a0 * (f[x + i] as number);
        f[y + i]! += alpha * a0;
      }
      return s0 + s1;
    },
    dotAxpy2(
      a0: number,
      a1: number,
      x: number,
      y: number,
      n: number,
      alpha0: number,
      alpha1: number,
      out: number,
    ): void {
      let s0 = 0,
        s1 = 0;
      for (let i = 0; i < n; i++) {
        const u = f[a0 + i] as number;
        const v = f[a1 + i] as number;
        const xi = f[x + i] as number;
        s0 += u * xi;
        s1 += v * xi;
        f[y + i]! += alpha0 * u + alpha1 * v;
      }
      f[out] = s0;
      f[out + 1] = s1;
    },
  };
}
