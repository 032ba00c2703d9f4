/** PNG in and out with pngjs, as [H, W, 3] float tensors in [0, 1]. */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { writeFileAtomic } from './files.js';

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

/** Writes a [H, W, 3] tensor in [0, 1] as an 8-bit PNG (rounded, clipped), atomically. */
export async function writePng(file: string, image: tf.Tensor3D): Promise<void> {
  const [height, width] = image.shape;
  const values = await image.data();
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++)
      png.data[4 * p + c] = Math.round(Math.min(1, Math.max(0, values[3 * p + c] as number)) * 255);
    png.data[4 * p + 3] = 255;
  }
  writeFileAtomic(file, PNG.sync.write(png));
}
