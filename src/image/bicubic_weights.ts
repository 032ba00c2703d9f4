/** Keys' cubic convolution parameter used by PIL (`BICUBIC`), TensorFlow's `keyscubic` and MATLAB. */
const A = -0.5;

/** The kernel's support in input pixels (half-width) before any antialiasing stretch. */
export const CUBIC_SUPPORT = 2;

/**
 * Keys' cubic convolution kernel with a = −0.5 (Keys 1981):
 * (a+2)|x|³ − (a+3)|x|² + 1 on |x| < 1, a|x|³ − 5a|x|² + 8a|x| − 4a on 1 ≤ |x| < 2, else 0.
 * Interpolating (1 at 0, 0 at the other integers) and exact for polynomials up to degree 2.
 */
export function cubicKernel(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * A;
  return 0;
}

// Weight matrices are pure functions of (in, out, antialias); a handful of sizes recur in a run
// (crops, their low-resolution versions), so the last few are kept. Arrays, not tensors: they
// belong to no backend and no tidy scope.
const CACHE_LIMIT = 32;
const cache = new Map<string, Float32Array>();

/**
 * The `[outSize, inSize]` row-major matrix of one 1-D resampling pass, as PIL computes it
 * (`precompute_coeffs` in libImaging/Resample.c): output pixel o has its centre at
 * c = (o + ½)·inSize/outSize in input coordinates (pixel i spans [i, i+1)); with
 * s = max(inSize/outSize, 1) when antialiasing a downscale and s = 1 otherwise, its weights are
 * cubicKernel((i + ½ − c)/s) over the input pixels inside the image, divided by their sum. Taps
 * that would fall outside the image are dropped and the rest renormalised, so rows sum to 1.
 *
 * The returned array is shared between calls: do not modify it.
 */
export function bicubicWeights(inSize: number, outSize: number, antialias: boolean): Float32Array {
  const key = `${inSize}:${outSize}:${antialias ? 1 : 0}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const scale = inSize / outSize;
  const stretch = antialias ? Math.max(scale, 1) : 1;
  const support = CUBIC_SUPPORT * stretch;
  const weights = new Float32Array(outSize * inSize);
  const row = new Float64Array(inSize);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const first = Math.max(0, Math.floor(centre - support));
    const last = Math.min(inSize - 1, Math.ceil(centre + support));
    let sum = 0;
    for (let i = first; i <= last; i++) {
      const w = cubicKernel((i + 0.5 - centre) / stretch);
      row[i] = w;
      sum += w;
    }
    // sum > 0: the positive lobe dominates (the negative weights come to at most 0.135 of the
    // sum over all sizes, see tests/image/bicubic_weights.test.ts).
    for (let i = first; i <= last; i++) weights[o * inSize + i] = (row[i] as number) / sum;
  }
  cache.set(key, weights);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return weights;
}
