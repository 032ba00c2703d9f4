import * as tf from '@tensorflow/tfjs-core';
import { assertKnownKeys, assertOneOf, assertRank, ConfigError } from '../util/index.js';
import { haarDwt } from './haar.js';
import { assertLevels } from './wavedec.js';

/** How {@link waveletPyramid} makes each coarser image. */
export type PyramidResize = 'haar' | 'bilinear';

const RESIZES: readonly PyramidResize[] = ['haar', 'bilinear'];

/** Options of {@link waveletPyramid}. */
export interface WaveletPyramidOptions {
  /**
   * - `'haar'` (default): each level is the exact Haar low-pass of the one above, LL/2 — the
   *   2×2 block mean — so a level's LL band is twice the next level's image.
   * - `'bilinear'`: each level is the *original* image resized bilinearly with
   *   `alignCorners = true`, as MobileStyleGAN's distillation loss builds its targets
   *   (`F.interpolate(img, size, mode='bilinear', align_corners=True)`).
   */
  resize?: PyramidResize;
}

/** One scale of a {@link waveletPyramid}. */
export interface WaveletPyramidLevel {
  /** The image at this scale, `[N, H/2^k, W/2^k, C]`. */
  image: tf.Tensor4D;
  /** `haarDwt(image)`, `[N, H/2^(k+1), W/2^(k+1), 4C]`, band-major `[LL | LH | HL | HH]`. */
  coeffs: tf.Tensor4D;
}

/**
 * The targets of a multi-scale wavelet loss: for each scale `k = 0 … levels−1` (finest first), the
 * image at size `H/2^k × W/2^k` and its Haar coefficients. Level 0 is the input itself.
 *
 * MobileStyleGAN compares its student's wavelet outputs `freq_k` (and their IDWTs) against
 * `coeffs` (and `image`) of the teacher's image at the matching scale; pass
 * `{ resize: 'bilinear' }` to reproduce its targets exactly. Differentiable.
 *
 * @param image `[N, H, W, C]` with H and W divisible by `2^levels` (every level's DWT needs even sizes).
 * @param levels number of scales, ≥ 1.
 * @throws {@link ShapeError} when the sizes do not allow `levels` scales;
 *   {@link ConfigError} for a bad `levels` or `resize`.
 *
 * @example
 * ```ts
 * const teacher = tf.randomNormal([2, 256, 256, 3]) as tf.Tensor4D;
 * const targets = waveletPyramid(teacher, 4, { resize: 'bilinear' });
 * targets.map((t) => t.coeffs.shape); // [2,128,128,12], [2,64,64,12], [2,32,32,12], [2,16,16,12]
 * ```
 */
export function waveletPyramid(
  image: tf.Tensor4D,
  levels: number,
  options: WaveletPyramidOptions = {},
): WaveletPyramidLevel[] {
  assertRank('image', image, 4);
  assertLevels('image', image, levels);
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, "an object { resize?: 'haar' | 'bilinear' }");
  assertKnownKeys('options', options as Record<string, unknown>, ['resize'], 'an option of waveletPyramid');
  const resize = options.resize ?? 'haar';
  assertOneOf('options.resize', resize, RESIZES);
  const [, h, w] = image.shape;
  // tidy keeps every tensor inside the returned array of levels.
  return tf.tidy(() => {
    const out: WaveletPyramidLevel[] = [];
    let current = image;
    for (let k = 0; k < levels; k++) {
      if (k > 0) {
        // LL/2 of the level above is the mean of each 2×2 block.
        current =
          resize === 'haar'
            ? tf.avgPool(current, 2, 2, 'valid')
            : tf.image.resizeBilinear(image, [h / 2 ** k, w / 2 ** k], true);
      }
      // Level 0 is a copy, so that every level can be disposed alike.
      out.push({ image: k === 0 ? tf.clone(image) : current, coeffs: haarDwt(current) });
    }
    return out as unknown as tf.TensorContainer;
  }) as unknown as WaveletPyramidLevel[];
}
