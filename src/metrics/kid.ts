import { assertInt, assertKnownKeys, ConfigError, GanCompressError, ShapeError } from '../util/index.js';
import { Random } from '../util/index.js';
import { readFeatures, type FeatureInput, type FeatureRows } from './features.js';
import { gemm, gemmLower, rowMajor, transposed } from './linalg/gemm.js';
import { createHeap, type Float64Heap } from './linalg/heap.js';

/** Options of {@link kid}. */
export interface KidOptions {
  /** Number of random subsets averaged. Default 100 (torchmetrics, clean-fid). */
  subsets?: number;
  /** Vectors per subset, drawn without replacement from each set. Default 1000; at most the size of the smaller set. */
  subsetSize?: number;
  /** Seed of the subset draws. Default 0. */
  seed?: number;
  /**
   * Explicit subsets instead of random ones: `a[s]` and `b[s]` are the row indices of subset s
   * in each set (equal lengths, distinct indices). Overrides `subsets`, `subsetSize` and `seed`
   * — for reproducing another implementation's draws.
   */
  subsetIndices?: { a: number[][]; b: number[][] };
}

/** Result of {@link kid}. */
export interface KidResult {
  /** Mean over subsets of the unbiased MMD² estimate. */
  mean: number;
  /** Population standard deviation over subsets (torchmetrics' `std(unbiased=False)`). */
  std: number;
  /** The estimate of each subset, in order. */
  values: number[];
}

/** How {@link kernelInceptionDistance} computes the kernel sums (tests force each path). */
export type KidStrategy = 'auto' | 'gram' | 'subsets';

/** Largest Gram-matrix workspace (float64 slots, 128 MiB) the 'gram' strategy may use. */
const GRAM_LIMIT = 2 ** 24;

const KID_OPTIONS = ['subsets', 'subsetSize', 'seed', 'subsetIndices'];

/**
 * Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared
 * maximum mean discrepancy between two feature sets under the polynomial kernel
 * k(x, y) = (xᵀy/d + 1)³, averaged over random subsets — as torchmetrics'
 * KernelInceptionDistance and clean-fid's kernel_distance compute it:
 *
 * MMD²ᵤ = Σ_{i≠j} [k(xᵢ,xⱼ) + k(yᵢ,yⱼ)] / (m(m−1)) − 2·Σ_{i,j} k(xᵢ,yⱼ) / m².
 *
 * Unlike FID it is unbiased for small sets (no Gaussian fit). Computed in float64. When the
 * sets are small enough (n² Gram entries within 128 MiB) and the subsets many, the three Gram
 * matrices are computed once and every subset sums entries from them; otherwise each subset's
 * 2m²d multiply-adds run separately. Throws if `subsetSize` exceeds either set (torchmetrics
 * does too; nothing is shrunk silently).
 *
 * @param featuresA features of the first set `[nA, d]`
 * @param featuresB features of the second set `[nB, d]`
 * @example
 * ```ts
 * const { mean, std, values } = kid(realFeatures, fakeFeatures, { subsets: 100, subsetSize: 1000, seed: 0 });
 * console.log(`KID ${(mean * 1000).toFixed(2)} ± ${(std * 1000).toFixed(2)} ×10⁻³`); // values: the 100 subsets' estimates
 * ```
 */
export function kid(featuresA: FeatureInput, featuresB: FeatureInput, options: KidOptions = {}): KidResult {
  return kernelInceptionDistance(featuresA, featuresB, options, 'auto');
}

/** {@link kid} with a choice of computation path. */
export function kernelInceptionDistance(
  featuresA: FeatureInput,
  featuresB: FeatureInput,
  options: KidOptions,
  strategy: KidStrategy,
): KidResult {
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, 'an object { subsets?, subsetSize?, seed?, subsetIndices? }');
  assertKnownKeys('options', options as Record<string, unknown>, KID_OPTIONS, 'an option of kid');
  const a = readFeatures('featuresA', featuresA);
  const b = readFeatures('featuresB', featuresB);
  if (a.n === 0) throw new ConfigError('featuresA', '0 rows', 'at least 2 feature vectors');
  if (b.d !== a.d) throw new ShapeError('featuresB', [b.n, b.d], `[n, ${a.d}] like featuresA`);
  const { subsetsA, subsetsB } = drawSubsets(a.n, b.n, options);
  const m = (subsetsA[0] as number[]).length;
  const pairsPerSubset = 2 * m * m;
  const gramSlots = a.n * a.n + b.n * b.n + a.n * b.n;
  const useGram =
    strategy === 'gram' ||
    (strategy === 'auto' && gramSlots <= GRAM_LIMIT && gramSlots < subsetsA.length * pairsPerSubset);
  const values = useGram ? gramPath(a, b, subsetsA, subsetsB) : subsetPath(a, b, subsetsA, subsetsB);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  if (!Number.isFinite(mean) || !Number.isFinite(variance))
    throw new GanCompressError(
      `kid: the polynomial kernel (x·y/d + 1)³ overflows float64 for these features (KID mean ${mean}); scale them down`,
    );
  return { mean, std: Math.sqrt(variance), values };
}

function drawSubsets(nA: number, nB: number, options: KidOptions): { subsetsA: number[][]; subsetsB: number[][] } {
  if (options.subsetIndices !== undefined) {
    const { a, b } = options.subsetIndices ?? {};
    if (!Array.isArray(a) || !Array.isArray(b) || a.length === 0 || a.length !== b.length) {
      throw new ConfigError(
        'options.subsetIndices',
        options.subsetIndices,
        '{ a, b }: equally many (≥ 1) index arrays for each set',
      );
    }
    const m = Array.isArray(a[0]) ? a[0].length : 0;
    if (options.subsets !== undefined && options.subsets !== a.length)
      throw new ConfigError('options.subsets', options.subsets, `${a.length} (the number of subsetIndices)`);
    if (options.subsetSize !== undefined && options.subsetSize !== m)
      throw new ConfigError('options.subsetSize', options.subsetSize, `${m} (the length of subsetIndices)`);
    a.forEach((s, i) => checkSubset(`options.subsetIndices.a[${i}]`, s, m, nA));
    b.forEach((s, i) => checkSubset(`options.subsetIndices.b[${i}]`, s, m, nB));
    return { subsetsA: a, subsetsB: b };
  }
  const subsets = options.subsets ?? 100;
  const m = options.subsetSize ?? 1000;
  const seed = options.seed ?? 0;
  assertInt('options.subsets', subsets, 1);
  assertInt('options.subsetSize', m, 2);
  assertInt('options.seed', seed);
  if (m > nA || m > nB) {
    throw new ConfigError(
      'options.subsetSize',
      m,
      `at most ${Math.min(nA, nB)} (featuresA has ${nA} vectors, featuresB ${nB}; subsets are drawn without replacement)`,
    );
  }
  const rng = new Random(seed);
  const subsetsA: number[][] = [];
  const subsetsB: number[][] = [];
  for (let s = 0; s < subsets; s++) {
    subsetsA.push(rng.sample(nA, m));
    subsetsB.push(rng.sample(nB, m));
  }
  return { subsetsA, subsetsB };
}

function checkSubset(argument: string, s: unknown, m: number, n: number): void {
  if (!Array.isArray(s) || s.length !== m)
    throw new ConfigError(argument, s, `an array of ${m} row indices like the first subset`);
  if (m < 2) throw new ConfigError(argument, s, 'at least 2 indices (the estimator divides by m(m−1))');
  const seen = new Set<number>();
  for (const i of s as unknown[]) {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= n)
      throw new ConfigError(`${argument} entry`, i, `an integer row index in [0, ${n})`);
    if (seen.has(i))
      throw new ConfigError(`${argument} entry`, i, 'distinct indices (subsets are drawn without replacement)');
    seen.add(i);
  }
}

const cube = (g: number, invD: number): number => {
  const t = g * invD + 1;
  return t * t * t;
};

/** The unbiased MMD² from the three kernel sums of one subset. */
const mmd = (sumXX: number, sumYY: number, sumXY: number, m: number): number =>
  (sumXX + sumYY) / (m * (m - 1)) - (2 * sumXY) / (m * m);

function copyRows(h: Float64Heap, dst: number, rows: FeatureRows, indices: readonly number[] | null): void {
  const { data, d } = rows;
  const count = indices ? indices.length : rows.n;
  for (let i = 0; i < count; i++) {
    const src = (indices ? (indices[i] as number) : i) * d;
    for (let j = 0; j < d; j++) h.f64[dst + i * d + j] = data[src + j] as number;
  }
}

/** Σ_{i≠j} k over the lower triangle of an m×m Gram matrix (row-major at g): twice the strict lower sum. */
function offDiagonalSum(f: Float64Array, g: number, m: number, invD: number): number {
  let s = 0;
  for (let i = 1; i < m; i++) for (let j = 0; j < i; j++) s += cube(f[g + i * m + j] as number, invD);
  return 2 * s;
}

function subsetPath(a: FeatureRows, b: FeatureRows, subsetsA: number[][], subsetsB: number[][]): number[] {
  const d = a.d;
  const m = (subsetsA[0] as number[]).length;
  const h = createHeap(2 * m * d + 3 * m * m);
  const x = h.alloc(m * d);
  const y = h.alloc(m * d);
  const gxx = h.alloc(m * m);
  const gyy = h.alloc(m * m);
  const gxy = h.alloc(m * m);
  const f = h.f64;
  const invD = 1 / d;
  return subsetsA.map((ia, s) => {
    copyRows(h, x, a, ia);
    copyRows(h, y, b, subsetsB[s] as number[]);
    f.fill(0, gxx, gxy + m * m);
    gemmLower(h, m, d, 1, rowMajor(x, d), rowMajor(x, d), rowMajor(gxx, m));
    gemmLower(h, m, d, 1, rowMajor(y, d), rowMajor(y, d), rowMajor(gyy, m));
    gemm(h, m, m, d, 1, rowMajor(x, d), transposed(rowMajor(y, d)), rowMajor(gxy, m));
    let sumXY = 0;
    for (let k = 0; k < m * m; k++) sumXY += cube(f[gxy + k] as number, invD);
    return mmd(offDiagonalSum(f, gxx, m, invD), offDiagonalSum(f, gyy, m, invD), sumXY, m);
  });
}

function gramPath(a: FeatureRows, b: FeatureRows, subsetsA: number[][], subsetsB: number[][]): number[] {
  const d = a.d;
  const [nA, nB] = [a.n, b.n];
  const h = createHeap((nA + nB) * d + nA * nA + nB * nB + nA * nB);
  const x = h.alloc(nA * d);
  const y = h.alloc(nB * d);
  const gxx = h.alloc(nA * nA);
  const gyy = h.alloc(nB * nB);
  const gxy = h.alloc(nA * nB);
  copyRows(h, x, a, null);
  copyRows(h, y, b, null);
  gemmLower(h, nA, d, 1, rowMajor(x, d), rowMajor(x, d), rowMajor(gxx, nA));
  gemmLower(h, nB, d, 1, rowMajor(y, d), rowMajor(y, d), rowMajor(gyy, nB));
  gemm(h, nA, nB, d, 1, rowMajor(x, d), transposed(rowMajor(y, d)), rowMajor(gxy, nB));
  const f = h.f64;
  const invD = 1 / d;
  // Kernel values once, in place (each Gram entry is used by many subsets).
  for (let i = 0; i < nA; i++)
    for (let j = 0; j <= i; j++) f[gxx + i * nA + j] = cube(f[gxx + i * nA + j] as number, invD);
  for (let i = 0; i < nB; i++)
    for (let j = 0; j <= i; j++) f[gyy + i * nB + j] = cube(f[gyy + i * nB + j] as number, invD);
  for (let k = 0; k < nA * nB; k++) f[gxy + k] = cube(f[gxy + k] as number, invD);
  // Sorted indices make every row walk through increasing columns of the lower triangle.
  const lowerSum = (g: number, n: number, idx: Int32Array): number => {
    let s = 0;
    for (let p = 1; p < idx.length; p++) {
      const row = g + (idx[p] as number) * n;
      for (let q = 0; q < p; q++) s += f[row + (idx[q] as number)] as number;
    }
    return 2 * s;
  };
  const m = (subsetsA[0] as number[]).length;
  return subsetsA.map((subsetA, s) => {
    const ia = Int32Array.from(subsetA).sort();
    const ib = Int32Array.from(subsetsB[s] as number[]).sort();
    let sumXY = 0;
    for (const i of ia) {
      const row = gxy + i * nB;
      for (const j of ib) sumXY += f[row + j] as number;
    }
    return mmd(lowerSum(gxx, nA, ia), lowerSum(gyy, nB, ib), sumXY, m);
  });
}
