import * as tf from '@tensorflow/tfjs-core';
import { assertCoefficients, assertHaarInput } from './checks.js';
import { runHaarKernel } from './haar_kernels.js';
import { haarAnalysis, haarSynthesis } from './haar_transform.js';

// The forward pass is the current backend's one-pass kernel where it has one (cpu, wasm), else a
// whole-tensor composition of tfjs ops. The transform is orthonormal, so the gradient of each
// direction is the other direction applied to dy. Stating it with customGrad keeps backprop as
// cheap as the forward pass, on either path, and independent of which kernels have registered
// gradients on the current backend.
const dwtWithGradient: (x: tf.Tensor4D) => tf.Tensor4D = tf.customGrad(
  (...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: runHaarKernel('analysis', inputs[0] as tf.Tensor4D) ?? haarAnalysis(inputs[0] as tf.Tensor4D),
    gradFunc: (dy: tf.Tensor4D): tf.Tensor4D => idwtWithGradient(dy),
  }),
);

const idwtWithGradient: (y: tf.Tensor4D) => tf.Tensor4D = tf.customGrad(
  (...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: runHaarKernel('synthesis', inputs[0] as tf.Tensor4D) ?? haarSynthesis(inputs[0] as tf.Tensor4D),
    gradFunc: (dx: tf.Tensor4D): tf.Tensor4D => dwtWithGradient(dx),
  }),
);

/**
 * One level of the orthonormal 2-D Haar DWT (pywt's `dwt2(x, 'haar')` on the H and W axes), on
 * every channel of an NHWC tensor.
 *
 * Output channels are band-major `[LL | LH | HL | HH]`, C channels each; for the 2×2 block
 * `x00 x01 / x10 x11` of a channel:
 *
 * - LL = ½(x00 + x01 + x10 + x11) — pywt `cA`
 * - LH = ½(x00 + x01 − x10 − x11) — pywt `cH` (high-pass along the height)
 * - HL = ½(x00 − x01 + x10 − x11) — pywt `cV`
 * - HH = ½(x00 − x01 − x10 + x11) — pywt `cD`
 *
 * Energy is preserved and {@link haarIdwt} inverts it exactly. Differentiable (the gradient is the
 * inverse transform of the incoming gradient).
 *
 * @param x `[N, H, W, C]` with even H and W.
 * @returns `[N, H/2, W/2, 4C]`.
 * @throws {@link ShapeError} when `x` is not rank 4 or H or W is odd.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([1, 64, 64, 3]) as tf.Tensor4D;
 * const y = haarDwt(x);                 // [1, 32, 32, 12]
 * const ll = tf.slice(y, [0, 0, 0, 0], [-1, -1, -1, 3]);
 * ```
 */
export function haarDwt(x: tf.Tensor4D): tf.Tensor4D {
  assertHaarInput('x', x);
  return dwtWithGradient(x);
}

/**
 * Inverse of {@link haarDwt}: band-major coefficients `[LL | LH | HL | HH]` back to the image
 * (pywt's `idwt2(..., 'haar')`). For the coefficients of one position:
 *
 * - x00 = ½(LL + LH + HL + HH), x01 = ½(LL + LH − HL − HH)
 * - x10 = ½(LL − LH + HL − HH), x11 = ½(LL − LH − HL + HH)
 *
 * This is MobileStyleGAN's upsampling operator (4C channels at h×w → C channels at 2h×2w).
 * Differentiable.
 *
 * @param y `[N, h, w, 4C]`.
 * @returns `[N, 2h, 2w, C]`.
 * @throws {@link ShapeError} when `y` is not rank 4 or its channel count is not a multiple of 4.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([2, 8, 8, 5]) as tf.Tensor4D;
 * const back = haarIdwt(haarDwt(x)); // equals x up to float rounding
 * ```
 */
export function haarIdwt(y: tf.Tensor4D): tf.Tensor4D {
  assertCoefficients('y', y);
  return idwtWithGradient(y);
}
