/**
 * The photos and integer-exact distortions of tests/fixtures/scripts/metrics_image.py, rebuilt in
 * JavaScript (uint8 photos read with pngjs; every operation is integer arithmetic, so
 * the arrays equal numpy's exactly — the fixture's checksums confirm it).
 */
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { intNoise } from './generator.js';

export interface Image {
  h: number;
  w: number;
  c: number;
  data: Int32Array;
}

export const PHOTOS = ['astronaut', 'chelsea', 'coffee'] as const;

export function loadPhoto(name: string): Image {
  // pngjs decodes to RGBA; the photos are RGB.
  const png = PNG.sync.read(readFileSync(new URL(`../../data/images/${name}.png`, import.meta.url)));
  const data = new Int32Array(png.width * png.height * 3);
  for (let p = 0; p < png.width * png.height; p++)
    for (let c = 0; c < 3; c++) data[3 * p + c] = png.data[4 * p + c] as number;
  return { h: png.height, w: png.width, c: 3, data };
}

export function noise(img: Image, seed: number): Image {
  const n = intNoise(seed, img.data.length, 20);
  return { ...img, data: img.data.map((v, i) => Math.min(255, Math.max(0, v + (n[i] as number)))) };
}

/** 3×3 box blur, edge-replicated, floor division. */
export function blur(img: Image): Image {
  const { h, w, c } = img;
  const out = new Int32Array(h * w * c);
  const clamp = (v: number, n: number): number => Math.min(n - 1, Math.max(0, v));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) s += img.data[(clamp(y + dy, h) * w + clamp(x + dx, w)) * c + ch] as number;
        out[(y * w + x) * c + ch] = Math.floor(s / 9);
      }
  return { ...img, data: out };
}

export function posterise(img: Image): Image {
  return { ...img, data: img.data.map((v) => Math.floor(v / 16) * 16 + 8) };
}

export function crop(img: Image, y0: number, x0: number, h: number, w: number): Image {
  const out = new Int32Array(h * w * img.c);
  for (let y = 0; y < h; y++)
    out.set(img.data.subarray(((y0 + y) * img.w + x0) * img.c, ((y0 + y) * img.w + x0 + w) * img.c), y * w * img.c);
  return { h, w, c: img.c, data: out };
}

export function firstChannel(img: Image): Image {
  const out = new Int32Array(img.h * img.w);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i * img.c] as number;
  return { h: img.h, w: img.w, c: 1, data: out };
}

/** Label = red // 32 with green > 230 ignored (255); prediction = red of the distorted photo // 32. */
export function segmentation(img: Image, distorted: Image): { pred: Int32Array; label: Int32Array } {
  const n = img.h * img.w;
  const pred = new Int32Array(n);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = (img.data[i * img.c + 1] as number) > 230 ? 255 : Math.floor((img.data[i * img.c] as number) / 32);
    pred[i] = Math.floor((distorted.data[i * img.c] as number) / 32);
  }
  return { pred, label };
}

export const checksum = (img: Image): number => img.data.reduce((s, v) => s + v, 0);
