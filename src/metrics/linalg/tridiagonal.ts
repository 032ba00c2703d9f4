import { GanCompressError } from '../../util/index.js';
import { at, colMajor, gemmLower } from './gemm.js';
import type { Float64Heap } from './heap.js';

/** The symmetric tridiagonal matrix with `diagonal` and `offDiagonal[i]` = T(i+1, i). */
export interface Tridiagonal {
  diagonal: Float64Array;
  offDiagonal: Float64Array;
}

/** Heap slots {@link tridiagonalize} allocates for an n×n matrix and panel width nb. */
export function tridiagonalizeSlots(n: number, nb = 32): number {
  return 4 * n * nb + nb + 8;
}

/**
 * Householder reduction of a symmetric n×n matrix to tridiagonal form, Qᵀ·A·Q = T, keeping
 * only T (no Q is needed for eigenvalues). Blocked as LAPACK dsytrd/dlatrd: within a panel of
 * `nb` columns each reflector needs one symmetric matrix-vector product with the trailing
 * matrix (the memory-bound half of the 4n³/3 flops, streamed two columns at a time through the fused
 * dotAxpy2 kernel),
 * and the panel's reflectors are then applied together as one rank-2nb update through gemm
 * (the compute-bound half).
 *
 * Reads and destroys the lower triangle of the column-major matrix at `a` (leading dimension lda).
 */
export function tridiagonalize(h: Float64Heap, a: number, n: number, lda: number, nb = 32): Tridiagonal {
  const f = h.f64;
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(Math.max(n - 1, 0));
  if (n === 0) return { diagonal, offDiagonal };
  const A = colMajor(a, lda);
  const w = h.alloc(n * nb);
  const tmp = h.alloc(nb);
  const pair = h.alloc(2);
  const wvw = h.alloc(3 * n * nb);
  for (let k0 = 0; k0 < n; k0 += nb) {
    const last = n - k0 <= nb;
    const width = last ? n - k0 : nb;
    reducePanel(h, a, lda, n, k0, width, w, tmp, pair, offDiagonal);
    if (!last) {
      // A ← A − V·Wᵀ − W·Vᵀ as one product [V W]·[W V]ᵀ, so the trailing matrix is streamed once:
      // the buffer holds [W V W] and both operands are column ranges of it.
      const next = k0 + nb;
      const m = n - next;
      for (let p = 0; p < nb; p++) {
        const wCol = w + nb + p * (n - k0);
        f.copyWithin(wvw + p * m, wCol, wCol + m);
        f.copyWithin(wvw + (2 * nb + p) * m, wCol, wCol + m);
        const vCol = a + next + (k0 + p) * lda;
        f.copyWithin(wvw + (nb + p) * m, vCol, vCol + m);
      }
      const X = colMajor(wvw, m);
      gemmLower(h, m, 2 * nb, -1, at(X, 0, nb), X, at(A, next, next));
    }
    for (let c = k0; c < k0 + width; c++) {
      if (c < n - 1) f[a + c + 1 + c * lda] = offDiagonal[c] as number;
      diagonal[c] = f[a + c + c * lda] as number;
    }
  }
  return { diagonal, offDiagonal };
}

/**
 * One panel (LAPACK dlatrd, lower): reduces columns k0 … k0+width−1, leaving each reflector v
 * (with v₀ = 1) below the subdiagonal and W (n−k0 × width, column-major at `w`) such that the
 * trailing matrix is to be updated by A ← A − V·Wᵀ − W·Vᵀ.
 */
function reducePanel(
  h: Float64Heap,
  a: number,
  lda: number,
  n: number,
  k0: number,
  width: number,
  w: number,
  tmp: number,
  pair: number,
  offDiagonal: Float64Array,
): void {
  const f = h.f64;
  const { dot, axpy, dotAxpy2 } = h.kernels;
  const A = (i: number, j: number): number => a + i + j * lda;
  const ldw = n - k0;
  const W = (i: number, j: number): number => w + (i - k0) + j * ldw;
  for (let i = 0; i < width; i++) {
    const c = k0 + i;
    const len = n - c;
    // Apply the panel's earlier reflectors to column c: A(c:n, c) −= A(c:n, k0:c)·W(c, 0:i)ᵀ + W(c:n, 0:i)·A(c, k0:c)ᵀ.
    for (let p = 0; p < i; p++) {
      axpy(-(f[W(c, p)] as number), A(c, k0 + p), A(c, c), len);
      axpy(-(f[A(c, k0 + p)] as number), W(c, p), A(c, c), len);
    }
    if (c === n - 1) break;
    const m = len - 1;
    const v = A(c + 1, c);
    offDiagonal[c] = householder(f, dot, v, m);
    const tau = f[v] as number; // householder leaves tau in v[0]; the reflector's first entry is 1
    f[v] = 1;
    const y = W(c + 1, i);
    // y = A(c+1:n, c+1:n)·v over the lower triangle, two columns per pass over y (dots and axpys fused).
    f.fill(0, y, y + m);
    let jj = 0;
    for (; jj + 1 < m; jj += 2) {
      const col = c + 1 + jj;
      const v0 = f[v + jj] as number;
      const v1 = f[v + jj + 1] as number;
      const a10 = f[A(col + 1, col)] as number;
      dotAxpy2(A(col + 2, col), A(col + 2, col + 1), v + jj + 2, y + jj + 2, m - jj - 2, v0, v1, pair);
      f[y + jj]! += (f[A(col, col)] as number) * v0 + a10 * v1 + (f[pair] as number);
      f[y + jj + 1]! += a10 * v0 + (f[A(col + 1, col + 1)] as number) * v1 + (f[pair + 1] as number);
    }
    if (jj < m) f[y + jj]! += (f[A(c + 1 + jj, c + 1 + jj)] as number) * (f[v + jj] as number);
    // y −= A(c+1:n, k0:c)·(W(c+1:n, 0:i)ᵀ·v) + W(c+1:n, 0:i)·(A(c+1:n, k0:c)ᵀ·v)
    for (let p = 0; p < i; p++) f[tmp + p] = dot(W(c + 1, p), v, m);
    for (let p = 0; p < i; p++) axpy(-(f[tmp + p] as number), A(c + 1, k0 + p), y, m);
    for (let p = 0; p < i; p++) f[tmp + p] = dot(A(c + 1, k0 + p), v, m);
    for (let p = 0; p < i; p++) axpy(-(f[tmp + p] as number), W(c + 1, p), y, m);
    for (let q = 0; q < m; q++) f[y + q]! *= tau;
    axpy(-0.5 * tau * dot(y, v, m), v, y, m);
  }
}

/**
 * Elementary reflector (LAPACK dlarfg) for the m-vector x = [α, x₁…]: H·x = [β, 0…] with
 * H = I − τ·v·vᵀ, v = [1, v₁…]. Overwrites x₁… with v₁…, stores τ in x[0] and returns β.
 */
function householder(f: Float64Array, dot: (x: number, y: number, n: number) => number, x: number, m: number): number {
  const alpha = f[x] as number;
  let norm = m > 1 ? Math.sqrt(dot(x + 1, x + 1, m - 1)) : 0;
  if (!Number.isFinite(norm)) norm = scaledNorm(f, x + 1, m - 1);
  if (norm === 0) {
    f[x] = 0;
    return alpha;
  }
  const beta = alpha >= 0 ? -Math.hypot(alpha, norm) : Math.hypot(alpha, norm);
  const scale = 1 / (alpha - beta);
  for (let i = 1; i < m; i++) f[x + i]! *= scale;
  f[x] = (beta - alpha) / beta;
  return beta;
}

function scaledNorm(f: Float64Array, x: number, m: number): number {
  let max = 0;
  for (let i = 0; i < m; i++) max = Math.max(max, Math.abs(f[x + i] as number));
  if (max === 0 || !Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < m; i++) s += ((f[x + i] as number) / max) ** 2;
  return max * Math.sqrt(s);
}

const EPS = 2 ** -52;

/**
 * Eigenvalues of a symmetric tridiagonal matrix by the implicit QL algorithm with Wilkinson
 * shifts (as EISPACK tql1): O(n²), accurate to a few ulps of ‖T‖. Returns them unsorted.
 */
export function tridiagonalEigenvalues(t: Tridiagonal): Float64Array {
  const n = t.diagonal.length;
  const d = Float64Array.from(t.diagonal);
  const e = new Float64Array(n);
  e.set(t.offDiagonal);
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m] as number) + Math.abs(d[m + 1] as number);
        if (Math.abs(e[m] as number) <= EPS * dd) break;
      }
      if (m === l) break;
      if (++iterations > 60) throw new GanCompressError(`tridiagonal QL did not converge for eigenvalue ${l} of ${n}`);
      // Wilkinson shift from the leading 2×2 block, then one implicit QL sweep from m up to l.
      let g = ((d[l + 1] as number) - (d[l] as number)) / (2 * (e[l] as number));
      let r = Math.hypot(g, 1);
      g = (d[m] as number) - (d[l] as number) + (e[l] as number) / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const fi = s * (e[i] as number);
        const b = c * (e[i] as number);
        r = Math.hypot(fi, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] = (d[i + 1] as number) - p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = fi / r;
        c = g / r;
        g = (d[i + 1] as number) - p;
        r = ((d[i] as number) - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (underflow) continue;
      d[l] = (d[l] as number) - p;
      e[l] = g;
      e[m] = 0;
    }
  }
  return d;
}
