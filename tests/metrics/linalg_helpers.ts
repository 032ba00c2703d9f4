/**
 * Slow, obviously correct float64 references for the linear-algebra tests (independent of the
 * blocked kernels under test).
 */
import { Random } from '../../src/util/random.js';

/** Row-major n×m matrix of standard normals. */
export function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

/** C = A·B for row-major A (n×k), B (k×m). */
export function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p] as number;
      for (let j = 0; j < m; j++) c[i * m + j]! += x * (b[p * m + j] as number);
    }
  return c;
}

export function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j] as number;
  return t;
}

/** A random covariance G·Gᵀ/k (rank min(n, k)) of an n-dimensional variable. */
export function randomCovariance(n: number, k: number, seed: number): Float64Array {
  const g = randomMatrix(n, k, seed);
  const c = matmul(g, transpose(g, n, k), n, k, n);
  for (let i = 0; i < c.length; i++) c[i] = (c[i] as number) / k;
  return c;
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (sorted ascending). */
export function jacobiEigenvalues(sym: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(sym);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) off += (a[i * n + j] as number) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q] as number;
        if (apq === 0) continue;
        const theta = ((a[q * n + q] as number) - (a[p * n + p] as number)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p] as number;
          const akq = a[k * n + q] as number;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k] as number;
          const aqk = a[q * n + k] as number;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i] as number).sort();
}
