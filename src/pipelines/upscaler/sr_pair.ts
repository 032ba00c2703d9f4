import * as tf from '@tensorflow/tfjs-core';
import { assertImages, resizeBicubic } from '../../image/index.js';
import { ShapeError, assertInt } from '../../util/index.js';

/** A high-resolution image and its low-resolution version, both RGB in [0, 1]. */
export interface SrPair {
  /** `[h, w, 3]`: the high-resolution image divided by `scale`, as 8-bit levels. */
  lr: tf.Tensor3D;
  /** `[h·scale, w·scale, 3]`: the high-resolution image, cropped to a multiple of `scale`. */
  hr: tf.Tensor3D;
}

/**
 * The super-resolution pair of a photo, made as SR benchmarks make it: the image cropped to a multiple of `scale`
 * (top-left kept), then an antialiased bicubic downscale (PIL's `Image.resize(…, BICUBIC)`, which
 * `resizeBicubic` equals) rounded to 8-bit levels, as a saved low-resolution image would be. New tensors; the
 * caller's image is left alone.
 *
 * @param image `[H, W, 3]` RGB in [0, 1]
 * @param scale the up-sampling factor (an integer ≥ 2)
 * @example
 * ```ts
 * const { lr, hr } = superResolutionPair(tf.randomUniform([130, 100, 3]) as tf.Tensor3D, 4); // lr [32, 25, 3]
 * ```
 */
export function superResolutionPair(image: tf.Tensor3D, scale: number): SrPair {
  assertImages('image', image, 3);
  if (image.rank !== 3) throw new ShapeError('image', image.shape, '[H, W, 3] (one image)');
  assertInt('scale', scale, 2);
  const [height, width] = image.shape;
  const h = Math.floor(height / scale);
  const w = Math.floor(width / scale);
  if (h < 1 || w < 1) throw new ShapeError('image', image.shape, `an image of at least ${scale}×${scale} pixels`);
  return tf.tidy(() => {
    const hr = tf.slice(image, [0, 0, 0], [h * scale, w * scale, 3]);
    const lr = tf.div(tf.round(resizeBicubic(tf.mul(hr, 255), [h, w], { clamp: [0, 255] })), 255);
    return { lr: lr as tf.Tensor3D, hr };
  });
}

/**
 * The centred `size × size` crop of an image (`[H, W, C]`), new tensor. Throws a `ShapeError` when the image is
 * smaller.
 *
 * @example
 * ```ts
 * const photo = tf.randomUniform([480, 640, 3]) as tf.Tensor3D;
 * const test = centreCrop(photo, 256); // SR evaluation on 256×256 centre crops
 * ```
 */
export function centreCrop(image: tf.Tensor3D, size: number): tf.Tensor3D {
  assertInt('size', size, 1);
  if (!(image instanceof tf.Tensor) || image.rank !== 3)
    throw new ShapeError('image', image instanceof tf.Tensor ? image.shape : [], '[H, W, C]');
  const [h, w, c] = image.shape;
  if (h < size || w < size) throw new ShapeError('image', image.shape, `an image of at least ${size}×${size}`);
  return tf.slice(image, [Math.floor((h - size) / 2), Math.floor((w - size) / 2), 0], [size, size, c]);
}
