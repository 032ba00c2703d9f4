import { ConfigError } from '../util/index.js';
import { assertInt } from '../util/index.js';
import { assertFeatureValue, readFeatures, readSymmetric, readVector, type FeatureInput } from './features.js';
import { gemmLower, rowMajor } from './linalg/gemm.js';
import { createHeap, type Float64Heap } from './linalg/heap.js';

/** Mean and covariance of a feature distribution, as pytorch-fid stores them (`mu`, `sigma`). */
export interface GaussianStats {
  /** Mean, length d. */
  mu: Float64Array | number[];
  /** Covariance: a row-major Float64Array of d·d values or a d×d `number[][]`. */
  sigma: Float64Array | number[][];
}

/** The JSON form of {@link FeatureStats} (`FeatureStats.toJSON()`); also a valid {@link GaussianStats}. */
export interface FeatureStatsJSON {
  format: 'gancompress-feature-stats';
  version: 1;
  /** Number of feature vectors accumulated. */
  count: number;
  /** Mean, length d. */
  mu: number[];
  /** Unbiased covariance (scatter / (count − 1)); all zeros while count < 2. */
  sigma: number[][];
}

const MAGIC = 0x53464347; // 'GCFS' little-endian
const VERSION = 1;
const HEADER_BYTES = 32;
/** The largest feature dimension: the d×d float64 scatter matrix of 16384² takes 2 GiB. */
const MAX_DIM = 16384;
/** Rows buffered before one rank-k update of the scatter matrix. */
const BUFFER_ROWS = 256;

/**
 * Streaming float64 mean and covariance of feature vectors, the statistics the Fréchet
 * distance compares. Rows are buffered and folded in blocks of 256: each block is centred on
 * its own mean, its scatter matrix added with one symmetric rank-k product (WebAssembly SIMD
 * kernels), and block and running statistics combined with Chan, Golub & LeVeque's pairwise
 * update; means are held relative to the first row, so features far from zero lose no digits.
 * Numerically stable however many rows arrive. Float64 throughout, as torchmetrics recommends
 * (`set_dtype(float64)`); tfjs tensors themselves are float32 at most.
 *
 * Reference statistics are computed once and reused: {@link FeatureStats.toBinary} (exact,
 * compact: the mean and the scatter's lower triangle as float64) or {@link FeatureStats.toJSON}
 * (`{ count, mu, sigma }`, readable from Python).
 *
 * @example
 * ```ts
 * const real = new FeatureStats(2048);
 * real.update(realFeatures); // tf.Tensor2D [n, 2048], e.g. Inception pool3; call once per batch
 * fs.writeFileSync('real-stats.bin', real.toBinary());
 * // later
 * const ref = FeatureStats.fromBinary(fs.readFileSync('real-stats.bin'));
 * console.log(frechetDistance(ref, FeatureStats.fromFeatures(fakeFeatures)));
 * ```
 */
export class FeatureStats {
  /** Feature dimension d. */
  readonly dim: number;
  private n = 0;
  /**
   * Means are kept relative to a fixed shift (the first row seen), so that features far from
   * zero lose no digits: every subtraction and merge works on deviations of the data's own scale.
   */
  private readonly shift: Float64Array;
  private shifted = false;
  /** Mean − shift. */
  private readonly mu: Float64Array;
  private readonly heap: Float64Heap;
  /** Row-major d×d at this heap offset; only the lower triangle (j ≤ i) is maintained. */
  private readonly scatter: number;
  private readonly buffer: number;
  private buffered = 0;

  /**
   * @param dim feature dimension d (2048 for Inception-v3 pool features), at most 16384
   */
  constructor(dim: number) {
    assertInt('dim', dim, 1, MAX_DIM);
    this.dim = dim;
    this.mu = new Float64Array(dim);
    this.shift = new Float64Array(dim);
    this.heap = createHeap(dim * dim + BUFFER_ROWS * dim + dim);
    this.scatter = this.heap.alloc(dim * dim);
    this.buffer = this.heap.alloc(BUFFER_ROWS * dim);
  }

  /**
   * Statistics of one set of features.
   *
   * @param features `[n, d]` tensor or `number[][]` (n ≥ 1)
   * @param argument the name error messages use for `features`
   * @example
   * ```ts
   * const stats = FeatureStats.fromFeatures(tf.randomNormal([500, 64]) as tf.Tensor2D);
   * stats.count; // 500
   * ```
   */
  static fromFeatures(features: FeatureInput, argument = 'features'): FeatureStats {
    const rows = readFeatures(argument, features);
    if (rows.n === 0)
      throw new ConfigError(argument, '0 rows', 'at least one feature vector (the dimension is unknown otherwise)');
    const stats = new FeatureStats(rows.d);
    stats.addRows(rows.data, rows.n);
    return stats;
  }

  /** Number of feature vectors accumulated. */
  get count(): number {
    return this.n + this.buffered;
  }

  /**
   * Adds a batch of feature vectors (rows). Tensors are read (`dataSync`) but not disposed.
   * Throws on NaN/Inf values or a dimension other than `dim`.
   *
   * @example
   * ```ts
   * const stats = new FeatureStats(2);
   * stats.update(tf.tensor2d([[0.1, 0.2], [0.3, 0.4]]));
   * stats.update([[0.5, 0.6]]); // number[][] works too
   * stats.count; // 3
   * ```
   */
  update(features: FeatureInput): this {
    const rows = readFeatures('features', features, this.dim);
    this.addRows(rows.data, rows.n);
    return this;
  }

  /**
   * Adds `n` rows given as one flat row-major array of n·dim values — for instance the
   * Float32Array of `await tensor.data()`, which avoids the blocking `dataSync` of
   * {@link FeatureStats.update} on GPU backends.
   *
   * @example
   * ```ts
   * const stats = new FeatureStats(2048);
   * const feats = model.predict(images) as tf.Tensor2D; // your extractor: [n, 2048]
   * stats.updateRows(await feats.data(), feats.shape[0]);
   * feats.dispose();
   * ```
   */
  updateRows(data: ArrayLike<number>, n: number): this {
    assertInt('n', n, 0);
    const d = this.dim;
    if (data == null || typeof data.length !== 'number') throw new ConfigError('data', data, 'an array of numbers');
    if (data.length !== n * d) throw new ConfigError('data.length', data.length, `n · dim = ${n * d}`);
    for (let k = 0; k < data.length; k++) {
      const v: unknown = data[k];
      const at = `data[${k}] (row ${Math.floor(k / d)}, column ${k % d})`;
      if (typeof v !== 'number') throw new ConfigError(at, v, 'a number');
      assertFeatureValue(at, v);
    }
    this.addRows(data, n);
    return this;
  }

  /** Adds n rows of a row-major array already checked to be finite with `dim` columns. */
  private addRows(data: ArrayLike<number>, n: number): void {
    const f = this.heap.f64;
    const d = this.dim;
    if (n > 0 && !this.shifted) this.setShift(Array.prototype.slice.call(data, 0, d) as number[]);
    const shift = this.shift;
    for (let i = 0; i < n; i++) {
      const dst = this.buffer + this.buffered * d;
      const src = i * d;
      for (let j = 0; j < d; j++) f[dst + j] = (data[src + j] as number) - (shift[j] as number);
      if (++this.buffered === BUFFER_ROWS) this.flush();
    }
  }

  /**
   * Adds the statistics of another set (same `dim`) to this one, as if its rows had been added.
   *
   * @example
   * ```ts
   * const shard0 = FeatureStats.fromFeatures(realFeatures); // e.g. computed by two workers
   * const shard1 = FeatureStats.fromFeatures(fakeFeatures);
   * const all = shard0.merge(shard1); // as if every row had gone into one
   * ```
   */
  merge(other: FeatureStats): this {
    if (!(other instanceof FeatureStats)) throw new ConfigError('other', other, 'a FeatureStats');
    if (other.dim !== this.dim) throw new ConfigError('other.dim', other.dim, `${this.dim} (this.dim)`);
    this.flush();
    other.flush();
    if (other.n === 0) return this;
    if (!this.shifted) this.setShift(other.shift);
    const of = other.heap.f64;
    const otherMean = other.mu.map((v, j) => (other.shift[j] as number) - (this.shift[j] as number) + v);
    this.combine(other.n, otherMean, (i, j) => of[other.scatter + i * this.dim + j] as number);
    return this;
  }

  /**
   * The mean (a copy, length d). Needs at least one vector.
   *
   * @example
   * ```ts
   * const mu = FeatureStats.fromFeatures([[1, 2], [3, 4]]).mean(); // Float64Array [2, 3]
   * ```
   */
  mean(): Float64Array {
    if (this.count === 0)
      throw new ConfigError('FeatureStats.count', 0, 'at least 1 feature vector for a mean (no rows were added)');
    this.flush();
    return this.mu.map((v, j) => (this.shift[j] as number) + v);
  }

  /**
   * The unbiased covariance, scatter / (count − 1), as np.cov(features, rowvar=False): a
   * row-major d×d Float64Array. Needs at least two vectors.
   *
   * @example
   * ```ts
   * const sigma = FeatureStats.fromFeatures([[1, 2], [3, 6]]).covariance(); // [2, 4, 4, 8]: sigma[i * d + j]
   * ```
   */
  covariance(): Float64Array {
    if (this.count < 2)
      throw new ConfigError('FeatureStats.count', this.count, 'at least 2 feature vectors for a covariance');
    return this.scaledScatter(1 / (this.count - 1));
  }

  /**
   * `{ mu, sigma }` (copies) — the form pytorch-fid's .npz statistics take.
   *
   * @example
   * ```ts
   * const { mu, sigma } = FeatureStats.fromFeatures(realFeatures).toGaussian();
   * ```
   */
  toGaussian(): { mu: Float64Array; sigma: Float64Array } {
    return { mu: this.mean(), sigma: this.covariance() };
  }

  /**
   * JSON form: `{ format, version, count, mu, sigma }` with sigma the unbiased covariance (all
   * zeros while count < 2). Needs at least one vector. Exact up to one rounding of the scatter; prefer
   * {@link FeatureStats.toBinary} for large d (2048² numbers as text are ~80 MB).
   *
   * @example
   * ```ts
   * fs.writeFileSync('stats.json', JSON.stringify(FeatureStats.fromFeatures(realFeatures)));
   * const again = FeatureStats.fromJSON(JSON.parse(fs.readFileSync('stats.json', 'utf8')));
   * ```
   */
  toJSON(): FeatureStatsJSON {
    const d = this.dim;
    const sigma = this.scaledScatter(this.count < 2 ? 0 : 1 / (this.count - 1));
    return {
      format: 'gancompress-feature-stats',
      version: VERSION,
      count: this.count,
      mu: Array.from(this.mean()),
      sigma: Array.from({ length: d }, (_, i) => Array.from(sigma.subarray(i * d, (i + 1) * d))),
    };
  }

  /**
   * Rebuilds statistics from {@link FeatureStats.toJSON} output (or any `{ count, mu, sigma }`).
   * `count` must be at least 1; with count 1, `sigma` must be all zeros (one vector has no
   * covariance, and the scatter it would give back is 0 · sigma).
   *
   * @example
   * ```ts
   * // pytorch-fid's .npz statistics, written from Python as JSON:
   * //   json.dump({'count': n, 'mu': mu.tolist(), 'sigma': sigma.tolist()}, f)
   * const stats = FeatureStats.fromJSON(JSON.parse(fs.readFileSync('fid_stats.json', 'utf8')));
   * ```
   */
  static fromJSON(
    json: FeatureStatsJSON | { count: number; mu: Float64Array | number[]; sigma: Float64Array | number[][] },
  ): FeatureStats {
    if (json == null || typeof json !== 'object') throw new ConfigError('json', json, 'an object { count, mu, sigma }');
    assertInt('json.count', json.count, 1, Number.MAX_SAFE_INTEGER);
    const mu = readVector('json.mu', json.mu);
    if (mu.length === 0) throw new ConfigError('json.mu', json.mu, 'a non-empty mean vector');
    const d = mu.length;
    const sigma = readSymmetric('json.sigma', json.sigma, d);
    const scale = json.count - 1;
    if (scale === 0) {
      const k = sigma.findIndex((v) => v !== 0);
      if (k >= 0)
        throw new ConfigError(
          `json.sigma[${Math.floor(k / d)}][${k % d}]`,
          sigma[k],
          '0: a statistic of count 1 has no covariance (toJSON writes zeros), so this sigma would be lost',
        );
    }
    const stats = new FeatureStats(d);
    stats.n = json.count;
    stats.setShift(mu);
    const f = stats.heap.f64;
    for (let i = 0; i < d * d; i++) {
      const v = (sigma[i] as number) * scale;
      if (!Number.isFinite(v))
        throw new ConfigError(
          `json.sigma[${Math.floor(i / d)}][${i % d}]`,
          sigma[i],
          `a covariance whose scatter (× count − 1 = ${scale}) is finite in float64`,
        );
      f[stats.scatter + i] = v;
    }
    return stats;
  }

  /**
   * Compact, exact binary form (little-endian): a 32-byte header ('GCFS', version, d, count),
   * the mean and the lower triangle of the scatter matrix, all float64 — about 4·d² bytes
   * (16.8 MB for d = 2048).
   *
   * @example
   * ```ts
   * fs.writeFileSync('stats.bin', FeatureStats.fromFeatures(realFeatures).toBinary());
   * ```
   */
  toBinary(): Uint8Array {
    this.flush();
    const d = this.dim;
    const bytes = new Uint8Array(HEADER_BYTES + 8 * (d + (d * (d + 1)) / 2));
    const view = new DataView(bytes.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, VERSION, true);
    view.setUint32(8, d, true);
    view.setFloat64(16, this.n, true);
    let offset = HEADER_BYTES;
    const mean = this.mean();
    for (let i = 0; i < d; i++, offset += 8) view.setFloat64(offset, mean[i] as number, true);
    const f = this.heap.f64;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++, offset += 8) view.setFloat64(offset, f[this.scatter + i * d + j] as number, true);
    }
    return bytes;
  }

  /**
   * Reads {@link FeatureStats.toBinary} output (a Uint8Array, Node Buffer or ArrayBuffer).
   *
   * @example
   * ```ts
   * const stats = FeatureStats.fromBinary(await (await fetch('stats.bin')).arrayBuffer());
   * ```
   */
  static fromBinary(data: Uint8Array | ArrayBuffer): FeatureStats {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : null;
    if (bytes == null)
      throw new ConfigError('data', data, 'a Uint8Array or ArrayBuffer written by FeatureStats.toBinary()');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < HEADER_BYTES || view.getUint32(0, true) !== MAGIC) {
      throw new ConfigError('data', `${bytes.byteLength} bytes`, "FeatureStats binary data starting with 'GCFS'");
    }
    const version = view.getUint32(4, true);
    if (version !== VERSION) throw new ConfigError('data version', version, `${VERSION}`);
    const d = view.getUint32(8, true);
    const expected = HEADER_BYTES + 8 * (d + (d * (d + 1)) / 2);
    if (d < 1 || bytes.byteLength !== expected)
      throw new ConfigError('data', `${bytes.byteLength} bytes`, `${expected} bytes for dimension ${d}`);
    const count = view.getFloat64(16, true);
    if (!Number.isSafeInteger(count) || count < 0)
      throw new ConfigError('data count', count, 'a non-negative integer (the header is damaged)');
    const stats = new FeatureStats(d);
    stats.n = count;
    let offset = HEADER_BYTES;
    const mean = new Float64Array(d);
    for (let i = 0; i < d; i++, offset += 8) {
      mean[i] = view.getFloat64(offset, true);
      assertFeatureValue(`data mean[${i}]`, mean[i] as number);
    }
    stats.setShift(mean);
    const f = stats.heap.f64;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++, offset += 8) {
        const v = view.getFloat64(offset, true);
        if (!Number.isFinite(v)) throw new ConfigError(`data scatter[${i}][${j}]`, v, 'a finite number');
        f[stats.scatter + i * d + j] = v;
      }
    }
    return stats;
  }

  /** Folds the buffered rows into the running statistics. */
  private flush(): void {
    const b = this.buffered;
    if (b === 0) return;
    this.buffered = 0;
    const h = this.heap;
    const f = h.f64;
    const d = this.dim;
    const batchMean = new Float64Array(d);
    for (let i = 0; i < b; i++) for (let j = 0; j < d; j++) batchMean[j]! += f[this.buffer + i * d + j] as number;
    for (let j = 0; j < d; j++) batchMean[j] = (batchMean[j] as number) / b;
    for (let i = 0; i < b; i++) for (let j = 0; j < d; j++) f[this.buffer + i * d + j]! -= batchMean[j] as number;
    // Scatters add, so the centred block's Xcᵀ·Xc goes straight into the running scatter;
    // combine() then adds the between-means term.
    const Xt = { off: this.buffer, rs: 1, cs: d }; // d×b view of the row-major b×d block
    gemmLower(h, d, b, 1, Xt, Xt, rowMajor(this.scatter, d));
    this.combine(b, batchMean, null);
  }

  /**
   * Chan et al.'s update with a second set of `m` rows, mean `mean2` (relative to the shift) and scatter `scatter2`
   * (already added to the scatter when null): M ← M + M₂ + δδᵀ·n·m/(n + m), μ ← μ + δ·m/(n + m).
   */
  private combine(m: number, mean2: Float64Array, scatter2: ((i: number, j: number) => number) | null): void {
    if (m === 0) return;
    const f = this.heap.f64;
    const d = this.dim;
    const n = this.n;
    const total = n + m;
    const delta = new Float64Array(d);
    for (let j = 0; j < d; j++) delta[j] = (mean2[j] as number) - (this.mu[j] as number);
    const w = (n * m) / total;
    for (let i = 0; i < d; i++) {
      const row = this.scatter + i * d;
      const di = (delta[i] as number) * w;
      for (let j = 0; j <= i; j++) f[row + j]! += di * (delta[j] as number) + (scatter2 ? scatter2(i, j) : 0);
    }
    for (let j = 0; j < d; j++) this.mu[j] = (this.mu[j] as number) + ((delta[j] as number) * m) / total;
    this.n = total;
  }

  /** Fixes the shift; the relative mean is then 0 (callers set it before any row is folded in). */
  private setShift(values: ArrayLike<number>): void {
    for (let j = 0; j < this.dim; j++) this.shift[j] = values[j] as number;
    this.mu.fill(0);
    this.shifted = true;
  }

  /** scale · scatter as a full symmetric row-major matrix. */
  private scaledScatter(scale: number): Float64Array {
    this.flush();
    const d = this.dim;
    const f = this.heap.f64;
    const out = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        const v = (f[this.scatter + i * d + j] as number) * scale;
        out[i * d + j] = v;
        out[j * d + i] = v;
      }
    }
    return out;
  }
}
