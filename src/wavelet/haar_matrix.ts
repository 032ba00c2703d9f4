/**
 * The orthonormal 2-D Haar transform of one 2×2 block as a 4×4 matrix: row `b` gives band `b`
 * (LL, LH = pywt cH, HL = pywt cV, HH = pywt cD) from the phases `p = 2·dy + dx`
 * (x00, x01, x10, x11), with the ±½ signs of pywt's 'haar' (mobilestylegan.md §1.2).
 * The matrix is symmetric and its own inverse, so synthesis uses it unchanged.
 */
export const HAAR_MATRIX: readonly (readonly number[])[] = [
  [0.5, 0.5, 0.5, 0.5],
  [0.5, 0.5, -0.5, -0.5],
  [0.5, -0.5, 0.5, -0.5],
  [0.5, -0.5, -0.5, 0.5],
];

/** Row-major copy of {@link HAAR_MATRIX}. */
export function haarMatrixValues(): Float32Array {
  return Float32Array.from(HAAR_MATRIX.flat());
}
