/**
 * comparison.png: for each held-out image, a crop of low resolution (nearest) | each model | ground truth, with
 * labels — tiles as PNG data URIs in an SVG, rendered by resvg.
 */
import { Resvg } from '@resvg/resvg-js';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { writeFileAtomic, type SrPair } from '../../src/index.js';

const CROP = 96;
const ZOOM = 2;

async function tile(image: tf.Tensor3D): Promise<string> {
  const [h, w] = image.shape;
  const data = await image.data();
  const png = new PNG({ width: w, height: h });
  for (let p = 0; p < w * h; p++) {
    for (let c = 0; c < 3; c++)
      png.data[4 * p + c] = Math.round(Math.min(1, Math.max(0, data[3 * p + c] as number)) * 255);
    png.data[4 * p + 3] = 255;
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

/** Writes the comparison of `models` on `pairs` (a centred crop of each) to `file`. */
export async function comparisonImage(
  file: string,
  pairs: readonly SrPair[],
  models: [string, (lr: tf.Tensor4D) => tf.Tensor4D][],
): Promise<void> {
  const columns = ['low resolution', ...models.map(([name]) => name), 'ground truth'];
  const size = CROP * ZOOM;
  const gap = 6;
  const header = 22;
  const rows: string[][] = [];
  for (const pair of pairs) {
    const [h, w] = pair.hr.shape;
    const y = Math.floor((h - CROP) / 2);
    const x = Math.floor((w - CROP) / 2);
    const images = tf.tidy(() => {
      const lr = tf.expandDims<tf.Tensor4D>(pair.lr, 0);
      const crop = (t: tf.Tensor3D): tf.Tensor3D => tf.slice(t, [y, x, 0], [CROP, CROP, 3]);
      const nearest = tf.squeeze<tf.Tensor3D>(tf.image.resizeNearestNeighbor(lr, [h, w]), [0]);
      return [crop(nearest), ...models.map(([, run]) => crop(tf.squeeze<tf.Tensor3D>(run(lr), [0]))), crop(pair.hr)];
    });
    rows.push(await Promise.all(images.map(tile)));
    tf.dispose(images);
  }
  const width = columns.length * (size + gap) - gap;
  const height = header + rows.length * (size + gap) - gap;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...columns.map(
      (c, i) =>
        `<text x="${i * (size + gap) + size / 2}" y="16" font-family="sans-serif" font-size="14" text-anchor="middle">${c}</text>`,
    ),
    ...rows.flatMap((r, j) =>
      r.map(
        (uri, i) =>
          `<image x="${i * (size + gap)}" y="${header + j * (size + gap)}" width="${size}" height="${size}" image-rendering="optimizeSpeed" href="${uri}"/>`,
      ),
    ),
    '</svg>',
  ].join('\n');
  const png = new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng();
  await writeFileAtomic(file, png);
}
