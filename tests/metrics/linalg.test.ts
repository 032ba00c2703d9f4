import { afterAll, describe, expect, it } from 'vitest';
import { pivotedCholesky } from '../../src/metrics/linalg/cholesky.js';
import { colMajor, gemm, gemmLower, rowMajor, transposed } from '../../src/metrics/linalg/gemm.js';
import { createHeap, setKernelChoice } from '../../src/metrics/linalg/heap.js';
import { traceSqrtProduct } from '../../src/metrics/linalg/trace_sqrt.js';
import { tridiagonalEigenvalues, tridiagonalize, tridiagonalizeSlots } from '../../src/metrics/linalg/tridiagonal.js';
import { kernelModule, kernelModuleBytes } from '../../src/metrics/linalg/wasm_kernels.js';
import { jacobiEigenvalues, matmul, randomCovariance, randomMatrix, transpose } from './linalg_helpers.js';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

it('the WebAssembly kernel module is valid, small enough to compile synchronously in browsers, and compiles here', () => {
  const bytes = kernelModuleBytes();
  expect(WebAssembly.validate(bytes)).toBe(true);
  expect(bytes.length).toBeLessThan(4096);
  expect(kernelModule()).not.toBeNull();
});

for (const kernels of ['wasm', 'js'] as const) {
  describe(`float64 linear algebra [${kernels} kernels]`, () => {
    const previous = setKernelChoice(kernels);
    afterAll(() => void setKernelChoice(previous));

    it('creates heaps of the requested kind', () => {
      setKernelChoice(kernels);
      expect(createHeap(10).kind).toBe(kernels);
    });

    it('dot, axpy, dotAxpy and dotAxpy2 match scalar loops for every tail length', () => {
      setKernelChoice(kernels);
      const h = createHeap(300);
      const x = h.alloc(40);
      const y = h.alloc(40);
      const z = h.alloc(40);
      const w = h.alloc(40);
      const out = h.alloc(2);
      const vx = randomMatrix(1, 40, 1);
      const vy = randomMatrix(1, 40, 2);
      for (let n = 0; n <= 13; n++) {
        // Odd start offsets: the SIMD loads must not assume 16-byte alignment.
        for (const start of [0, 1]) {
          h.f64.set(vx, x);
          h.f64.set(vy, y);
          h.f64.fill(0, z, z + 40);
          let dot = 0;
          for (let i = 0; i < n; i++) dot += (vx[start + i] as number) * (vy[start + i] as number);
          expect(h.kernels.dot(x + start, y + start, n)).toBeCloseTo(dot, 13);
          expect(h.kernels.dotAxpy(x + start, y + start, z + start, n, 0.5)).toBeCloseTo(dot, 13);
          // dotAxpy2 with columns x and z (z now holds 0.5·x inside the window) against the vector y,
          // accumulating into w: out = [x·y, z·y], w += 1·x + 3·z = 2.5·x inside the window.
          h.f64.fill(0, w, w + 40);
          h.kernels.dotAxpy2(x + start, z + start, y + start, w + start, n, 1, 3, out);
          expect(h.f64[out]).toBeCloseTo(dot, 13);
          expect(h.f64[out + 1]).toBeCloseTo(0.5 * dot, 13);
          for (let i = 0; i < 40; i++)
            expect(h.f64[w + i]).toBeCloseTo(i >= start && i < start + n ? 2.5 * (vx[i] as number) : 0, 14);
          h.kernels.axpy(-2, x + start, y + start, n);
          for (let i = 0; i < 40; i++) {
            const inside = i >= start && i < start + n;
            expect(h.f64[y + i]).toBeCloseTo(
              inside ? (vy[i] as number) - 2 * (vx[i] as number) : (vy[i] as number),
              14,
            );
            expect(h.f64[z + i]).toBeCloseTo(inside ? 0.5 * (vx[i] as number) : 0, 14);
          }
        }
      }
    });

    it('gemm equals the triple loop for odd sizes, transposed operands, alpha and a column-major C', () => {
      setKernelChoice(kernels);
      // m, n, k chosen to cross the 4×4 tile, 256-deep and 512-wide packing boundaries.
      for (const [m, n, k] of [
        [1, 1, 1],
        [5, 7, 3],
        [37, 529, 300],
        [130, 9, 517],
      ] as const) {
        const A = randomMatrix(m, k, m + n);
        const B = randomMatrix(k, n, k);
        const C0 = randomMatrix(m, n, 7);
        const expected = matmul(A, B, m, k, n).map((v, i) => (C0[i] as number) - 0.5 * v);
        const h = createHeap(m * k + k * n + m * n);
        const a = h.alloc(m * k);
        const b = h.alloc(k * n);
        const c = h.alloc(m * n);
        h.f64.set(transpose(A, m, k), a); // A column-major
        h.f64.set(transpose(B, k, n), b); // B stored as Bᵀ row-major
        h.f64.set(transpose(C0, m, n), c); // C column-major
        gemm(h, m, n, k, -0.5, colMajor(a, m), transposed(rowMajor(b, k)), colMajor(c, m));
        expect(maxDiff(transpose(h.f64.subarray(c, c + m * n), n, m), expected)).toBeLessThan(1e-12 * k);
      }
    });

    it('gemmLower fills the lower triangle of A·Bᵀ', () => {
      setKernelChoice(kernels);
      const [n, k] = [300, 41];
      const A = randomMatrix(n, k, 3);
      const B = randomMatrix(n, k, 4);
      const full = matmul(A, transpose(B, n, k), n, k, n);
      const h = createHeap(2 * n * k + n * n);
      const a = h.alloc(n * k);
      const b = h.alloc(n * k);
      const c = h.alloc(n * n);
      h.f64.set(A, a);
      h.f64.set(B, b);
      gemmLower(h, n, k, 1, rowMajor(a, k), rowMajor(b, k), rowMajor(c, n));
      let worst = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++)
          worst = Math.max(worst, Math.abs((h.f64[c + i * n + j] as number) - (full[i * n + j] as number)));
      expect(worst).toBeLessThan(1e-12);
    });

    it('pivoted Cholesky reproduces full-rank and rank-deficient matrices with their rank', () => {
      setKernelChoice(kernels);
      for (const [d, rank, nb] of [
        [150, 90, 16],
        [150, 300, 16],
        [70, 70, 64],
        [9, 3, 4],
      ] as const) {
        const S = randomCovariance(d, rank, d + rank);
        const h = createHeap(d * d);
        const s = h.alloc(d * d);
        h.f64.set(S, s);
        const chol = pivotedCholesky(h, s, d, d, nb);
        expect(chol.rank).toBe(Math.min(d, rank));
        expect(chol.residual).toBeLessThan(chol.tol);
        const r = chol.rank;
        const L = new Float64Array(d * r);
        for (let j = 0; j < r; j++) for (let i = j; i < d; i++) L[i * r + j] = h.f64[s + i + j * d] as number;
        const LLt = matmul(L, transpose(L, d, r), d, r, d);
        const permuted = new Float64Array(d * d);
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++)
            permuted[i * d + j] = S[(chol.piv[i] as number) * d + (chol.piv[j] as number)] as number;
        expect(maxDiff(LLt, permuted)).toBeLessThan(1e-12);
        // Complete pivoting: the diagonal of L is non-increasing.
        for (let j = 1; j < r; j++)
          expect(h.f64[s + j + j * d]).toBeLessThanOrEqual((h.f64[s + (j - 1) * (d + 1)] as number) * (1 + 1e-12));
      }
    });

    it('pivoted Cholesky reports an indefinite matrix through its residual', () => {
      setKernelChoice(kernels);
      const S = randomCovariance(20, 8, 1);
      S[15 * 20 + 15]! -= 0.5; // push one diagonal entry below the rank-8 subspace
      const h = createHeap(400);
      const s = h.alloc(400);
      h.f64.set(S, s);
      const chol = pivotedCholesky(h, s, 20, 20);
      expect(chol.residual).toBeGreaterThan(1000 * chol.tol);
    });

    it('tridiagonalisation preserves the eigenvalues (against Jacobi rotations)', () => {
      setKernelChoice(kernels);
      for (const [n, nb] of [
        [1, 4],
        [2, 4],
        [77, 8],
        [130, 32],
      ] as const) {
        const X = randomCovariance(n, n + 20, n);
        for (let i = 0; i < n; i++) X[i * n + i]! -= 1; // indefinite, to test signs too
        const h = createHeap(n * n + tridiagonalizeSlots(n, nb));
        const x = h.alloc(n * n);
        h.f64.set(X, x);
        const t = tridiagonalize(h, x, n, n, nb);
        const ev = tridiagonalEigenvalues(t).sort();
        expect(maxDiff(ev, jacobiEigenvalues(X, n))).toBeLessThan(1e-12 * n);
      }
    });

    it('QL finds the eigenvalues of hand-made tridiagonals', () => {
      // [[2,1],[1,2]] → 1, 3; the path graph's Laplacian-like [2,-1,…] has 2 − 2cos(kπ/(n+1)).
      expect(
        Array.from(tridiagonalEigenvalues({ diagonal: Float64Array.of(2, 2), offDiagonal: Float64Array.of(1) }).sort()),
      ).toEqual([1, 3].map((v): unknown => expect.closeTo(v, 14)));
      const n = 50;
      const ev = tridiagonalEigenvalues({
        diagonal: new Float64Array(n).fill(2),
        offDiagonal: new Float64Array(n - 1).fill(-1),
      }).sort();
      const expected = Float64Array.from(
        { length: n },
        (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)),
      ).sort();
      expect(maxDiff(ev, expected)).toBeLessThan(1e-13);
      // Already diagonal (zero off-diagonal) and a zero matrix.
      expect(
        Array.from(tridiagonalEigenvalues({ diagonal: Float64Array.of(3, -1, 2), offDiagonal: Float64Array.of(0, 0) })),
      ).toEqual([3, -1, 2]);
      expect(
        Array.from(tridiagonalEigenvalues({ diagonal: new Float64Array(3), offDiagonal: new Float64Array(2) })),
      ).toEqual([0, 0, 0]);
    });

    it('traceSqrtProduct equals Σ√λ of Σ₁Σ₂ for full-rank and rank-deficient pairs', () => {
      setKernelChoice(kernels);
      // Σ₁ = G₁G₁ᵀ/k₁: the nonzero eigenvalues of Σ₁Σ₂ are those of G₁ᵀΣ₂G₁/k₁ (k₁×k₁), found by Jacobi.
      for (const [d, k1, k2] of [
        [60, 100, 80],
        [60, 30, 40],
        [60, 40, 30],
        [140, 200, 150],
      ] as const) {
        const G1 = randomMatrix(d, k1, 7);
        const S1 = matmul(G1, transpose(G1, d, k1), d, k1, d).map((v) => v / k1);
        const S2 = randomCovariance(d, k2, 8);
        const M = matmul(transpose(G1, d, k1), matmul(S2, G1, d, d, k1), k1, d, k1).map((v) => v / k1);
        const ev = jacobiEigenvalues(M, k1);
        // Only min(d, k1, k2) eigenvalues are nonzero; the rest are rounding noise in the reference.
        const nonzero = Math.min(d, k1, k2);
        let expected = 0;
        for (let i = k1 - nonzero; i < k1; i++) expected += Math.sqrt(ev[i] as number);
        const t = traceSqrtProduct(S1, S2, d);
        expect(Math.abs(t.trace - expected) / expected).toBeLessThan(1e-11);
        expect(t.rank).toBe(nonzero === d ? d : Math.min(k1, k2));
        expect(t.factored).toBe(Math.min(d, k1) <= Math.min(d, k2) ? 1 : 2);
      }
    });
  });
}
