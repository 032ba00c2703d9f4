import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, assertInt } from '../../util/index.js';

/** A pretrained upscaler and the pixel ranges it works in (what an UpscalerJS model definition declares). */
export interface UpscalerModel {
  model: tfl.LayersModel;
  /** Up-sampling factor. */
  scale: number;
  /** Range of the pixels it takes, e.g. [0, 1] for ESRGAN-thick, [0, 255] for slim and medium. */
  inputRange: [number, number];
  /** Range of the pixels it gives. */
  outputRange: [number, number];
}

/**
 * Checks an {@link UpscalerModel} (naming `argument` in errors).
 *
 * @example
 * ```ts
 * const slim: UpscalerModel = { model: student, scale: 4, inputRange: [0, 255], outputRange: [0, 255] };
 * checkUpscalerModel('slim', slim); // passes; { ..., scale: 1 } throws a ConfigError naming slim.scale
 * ```
 */
export function checkUpscalerModel(argument: string, u: UpscalerModel): void {
  if (u == null || typeof u !== 'object' || u.model == null || typeof u.model.predict !== 'function')
    throw new ConfigError(argument, u, '{ model: tf.LayersModel, scale, inputRange, outputRange }');
  assertInt(`${argument}.scale`, u.scale, 2);
  for (const key of ['inputRange', 'outputRange'] as const) {
    const r = u[key];
    if (!Array.isArray(r) || r.length !== 2 || !r.every(Number.isFinite) || !(r[0] < r[1]))
      throw new ConfigError(`${argument}.${key}`, r, '[low, high] with finite low < high');
  }
}

/**
 * `x` mapped linearly from the range `from` to the range `to` (a new tensor, also when the ranges are equal).
 *
 * @example
 * ```ts
 * const pixels = tf.tensor1d([0, 127.5, 255]);
 * rescale(pixels, [0, 255], [0, 1]).print(); // [0, 0.5, 1]
 * ```
 */
export function rescale<T extends tf.Tensor>(x: T, from: [number, number], to: [number, number]): T {
  if (from[0] === to[0] && from[1] === to[1]) return tf.clone(x);
  return tf.tidy(() => tf.add(tf.mul(tf.sub(x, from[0]), (to[1] - to[0]) / (from[1] - from[0])), to[0]));
}

/**
 * Runs an upscaler on low-resolution images in [0, 1] and returns its output in [0, 1] (unclipped), whatever
 * ranges the model itself uses. New tensor; the input stays the caller's.
 *
 * @example
 * ```ts
 * const thick: UpscalerModel = {
 *   model: await tf.loadLayersModel(fileSystem('node_modules/@upscalerjs/esrgan-thick/models/x4/model.json')),
 *   scale: 4,
 *   inputRange: [0, 1],
 *   outputRange: [0, 1],
 * };
 * const lr = tf.randomUniform([1, 32, 32, 3]) as tf.Tensor4D;
 * const sr = upscale(thick, lr); // [1, 128, 128, 3], in [0, 1]
 * ```
 */
export function upscale(u: UpscalerModel, lr: tf.Tensor4D): tf.Tensor4D {
  checkUpscalerModel('upscaler', u);
  return tf.tidy(() => {
    // apply (not predict): predict splits the batch, which costs a copy of the input on some backends.
    const y = u.model.apply(rescale(lr, [0, 1], u.inputRange)) as tf.Tensor4D;
    return rescale(y, u.outputRange, [0, 1]);
  });
}
