import * as tf from '@tensorflow/tfjs-core';
import { rgbToY } from '../image/index.js';
import { ConfigError, ShapeError, assertInt } from '../util/index.js';
import { psnr } from './psnr.js';
import { ssim } from './ssim.js';

/** Options of {@link superResolutionScores}. */
export interface SuperResolutionScoreOptions {
  /** Pixels shaved from every side before scoring (SR papers shave the scale or a few pixels). Default 2. */
  border?: number;
  /**
   * Round the prediction to 8-bit levels (after clipping to [0, 1]) before scoring, as an upscaler's output is
   * when saved or shown. Default true.
   */
  quantize?: boolean;
}

/** Y-channel PSNR and SSIM of one image. */
export interface SuperResolutionScore {
  /** dB on the Y channel (BT.601 studio swing, 0–255 scale); Infinity for identical images. */
  psnr: number;
  /** SSIM on the Y channel (skimage's Gaussian-window SSIM, data range 255). */
  ssim: number;
}

/**
 * How super-resolution papers score an upscaler: the prediction and the reference (RGB in [0, 1]) are converted to
 * the Y of YCbCr (BT.601 studio swing, as MATLAB's `rgb2ycbcr`), a border is shaved, and Y-PSNR and SSIM are taken
 * per image on the 0–255 scale. The prediction is first clipped to [0, 1] and rounded to 8-bit levels (what a
 * saved image holds); the reference is used as given. Returns one score per image of the batch.
 *
 * @param prediction `[H, W, 3]` or `[N, H, W, 3]`, RGB in [0, 1]
 * @param reference the same shape: the ground truth, or another model's output for "PSNR against the teacher"
 * @example
 * ```ts
 * const [score] = superResolutionScores(fakeImages, realImages, { border: 2 }); // { psnr: 26.3, ssim: 0.81 }
 * ```
 */
export function superResolutionScores(
  prediction: tf.Tensor3D | tf.Tensor4D,
  reference: tf.Tensor3D | tf.Tensor4D,
  options: SuperResolutionScoreOptions = {},
): SuperResolutionScore[] {
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, '{ border?, quantize? }');
  for (const key of Object.keys(options))
    if (key !== 'border' && key !== 'quantize')
      throw new ConfigError(
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        'no such option (border, quantize)',
      );
  const border = options.border ?? 2;
  const quantize = options.quantize ?? true;
  assertInt('options.border', border, 0);
  if (typeof quantize !== 'boolean') throw new ConfigError('options.quantize', quantize, 'true or false');
  for (const [name, x] of [
    ['prediction', prediction],
    ['reference', reference],
  ] as const) {
    if (!(x instanceof tf.Tensor) || (x.rank !== 3 && x.rank !== 4) || x.shape[x.rank - 1] !== 3)
      throw new ShapeError(name, x instanceof tf.Tensor ? x.shape : [], '[H, W, 3] or [N, H, W, 3] RGB');
  }
  if (prediction.shape.join() !== reference.shape.join())
    throw new ShapeError('reference', reference.shape, `[${prediction.shape.join(', ')}], the prediction's shape`);
  const [h, w] = prediction.rank === 3 ? prediction.shape : prediction.shape.slice(1);
  if ((h as number) - 2 * border < 11 || (w as number) - 2 * border < 11)
    throw new ShapeError(
      'prediction',
      prediction.shape,
      `images of at least ${11 + 2 * border}² (border ${border} and SSIM's 11×11 window)`,
    );
  const [yp, yr] = tf.tidy((): [tf.Tensor4D, tf.Tensor4D] => {
    const batch = (x: tf.Tensor): tf.Tensor4D => (x.rank === 3 ? tf.expandDims<tf.Tensor4D>(x, 0) : (x as tf.Tensor4D));
    let p = batch(prediction);
    if (quantize) p = tf.div(tf.round(tf.mul(tf.clipByValue(p, 0, 1), 255)), 255);
    const shave = (y: tf.Tensor4D): tf.Tensor4D =>
      tf.slice(y, [0, border, border, 0], [-1, (h as number) - 2 * border, (w as number) - 2 * border, 1]);
    return [tf.mul(shave(rgbToY(p, { range: 1 })), 255), tf.mul(shave(rgbToY(batch(reference), { range: 1 })), 255)];
  });
  try {
    const n = yp.shape[0];
    const scores: SuperResolutionScore[] = [];
    for (let i = 0; i < n; i++) {
      const [a, b] = tf.tidy((): [tf.Tensor4D, tf.Tensor4D] => [tf.slice(yr, [i], [1]), tf.slice(yp, [i], [1])]);
      scores.push({ psnr: psnr(a, b, 255), ssim: ssim(a, b, { maxVal: 255 }) });
      tf.dispose([a, b]);
    }
    return scores;
  } finally {
    tf.dispose([yp, yr]);
  }
}
