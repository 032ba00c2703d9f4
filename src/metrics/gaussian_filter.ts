/**
 * The normalised 1-D Gaussian of scipy.ndimage: taps exp(−x²/2σ²) for |x| ≤ radius =
 * ⌊truncate·σ + 0.5⌋, divided by their sum.
 */
export function gaussianKernel1d(sigma: number, truncate: number): Float64Array {
  const radius = Math.floor(truncate * sigma + 0.5);
  const taps = Float64Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp((-0.5 * (i - radius) ** 2) / (sigma * sigma)),
  );
  const sum = taps.reduce((s, v) => s + v, 0);
  return taps.map((v) => v / sum);
}

/** scipy's 'reflect' boundary (half-sample symmetric: d c b a | a b c d | d c b a), any overshoot. */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - 1 - k;
  return k;
}

/**
 * scipy.ndimage.gaussian_filter(x, sigma, mode='reflect', truncate) of a row-major h×w float64
 * plane: the 1-D kernel along axis 0, then along axis 1, as scipy applies it.
 */
export function gaussianFilter2d(x: Float64Array, h: number, w: number, kernel: Float64Array): Float64Array {
  const r = (kernel.length - 1) / 2;
  const cols = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    const dst = i * w;
    for (let k = 0; k < kernel.length; k++) {
      const src = reflectIndex(i + k - r, h) * w;
      const wk = kernel[k] as number;
      for (let j = 0; j < w; j++) cols[dst + j]! += wk * (x[src + j] as number);
    }
  }
  const out = new Float64Array(h * w);
  const padded = new Float64Array(w + 2 * r);
  for (let i = 0; i < h; i++) {
    const row = i * w;
    for (let j = -r; j < w + r; j++) padded[j + r] = cols[row + reflectIndex(j, w)] as number;
    for (let j = 0; j < w; j++) {
      let s = 0;
      for (let k = 0; k < kernel.length; k++) s += (kernel[k] as number) * (padded[j + k] as number);
      out[row + j] = s;
    }
  }
  return out;
}
