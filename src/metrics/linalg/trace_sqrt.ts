import { GanCompressError } from '../../util/index.js';
import { pivotedCholesky, type PivotedCholesky } from './cholesky.js';
import { at, colMajor, gemm, transposed } from './gemm.js';
import { createHeap, type Float64Heap } from './heap.js';
import { tridiagonalEigenvalues, tridiagonalize, tridiagonalizeSlots } from './tridiagonal.js';

/** Result of {@link traceSqrtProduct}. */
export interface TraceSqrtProduct {
  /** tr √(Σ₁Σ₂) = Σ √λ over the eigenvalues λ > 0 of Σ₁Σ₂. */
  trace: number;
  /** Σ √(−λ) over the eigenvalues λ < 0: the imaginary part of the trace that scipy's sqrtm drops. */
  imaginaryTrace: number;
  /** The nonzero-block eigenvalues of Σ₁Σ₂ (as many as the rank of the factored matrix; the rest are 0). */
  eigenvalues: Float64Array;
  /** Which input was factored (1 or 2) and its numerical rank. */
  factored: 1 | 2;
  rank: number;
}

/** A Schur complement this many times LAPACK's pivot tolerance means "not semi-definite". */
const INDEFINITE_FACTOR = 1000;

/**
 * tr √(Σ₁Σ₂) for symmetric positive semi-definite Σ₁, Σ₂ (row-major d×d), in float64.
 *
 * With Σ₁ = P·L·Lᵀ·Pᵀ (pivoted Cholesky, L of rank r ≤ d) the eigenvalues of Σ₁Σ₂ are those
 * of the symmetric r×r matrix M = Lᵀ·(PᵀΣ₂P)·L plus d − r zeros, so the trace needs only the
 * eigenvalues of M: no matrix square root, no nonsymmetric eigenproblem. Flops for d = r:
 * 2·d³/6 (both Cholesky factorisations) + d³/2 (congruence, exploiting both triangles) + 2d³/3
 * (tridiagonalisation) multiply-adds, then an O(d²) QL iteration.
 *
 * Both inputs are factored and the one of lower rank plays Σ₁ (the eigenvalues of Σ₁Σ₂ equal
 * those of Σ₂Σ₁), so M is generically nonsingular; an indefinite input (its Schur complement
 * after the rank-revealing factorisation is not negligible) is never the factored one. If both
 * are indefinite, a GanCompressError is thrown.
 */
export function traceSqrtProduct(sigma1: Float64Array, sigma2: Float64Array, d: number): TraceSqrtProduct {
  const heap = createHeap(3 * d * d + tridiagonalizeSlots(d));
  const a = heap.alloc(d * d);
  const s = heap.alloc(d * d);
  const y = heap.alloc(d * d);
  heap.f64.set(sigma1, a);
  heap.f64.set(sigma2, s);
  const chol1 = pivotedCholesky(heap, a, d, d);
  const chol2 = pivotedCholesky(heap, s, d, d);
  const ok1 = !isIndefinite(chol1);
  const ok2 = !isIndefinite(chol2);
  if (!ok1 && !ok2) {
    throw new GanCompressError(
      `sigma1 and sigma2 are both indefinite (after their rank-revealing Cholesky factorisations, Schur complements of ${chol1.residual.toExponential(3)} and ${chol2.residual.toExponential(3)} remain where at most ${chol1.tol.toExponential(3)} and ${chol2.tol.toExponential(3)} were expected); covariance matrices are positive semi-definite — compute them in float64 (e.g. with FeatureStats)`,
    );
  }
  // Factor the matrix of lower rank: M then has (generically) no zero eigenvalues, whose
  // rounding noise would otherwise add √(noise) terms to the trace.
  const factored: 1 | 2 = ok1 && (!ok2 || chol1.rank <= chol2.rank) ? 1 : 2;
  const chol = factored === 1 ? chol1 : chol2;
  const M = factored === 1 ? congruence(heap, a, s, y, sigma2, chol, d) : congruence(heap, s, a, y, sigma1, chol, d);
  const r = chol.rank;
  const t = r > 0 ? tridiagonalize(heap, M, r, d) : null;
  // Overflow (entries beyond ~1e154 square past the float64 range) leaves a non-finite T: report NaN.
  const finite = t === null || (t.diagonal.every(Number.isFinite) && t.offDiagonal.every(Number.isFinite));
  const eigenvalues =
    t === null ? new Float64Array(0) : finite ? tridiagonalEigenvalues(t) : new Float64Array(r).fill(NaN);
  let trace = 0;
  let imaginaryTrace = 0;
  for (const lambda of eigenvalues) {
    if (lambda > 0) trace += Math.sqrt(lambda);
    else if (lambda < 0) imaginaryTrace += Math.sqrt(-lambda);
    else if (Number.isNaN(lambda)) trace = NaN;
  }
  return { trace, imaginaryTrace, eigenvalues, factored, rank: r };
}

function isIndefinite(c: PivotedCholesky): boolean {
  return !(c.residual <= INDEFINITE_FACTOR * c.tol);
}

const BLOCK = 128;

/**
 * M = Lᵀ·S·L for S = PᵀΣP, with L at `l` and `s` as workspace: M's lower r×r triangle ends up
 * column-major at `s` (returned).
 * Split S = T + Tᵀ with T its lower triangle and half its diagonal: then M = Lᵀ·Y + Yᵀ·L with
 * Y = T·L, and both products only touch blocks where the triangular factors are nonzero.
 */
function congruence(
  h: Float64Heap,
  l: number,
  s: number,
  y: number,
  sigma: Float64Array,
  chol: PivotedCholesky,
  d: number,
): number {
  const f = h.f64;
  const { piv, rank: r } = chol;
  // T = lower triangle of PᵀΣP with half diagonal; the strict upper triangle must be zero.
  for (let j = 0; j < d; j++) {
    const pj = piv[j] as number;
    const col = s + j * d;
    f.fill(0, col, col + j);
    f[col + j] = 0.5 * (sigma[pj * d + pj] as number);
    for (let i = j + 1; i < d; i++) f[col + i] = sigma[(piv[i] as number) * d + pj] as number;
  }
  // L's columns beyond the rank and its strict upper triangle hold leftovers of the input.
  for (let j = 0; j < r; j++) f.fill(0, l + j * d, l + j * d + j);
  const L = colMajor(l, d);
  const T = colMajor(s, d);
  const Y = colMajor(y, d);
  for (let j0 = 0; j0 < r; j0 += BLOCK) {
    const jb = Math.min(BLOCK, r - j0);
    for (let i0 = j0; i0 < d; i0 += BLOCK) {
      const ib = Math.min(BLOCK, d - i0);
      gemm(h, ib, jb, i0 + ib - j0, 1, at(T, i0, j0), at(L, j0, j0), at(Y, i0, j0));
    }
  }
  // T is no longer needed: M takes its place.
  f.fill(0, s, s + d * d);
  const M = colMajor(s, d);
  for (let j0 = 0; j0 < r; j0 += BLOCK) {
    const jb = Math.min(BLOCK, r - j0);
    for (let i0 = j0; i0 < r; i0 += BLOCK) {
      const ib = Math.min(BLOCK, r - i0);
      gemm(h, ib, jb, d - i0, 1, at(transposed(L), i0, i0), at(Y, i0, j0), at(M, i0, j0));
      gemm(h, ib, jb, d - i0, 1, at(transposed(Y), i0, i0), at(L, i0, j0), at(M, i0, j0));
    }
  }
  return s;
}
