import { GEMM_KC, GEMM_NC, type Float64Heap } from './heap.js';

/** A matrix inside a heap: element (i, j) is at `off + i·rs + j·cs` (so a transpose swaps rs and cs). */
export interface MatrixView {
  off: number;
  rs: number;
  cs: number;
}

/** Row-major view of an r×c block with leading dimension `ld` starting at `off`. */
export const rowMajor = (off: number, ld: number): MatrixView => ({ off, rs: ld, cs: 1 });
/** Column-major view (LAPACK layout) with leading dimension `ld`. */
export const colMajor = (off: number, ld: number): MatrixView => ({ off, rs: 1, cs: ld });
/** The transpose of a view (no data moves). */
export const transposed = (v: MatrixView): MatrixView => ({ off: v.off, rs: v.cs, cs: v.rs });
/** The view of the sub-matrix starting at (i, j). */
export const at = (v: MatrixView, i: number, j: number): MatrixView => ({
  off: v.off + i * v.rs + j * v.cs,
  rs: v.rs,
  cs: v.cs,
});

// Packing buffers at the start of every heap (reserved by createHeap).
const AP = 0;
const BP = 4 * GEMM_KC;
const TILE = GEMM_KC * (GEMM_NC + 4);

/**
 * C[m×n] += alpha · A[m×k] · B[k×n], GotoBLAS-style: panels of B (k ≤ 256, n ≤ 512 columns)
 * and strips of four rows of A are copied into contiguous buffers (A pre-scaled by alpha,
 * zero-padded to multiples of four) so the 4×4 kernel streams through memory. C must have a
 * unit stride in one direction; a column-major C is computed as Cᵀ = Bᵀ·Aᵀ.
 */
export function gemm(
  h: Float64Heap,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: MatrixView,
  B: MatrixView,
  C: MatrixView,
): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  if (C.cs !== 1) {
    if (C.rs !== 1) throw new Error(`gemm: C needs a unit stride, got rs=${C.rs}, cs=${C.cs}`);
    gemm(h, n, m, k, alpha, transposed(B), transposed(A), transposed(C));
    return;
  }
  const f = h.f64;
  const kernel = h.kernels.gemm4x4;
  const ldc = C.rs;
  for (let jc = 0; jc < n; jc += GEMM_NC) {
    const nc = Math.min(GEMM_NC, n - jc);
    for (let pc = 0; pc < k; pc += GEMM_KC) {
      const kc = Math.min(GEMM_KC, k - pc);
      packB(f, B, pc, jc, kc, nc);
      for (let ic = 0; ic < m; ic += 4) {
        const mr = Math.min(4, m - ic);
        packA(f, A, ic, pc, mr, kc, alpha);
        const cRow = C.off + ic * ldc + jc;
        for (let jb = 0; jb < nc; jb += 4) {
          const nr = Math.min(4, nc - jb);
          if (mr === 4 && nr === 4) {
            kernel(AP, BP + jb * kc, cRow + jb, kc, ldc);
          } else {
            f.fill(0, TILE, TILE + 16);
            kernel(AP, BP + jb * kc, TILE, kc, 4);
            for (let r = 0; r < mr; r++)
              for (let c = 0; c < nr; c++) f[cRow + r * ldc + jb + c]! += f[TILE + r * 4 + c] as number;
          }
        }
      }
    }
  }
}

function packB(f: Float64Array, B: MatrixView, pc: number, jc: number, kc: number, nc: number): void {
  const { rs, cs } = B;
  for (let jb = 0; jb < nc; jb += 4) {
    const nr = Math.min(4, nc - jb);
    let dst = BP + jb * kc;
    let src = B.off + pc * rs + (jc + jb) * cs;
    if (nr === 4) {
      for (let p = 0; p < kc; p++, dst += 4, src += rs) {
        f[dst] = f[src] as number;
        f[dst + 1] = f[src + cs] as number;
        f[dst + 2] = f[src + 2 * cs] as number;
        f[dst + 3] = f[src + 3 * cs] as number;
      }
    } else {
      for (let p = 0; p < kc; p++, dst += 4, src += rs) {
        for (let c = 0; c < 4; c++) f[dst + c] = c < nr ? (f[src + c * cs] as number) : 0;
      }
    }
  }
}

function packA(f: Float64Array, A: MatrixView, ic: number, pc: number, mr: number, kc: number, alpha: number): void {
  const { rs, cs } = A;
  let dst = AP;
  let src = A.off + ic * rs + pc * cs;
  if (mr === 4) {
    for (let p = 0; p < kc; p++, dst += 4, src += cs) {
      f[dst] = alpha * (f[src] as number);
      f[dst + 1] = alpha * (f[src + rs] as number);
      f[dst + 2] = alpha * (f[src + 2 * rs] as number);
      f[dst + 3] = alpha * (f[src + 3 * rs] as number);
    }
  } else {
    for (let p = 0; p < kc; p++, dst += 4, src += cs) {
      for (let r = 0; r < 4; r++) f[dst + r] = r < mr ? alpha * (f[src + r * rs] as number) : 0;
    }
  }
}

/** Block size of the triangular updates below. */
const TRI_BLOCK = 128;

/**
 * The lower triangle (i ≥ j, in blocks of 128 so a few entries above the diagonal inside the
 * diagonal blocks are written too) of C[n×n] += alpha · A[n×k] · Bᵀ, B[n×k]. With B = A this is
 * the symmetric rank-k update (syrk); the upper triangle of C is scratch space.
 */
export function gemmLower(
  h: Float64Heap,
  n: number,
  k: number,
  alpha: number,
  A: MatrixView,
  B: MatrixView,
  C: MatrixView,
): void {
  for (let j = 0; j < n; j += TRI_BLOCK) {
    const nb = Math.min(TRI_BLOCK, n - j);
    gemm(h, n - j, nb, k, alpha, at(A, j, 0), transposed(at(B, j, 0)), at(C, j, j));
  }
}

/** Copies the lower triangle of the n×n matrix C onto its upper triangle. */
export function mirrorLower(f: Float64Array, n: number, C: MatrixView): void {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) f[C.off + j * C.rs + i * C.cs] = f[C.off + i * C.rs + j * C.cs] as number;
}
