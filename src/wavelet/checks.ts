import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../util/index.js';
import { assertRank } from '../util/index.js';

/** Throws unless `x` is an NHWC tensor with even height and width (one Haar level fits). */
export function assertHaarInput(argument: string, x: tf.Tensor): asserts x is tf.Tensor4D {
  assertRank(argument, x, 4);
  const [, h, w] = x.shape as number[];
  if ((h as number) % 2 !== 0 || (w as number) % 2 !== 0) {
    throw new ShapeError(argument, x.shape, 'NHWC with even height and width (the Haar DWT works on 2×2 blocks)');
  }
}

/** Throws unless `y` is an NHWC tensor whose channel count is a multiple of 4 (4 bands of C). */
export function assertCoefficients(argument: string, y: tf.Tensor): asserts y is tf.Tensor4D {
  assertRank(argument, y, 4);
  if ((y.shape[3] as number) % 4 !== 0) {
    throw new ShapeError(argument, y.shape, 'NHWC with 4·C channels (the bands LL, LH, HL, HH of C channels each)');
  }
}

/**
 * Throws unless a symbolic NHWC shape (sizes may be `null`) has even height and width; used by
 * the layers' `computeOutputShape`.
 */
export function assertHaarShape(argument: string, shape: readonly (number | null)[]): void {
  const [, h, w] = shape;
  if (shape.length !== 4 || (h != null && h % 2 !== 0) || (w != null && w % 2 !== 0)) {
    throw new ShapeError(argument, [...shape], 'NHWC with even height and width (the Haar DWT works on 2×2 blocks)');
  }
}

/** Throws unless a symbolic NHWC shape has a channel count that is a known multiple of 4. */
export function assertCoefficientShape(argument: string, shape: readonly (number | null)[]): void {
  const c = shape[3];
  if (shape.length !== 4 || c == null || c % 4 !== 0) {
    throw new ShapeError(argument, [...shape], 'NHWC with a known channel count 4·C (the bands LL, LH, HL, HH)');
  }
}
