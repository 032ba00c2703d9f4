/**
 * Training and validation crops from the photos in data/images, as NHWC tensors in [-1, 1]
 * (the range image-to-image GANs use).
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { Random } from '../../src/index.js';
import { readPng, type RawImage } from '../../scripts/png.js';

const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png'];

/** Loads the photos once. */
export function loadPhotos(dir = join('data', 'images')): RawImage[] {
  return PHOTOS.map((f) => readPng(join(dir, f)));
}

/** `count` random `size`×`size` crops (seeded), scaled to [-1, 1]: [count, size, size, 3]. */
export function randomCrops(photos: RawImage[], count: number, size: number, rng: Random): tf.Tensor4D {
  const data = new Float32Array(count * size * size * 3);
  for (let n = 0; n < count; n++) {
    const im = rng.choice(photos);
    const top = rng.int(im.height - size + 1);
    const left = rng.int(im.width - size + 1);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const src = ((top + y) * im.width + (left + x)) * im.channels;
        const dst = ((n * size + y) * size + x) * 3;
        for (let c = 0; c < 3; c++) data[dst + c] = (im.data[src + c] as number) / 127.5 - 1;
      }
    }
  }
  return tf.tensor4d(data, [count, size, size, 3]);
}
