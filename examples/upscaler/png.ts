/** PNG in and out with pngjs, as [H, W, 3] float tensors in [0, 1]. */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** Reads an 8-bit RGB or RGBA PNG as a [H, W, 3] float32 tensor in [0, 1] (alpha dropped). */
export function readPng(file: string): tf.Tensor3D {
  const png = PNG.sync.read(readFileSync(file));
  const { width, height, data } = png;
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    rgb[3 * p] = (data[4 * p] as number) / 255;
    rgb[3 * p + 1] = (data[4 * p + 1] as number) / 255;
    rgb[3 * p + 2] = (data[4 * p + 2] as number) / 255;
  }
  return tf.tensor3d(rgb, [height, width, 3]);
}
