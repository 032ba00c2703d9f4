/*
 * Instance normalisation (+ ReLU) of an NHWC batch as three passes over memory, and its
 * gradient as two, in JavaScript over typed arrays: the cpu backend's kernels, and the wasm
 * backend's where WebAssembly SIMD is unavailable (over views of the wasm heap). Sums are
 * accumulated in float64.
 *
 * For sample b and channel c over its N = H·W pixels:
 *   μ = mean x, r = 1 / sqrt(mean (x − μ)² + ε), x̂ = (x − μ)·r, z = γ·x̂ + β, y = act(z).
 * The gradient, with dz = dy (·[y > 0] for ReLU), S₁ = Σ dz and S₂ = Σ dz·x̂ over the pixels:
 *   dβ = Σ_b S₁, dγ = Σ_b S₂, dx = r·γ·(dz − S₁/N − x̂·S₂/N).
 */

/** How a kernel reads an NHWC tensor: `batch` samples of `pixels` pixels of `channels` values. */
export interface NormShape {
  batch: number;
  pixels: number;
  channels: number;
}

/**
 * The values the gradient needs, per sample: `[B, 3, C]` rows μ, r and γ (1 without affine).
 * The forward kernel returns them as its second output.
 */
export const STATS_ROWS = 3;

/** A float32 array and the element offset a tensor starts at (a view of the wasm heap, or a whole array). */
export interface At {
  a: Float32Array;
  o: number;
}

/** μ and r of every (sample, channel), and γ, into `stats` ([B, 3, C] at `stats.o`). */
export function normStats(x: At, s: NormShape, epsilon: number, gamma: Float32Array | null, stats: At): void {
  const { batch, pixels: n, channels: c } = s;
  const sum = new Float64Array(c);
  for (let b = 0; b < batch; b++) {
    const base = x.o + b * n * c;
    sum.fill(0);
    for (let p = 0; p < n; p++) {
      const at = base + p * c;
      for (let k = 0; k < c; k++) sum[k]! += x.a[at + k] as number;
    }
    const mean = sum.map((v) => v / n);
    sum.fill(0);
    for (let p = 0; p < n; p++) {
      const at = base + p * c;
      for (let k = 0; k < c; k++) {
        const d = (x.a[at + k] as number) - (mean[k] as number);
        sum[k]! += d * d;
      }
    }
    const row = stats.o + b * STATS_ROWS * c;
    for (let k = 0; k < c; k++) {
      stats.a[row + k] = mean[k] as number;
      stats.a[row + c + k] = 1 / Math.sqrt((sum[k] as number) / n + epsilon);
      stats.a[row + 2 * c + k] = gamma == null ? 1 : (gamma[k] as number);
    }
  }
}

/** y = act((x − μ)·r·γ + β) with the stats of {@link normStats}. */
export function normApply(x: At, s: NormShape, stats: At, beta: Float32Array | null, relu: boolean, y: At): void {
  const { batch, pixels: n, channels: c } = s;
  const scale = new Float32Array(c);
  for (let b = 0; b < batch; b++) {
    const row = stats.o + b * STATS_ROWS * c;
    const mean = stats.a.subarray(row, row + c);
    for (let k = 0; k < c; k++) scale[k] = (stats.a[row + c + k] as number) * (stats.a[row + 2 * c + k] as number);
    const base = b * n * c;
    for (let p = 0; p < n; p++) {
      const at = base + p * c;
      for (let k = 0; k < c; k++) {
        const z = ((x.a[x.o + at + k] as number) - (mean[k] as number)) * (scale[k] as number) + (beta?.[k] ?? 0);
        y.a[y.o + at + k] = relu && !(z > 0) && !Number.isNaN(z) ? 0 : z;
      }
    }
  }
}

/**
 * dx (into `dx`), and Σ_b S₂ and Σ_b S₁ (dγ and dβ, into `dgamma` and `dbeta`, each `[C]`,
 * overwritten).
 */
export function normGradient(
  dy: At,
  x: At,
  y: At,
  s: NormShape,
  stats: At,
  relu: boolean,
  dx: At,
  dgamma: Float32Array,
  dbeta: Float32Array,
): void {
  const { batch, pixels: n, channels: c } = s;
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  const g1 = new Float64Array(c);
  const g2 = new Float64Array(c);
  const dz = (at: number): number => (relu && !((y.a[y.o + at] as number) > 0) ? 0 : (dy.a[dy.o + at] as number));
  for (let b = 0; b < batch; b++) {
    const row = stats.o + b * STATS_ROWS * c;
    const base = b * n * c;
    s1.fill(0);
    s2.fill(0);
    for (let p = 0; p < n; p++) {
      const at = base + p * c;
      for (let k = 0; k < c; k++) {
        const g = dz(at + k);
        const xhat = ((x.a[x.o + at + k] as number) - (stats.a[row + k] as number)) * (stats.a[row + c + k] as number);
        s1[k]! += g;
        s2[k]! += g * xhat;
      }
    }
    for (let k = 0; k < c; k++) {
      g1[k]! += s1[k] as number;
      g2[k]! += s2[k] as number;
    }
    for (let p = 0; p < n; p++) {
      const at = base + p * c;
      for (let k = 0; k < c; k++) {
        const mean = stats.a[row + k] as number;
        const r = stats.a[row + c + k] as number;
        const xhat = ((x.a[x.o + at + k] as number) - mean) * r;
        const coef = r * (stats.a[row + 2 * c + k] as number);
        dx.a[dx.o + at + k] = coef * (dz(at + k) - (s1[k] as number) / n - (xhat * (s2[k] as number)) / n);
      }
    }
  }
  dgamma.set(g2);
  dbeta.set(g1);
}
