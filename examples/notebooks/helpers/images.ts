/**
 * Images for the notebooks: photos from data/images in, tensors out as PNG bytes for
 * `tslab.display.png`, and labelled rows of pictures as HTML for `tslab.display.html`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';
import { escapeHtml } from './tables.js';

/** data/images, seen from examples/notebooks (the notebooks' working directory). */
export const PHOTOS_DIR = resolve('..', '..', 'data', 'images');

/** A photo of data/images (e.g. `'astronaut'`) as a [1, H, W, 3] float32 tensor in [0, 1]. */
export function readPhoto(name: string): tf.Tensor4D {
  const png = PNG.sync.read(readFileSync(resolve(PHOTOS_DIR, `${name}.png`)));
  const { width, height, data } = png;
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgb[3 * p + c] = (data[4 * p + c] as number) / 255;
  }
  return tf.tensor4d(rgb, [1, height, width, 3]);
}

export interface PngOptions {
  /** The values shown as black and white; outside, clipped. Default [0, 1]. */
  range?: [number, number];
  /** Each pixel drawn as a scale×scale block (nearest neighbour), for small images. Default 1. */
  scale?: number;
}

/** An image tensor ([H, W, C] or [1, H, W, C], C = 1 or 3) as 8-bit PNG bytes. */
export function toPng(image: tf.Tensor, options: PngOptions = {}): Uint8Array {
  const [lo, hi] = options.range ?? [0, 1];
  const scale = options.scale ?? 1;
  const shape = image.shape.length === 4 && image.shape[0] === 1 ? image.shape.slice(1) : image.shape;
  const [height, width, channels] = shape;
  if (shape.length !== 3 || height == null || width == null || (channels !== 1 && channels !== 3))
    throw new Error(`toPng: image of shape [${image.shape.join(', ')}]; expected [H, W, 1|3] or [1, H, W, 1|3]`);
  const values = image.dataSync();
  const png = new PNG({ width: width * scale, height: height * scale });
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const src = (Math.floor(y / scale) * width + Math.floor(x / scale)) * channels;
      const dst = 4 * (y * width * scale + x);
      for (let c = 0; c < 3; c++) {
        const v = (values[src + (channels === 1 ? 0 : c)] as number) - lo;
        png.data[dst + c] = Math.round(Math.min(1, Math.max(0, v / (hi - lo))) * 255);
      }
      png.data[dst + 3] = 255;
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}

/** Pictures side by side, each with a caption below, as HTML (PNG data URLs). */
export function imageRow(items: { label: string; png: Uint8Array }[]): string {
  const figures = items.map(
    ({ label, png }) =>
      `<figure style="margin:0 12px 8px 0;display:inline-block;vertical-align:top;text-align:center">` +
      `<img src="data:image/png;base64,${Buffer.from(png).toString('base64')}" style="image-rendering:pixelated"/>` +
      `<figcaption style="font:12px sans-serif">${escapeHtml(label)}</figcaption></figure>`,
  );
  return `<div>${figures.join('')}</div>`;
}
