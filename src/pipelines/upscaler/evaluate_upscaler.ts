import * as tf from '@tensorflow/tfjs-core';
import { superResolutionScores, type SuperResolutionScore } from '../../metrics/index.js';
import { ConfigError, assertNonEmptyArray } from '../../util/index.js';
import type { SrPair } from './sr_pair.js';

/** Scores of an upscaler on a set of images. */
export interface UpscalerScores {
  /** Per image, against the ground truth. */
  images: SuperResolutionScore[];
  /** Mean Y-PSNR against the ground truth (dB). */
  psnr: number;
  /** Mean SSIM against the ground truth. */
  ssim: number;
  /** Mean Y-PSNR against the reference outputs (e.g. the teacher's), when given. */
  psnrToReference: number | null;
}

/**
 * Scores an upscaler (any function low-resolution [0, 1] → high-resolution [0, 1]) on SR pairs with
 * `superResolutionScores` (Y channel, border shaved, prediction rounded to 8 bits): mean Y-PSNR and SSIM against the
 * ground truth and, given `references` (one per pair: another model's outputs), the mean Y-PSNR against them.
 * Each image runs alone (sizes may differ). Nothing it creates outlives it.
 *
 * @example
 * ```ts
 * const thick: UpscalerModel = { model: teacher, scale: 4, inputRange: [0, 1], outputRange: [0, 1] }; // see upscale
 * const testPairs = [superResolutionPair(tf.randomUniform([128, 128, 3]) as tf.Tensor3D, 4)];
 * const scores = evaluateUpscaler((lr) => upscale(thick, lr), testPairs, { border: 2 });
 * console.log(scores.psnr.toFixed(2)); // mean Y-PSNR in dB
 * ```
 */
export function evaluateUpscaler(
  run: (lr: tf.Tensor4D) => tf.Tensor4D,
  pairs: readonly SrPair[],
  options: { border?: number; references?: readonly tf.Tensor3D[] } = {},
): UpscalerScores {
  if (typeof run !== 'function') throw new ConfigError('run', run, 'a function lr → sr');
  assertNonEmptyArray('pairs', pairs, '{ lr, hr }');
  const references = options.references;
  if (references != null && references.length !== pairs.length)
    throw new ConfigError('options.references', `${references.length} images`, `${pairs.length}, one per pair`);
  const images: SuperResolutionScore[] = [];
  const toReference: number[] = [];
  pairs.forEach((pair, i) => {
    const sr = tf.tidy(() => tf.squeeze<tf.Tensor3D>(run(tf.expandDims<tf.Tensor4D>(pair.lr, 0)), [0]));
    try {
      images.push(superResolutionScores(sr, pair.hr, { border: options.border ?? 2 })[0] as SuperResolutionScore);
      const ref = references?.[i];
      if (ref != null)
        toReference.push(
          (superResolutionScores(sr, ref, { border: options.border ?? 2 })[0] as SuperResolutionScore).psnr,
        );
    } finally {
      sr.dispose();
    }
  });
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    images,
    psnr: mean(images.map((s) => s.psnr)),
    ssim: mean(images.map((s) => s.ssim)),
    psnrToReference: toReference.length > 0 ? mean(toReference) : null,
  };
}
