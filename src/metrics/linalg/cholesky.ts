import { colMajor, at, gemmLower } from './gemm.js';
import type { Float64Heap } from './heap.js';

/** Result of {@link pivotedCholesky}. */
export interface PivotedCholesky {
  /** Columns of L computed: the numerical rank. */
  rank: number;
  /** The symmetric permutation: row i of the factored matrix is row piv[i] of the input. */
  piv: Int32Array;
  /** Pivots at or below this were treated as zero: n · ε · max diagonal (LAPACK dpstrf's default). */
  tol: number;
  /**
   * Largest |entry| of the Schur complement left after `rank` steps (0 at full rank). For a
   * positive semi-definite input it is at most `tol` up to rounding; much larger means the
   * input is indefinite.
   */
  residual: number;
}

const EPS = 2 ** -52;

/**
 * Cholesky factorisation with complete (diagonal) pivoting of a symmetric positive
 * semi-definite n×n matrix, Pᵀ·A·P = L·Lᵀ with L lower trapezoidal n×rank — the algorithm of
 * LAPACK dpstrf (Lucas; Hammarling, Higham & Lucas 2007): each step takes the largest remaining
 * diagonal as pivot and stops when it falls to `tol`, so a singular A (a covariance from fewer
 * samples than dimensions) is factored exactly up to its rank.
 *
 * Blocked: inside a panel of `nb` columns each column is formed left-looking (axpy kernels);
 * the trailing matrix then gets one rank-nb update through gemm. Works on the lower triangle of
 * the column-major matrix at `a` (leading dimension lda) in place; on return its first `rank`
 * columns hold L (entries above the diagonal are not touched and must be ignored).
 */
export function pivotedCholesky(h: Float64Heap, a: number, n: number, lda: number, nb = 64): PivotedCholesky {
  const f = h.f64;
  const { axpy } = h.kernels;
  const A = colMajor(a, lda);
  const idx = (i: number, j: number): number => a + i + j * lda;
  const piv = new Int32Array(n);
  for (let i = 0; i < n; i++) piv[i] = i;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, f[idx(i, i)] as number);
  const tol = n * EPS * maxDiag;
  // work[i] = Σ over this panel's finished columns p of L(i,p)²: the current Schur diagonal is A(i,i) − work[i].
  const work = new Float64Array(n);
  for (let k0 = 0; k0 < n; k0 += nb) {
    const jb = Math.min(nb, n - k0);
    work.fill(0, k0);
    for (let j = k0; j < k0 + jb; j++) {
      let pvt = j;
      let ajj = -Infinity;
      for (let i = j; i < n; i++) {
        const v = (f[idx(i, i)] as number) - (work[i] as number);
        if (v > ajj) {
          ajj = v;
          pvt = i;
        }
      }
      if (!(ajj > tol) || maxDiag <= 0) {
        // Bring the trailing matrix up to date with this panel's columns, then measure what is left.
        gemmLower(h, n - j, j - k0, -1, at(A, j, k0), at(A, j, k0), at(A, j, j));
        return { rank: j, piv, tol, residual: residualMax(f, idx, j, n) };
      }
      if (pvt !== j) swapSymmetric(f, idx, n, j, pvt, work, piv);
      const ljj = Math.sqrt(ajj);
      f[idx(j, j)] = ljj;
      if (j < n - 1) {
        const below = idx(j + 1, j);
        for (let p = k0; p < j; p++) axpy(-(f[idx(j, p)] as number), idx(j + 1, p), below, n - j - 1);
        const inv = 1 / ljj;
        for (let i = j + 1; i < n; i++) {
          const v = (f[idx(i, j)] as number) * inv;
          f[idx(i, j)] = v;
          work[i]! += v * v;
        }
      }
    }
    const next = k0 + jb;
    if (next < n) gemmLower(h, n - next, jb, -1, at(A, next, k0), at(A, next, k0), at(A, next, next));
  }
  return { rank: n, piv, tol, residual: 0 };
}

/** Exchanges rows and columns j and pvt (> j) of the symmetric matrix held in its lower triangle. */
function swapSymmetric(
  f: Float64Array,
  idx: (i: number, j: number) => number,
  n: number,
  j: number,
  pvt: number,
  work: Float64Array,
  piv: Int32Array,
): void {
  const swap = (x: number, y: number): void => {
    const t = f[x] as number;
    f[x] = f[y] as number;
    f[y] = t;
  };
  f[idx(pvt, pvt)] = f[idx(j, j)] as number;
  for (let p = 0; p < j; p++) swap(idx(j, p), idx(pvt, p));
  for (let i = pvt + 1; i < n; i++) swap(idx(i, j), idx(i, pvt));
  for (let i = j + 1; i < pvt; i++) swap(idx(i, j), idx(pvt, i));
  const w = work[j] as number;
  work[j] = work[pvt] as number;
  work[pvt] = w;
  const p = piv[j] as number;
  piv[j] = piv[pvt] as number;
  piv[pvt] = p;
}

function residualMax(f: Float64Array, idx: (i: number, j: number) => number, from: number, n: number): number {
  let max = 0;
  for (let j = from; j < n; j++) {
    for (let i = j; i < n; i++) {
      const v = Math.abs(f[idx(i, j)] as number);
      if (!(v <= max)) max = v; // NaN propagates
    }
  }
  return max;
}
