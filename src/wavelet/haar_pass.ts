/*
 * The Haar transform as one pass over memory, shared by the per-backend kernels. Both directions
 * apply the same symmetric 4×4 matrix (haar_matrix.ts) to 4 runs of C values and write 4 runs of
 * C values, block after block; only where the runs sit differs:
 *
 * - image side, [N, 2h, 2w, C]: the phases x00, x01, x10, x11 of block (i, j) start at
 *   0, C, W·C, W·C + C from the block's first element; blocks are 2C apart along a row, and
 *   after a row of blocks the odd image row is skipped.
 * - band side, [N, h, w, 4C]: LL, LH, HL, HH of a position are 0, C, 2C, 3C apart; positions
 *   are 4C apart and rows follow each other.
 *
 * The analysis reads the image side and writes the band side; the synthesis the reverse.
 */

/** Which way a pass goes: image → bands (DWT) or bands → image (IDWT). */
export type HaarDirection = 'analysis' | 'synthesis';

/** Where the four runs of one block sit, in elements. */
export interface HaarSide {
  /** Offsets of the four runs from the block's first element (the first is 0). */
  offsets: readonly [0, number, number, number];
  /** Distance between consecutive blocks of a row. */
  step: number;
  /** Extra distance after each row of blocks. */
  skip: number;
}

/** One pass: `rows × cols` blocks of 4 runs of `channels` values each. */
export interface HaarPass {
  rows: number;
  cols: number;
  channels: number;
  src: HaarSide;
  dst: HaarSide;
  /** Shape of the result. */
  outShape: [number, number, number, number];
}

/** The pass that transforms an NHWC tensor of `shape` in `direction` (shapes already checked). */
export function haarPass(direction: HaarDirection, shape: readonly number[]): HaarPass {
  const [n, hh, ww, cc] = shape as [number, number, number, number];
  const analysis = direction === 'analysis';
  const [h, w, c] = analysis ? [hh / 2, ww / 2, cc] : [hh, ww, cc / 4];
  const row = 2 * w * c;
  const image: HaarSide = { offsets: [0, c, row, row + c], step: 2 * c, skip: row };
  const bands: HaarSide = { offsets: [0, c, 2 * c, 3 * c], step: 4 * c, skip: 0 };
  return analysis
    ? { rows: n * h, cols: w, channels: c, src: image, dst: bands, outShape: [n, h, w, 4 * c] }
    : { rows: n * h, cols: w, channels: c, src: bands, dst: image, outShape: [n, 2 * h, 2 * w, c] };
}

/**
 * Runs `pass` from `src` (starting at element `srcBase`) into `dst` (at `dstBase`). The four
 * terms are summed in order in float64 and rounded once, ½((a ± b) ± c) ± d — the arithmetic of
 * the cpu backend's matrix product, so the result equals the whole-tensor formulation's bit for
 * bit there.
 */
export function haarLoop(src: Float32Array, srcBase: number, dst: Float32Array, dstBase: number, pass: HaarPass): void {
  const { rows, cols, channels: c } = pass;
  const [, s1, s2, s3] = pass.src.offsets;
  const [, d1, d2, d3] = pass.dst.offsets;
  const { step: sStep, skip: sSkip } = pass.src;
  const { step: dStep, skip: dSkip } = pass.dst;
  let s = srcBase;
  let d = dstBase;
  for (let r = 0; r < rows; r++, s += sSkip, d += dSkip) {
    for (let j = 0; j < cols; j++, s += sStep, d += dStep) {
      for (let k = 0; k < c; k++) {
        const a = src[s + k] as number;
        const b = src[s + s1 + k] as number;
        const e = src[s + s2 + k] as number;
        const f = src[s + s3 + k] as number;
        const sum = a + b;
        const diff = a - b;
        dst[d + k] = 0.5 * (sum + e + f);
        dst[d + d1 + k] = 0.5 * (sum - e - f);
        dst[d + d2 + k] = 0.5 * (diff + e - f);
        dst[d + d3 + k] = 0.5 * (diff - e + f);
      }
    }
  }
}
