import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfusionMatrix, meanIoU, psnr, ShapeError, ssim } from '../../src/index.js';
import { gaussianFilter2d, gaussianKernel1d, reflectIndex } from '../../src/metrics/gaussian_filter.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeak } from '../helpers/tensors.js';
import {
  blur,
  checksum,
  crop,
  firstChannel,
  loadPhoto,
  noise,
  PHOTOS,
  posterise,
  segmentation,
  type Image,
} from './image_generator.js';

// Written by tests/fixtures/scripts/metrics_image.py with scikit-image 0.19 and numpy.
interface Scores {
  psnr: number;
  ssim: number;
}
interface IoUFixture {
  meanIoU: number;
  perClassIoU: (number | null)[];
  pixelAccuracy: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/metrics_image.json', import.meta.url), 'utf8')) as {
  photos: { name: string; distortions: Record<'noise' | 'blur' | 'posterise', Scores & { checksum: number }> }[];
  batch: Scores & { crop: [number, number, number, number]; noiseSeeds: number[] };
  unitRange: Scores;
  grey: Scores;
  miou: { numClasses: number; perPhoto: (IoUFixture & { name: string; ignored: number })[]; accumulated: IoUFixture };
};

// The requirement is 1e-4; float64 JavaScript holds far tighter (PSNR exact, SSIM ~4e-14).
const TOL = 1e-9;
const tensor = (img: Image, scale = 1): tf.Tensor3D =>
  tf.tensor3d(
    Float32Array.from(img.data, (v) => v * scale),
    [img.h, img.w, img.c],
  );
const photos = Object.fromEntries(PHOTOS.map((n) => [n, loadPhoto(n)])) as Record<(typeof PHOTOS)[number], Image>;

function expectIoU(
  actual: { meanIoU: number; perClassIoU: number[]; pixelAccuracy: number },
  expected: IoUFixture,
): void {
  expect(Math.abs(actual.meanIoU - expected.meanIoU)).toBeLessThan(TOL);
  expect(Math.abs(actual.pixelAccuracy - expected.pixelAccuracy)).toBeLessThan(TOL);
  expected.perClassIoU.forEach((v, c) => {
    if (v === null) expect(actual.perClassIoU[c]).toBeNaN();
    else expect(Math.abs((actual.perClassIoU[c] as number) - v)).toBeLessThan(TOL);
  });
}

describeBackends('psnr and ssim equal scikit-image on real photos', () => {
  PHOTOS.forEach((name, i) => {
    it(`${name}: noise, blur and posterisation`, async () => {
      const img = photos[name];
      const ref = fixture.photos[i]!;
      const distorted = { noise: noise(img, 300 + i), blur: blur(img), posterise: posterise(img) };
      const a = tensor(img);
      for (const [kind, d] of Object.entries(distorted) as [keyof typeof distorted, Image][]) {
        expect(checksum(d), `${kind} reproduces the Python distortion`).toBe(ref.distortions[kind].checksum);
        const b = tensor(d);
        const [p, s] = await expectNoLeak(() => [psnr(a, b, 255), ssim(a, b, { maxVal: 255 })]);
        expect(Math.abs(p - ref.distortions[kind].psnr), `${kind} psnr`).toBeLessThan(TOL);
        expect(Math.abs(s - ref.distortions[kind].ssim), `${kind} ssim`).toBeLessThan(TOL);
        b.dispose();
      }
      a.dispose();
    });
  });

  it('a batch [3, 96, 128, 3]: the mean of the per-image values', () => {
    const [y0, x0, h, w] = fixture.batch.crop;
    const crops = PHOTOS.map((n) => crop(photos[n], y0, x0, h, w));
    const a = tf.stack(crops.map((c) => tensor(c)));
    const b = tf.stack(crops.map((c, i) => tensor(noise(c, fixture.batch.noiseSeeds[i] as number))));
    expect(Math.abs(psnr(a, b, 255) - fixture.batch.psnr)).toBeLessThan(TOL);
    expect(Math.abs(ssim(a, b, { maxVal: 255 }) - fixture.batch.ssim)).toBeLessThan(TOL);
    tf.dispose([a, b]);
  });

  it('values in [0, 1) with maxVal 1, and a single channel', () => {
    const img = photos.astronaut;
    const a = tensor(img, 1 / 256);
    const b = tensor(blur(img), 1 / 256);
    expect(Math.abs(psnr(a, b, 1) - fixture.unitRange.psnr)).toBeLessThan(TOL);
    expect(Math.abs(ssim(a, b, { maxVal: 1 }) - fixture.unitRange.ssim)).toBeLessThan(TOL);
    const g = firstChannel(photos.chelsea);
    const ga = tensor(g);
    const gb = tensor(posterise(g));
    expect(Math.abs(psnr(ga, gb, 255) - fixture.grey.psnr)).toBeLessThan(TOL);
    expect(Math.abs(ssim(ga, gb, { maxVal: 255 }) - fixture.grey.ssim)).toBeLessThan(TOL);
    tf.dispose([a, b, ga, gb]);
  });
});

describeBackends('meanIoU and ConfusionMatrix equal numpy on maps derived from real photos', () => {
  const k = fixture.miou.numClasses;
  it('per photo, with ignored pixels and two absent classes', async () => {
    PHOTOS.forEach((name, i) => {
      const img = photos[name];
      const { pred, label } = segmentation(img, blur(img));
      expect(label.filter((v) => v === 255).length).toBe(fixture.miou.perPhoto[i]!.ignored);
      const p = tf.tensor2d(pred, [img.h, img.w], 'int32');
      const l = tf.tensor2d(label, [img.h, img.w], 'int32');
      expectIoU(meanIoU(p, l, k), fixture.miou.perPhoto[i]!);
      tf.dispose([p, l]);
    });
  });

  it('accumulated over the three photos in one matrix (not the mean of per-photo values)', async () => {
    const cm = new ConfusionMatrix(k);
    await expectNoLeak(() => {
      for (const name of PHOTOS) {
        const img = photos[name];
        const { pred, label } = segmentation(img, blur(img));
        const p = tf.tensor3d(pred, [1, img.h, img.w], 'int32');
        const l = tf.tensor3d(label, [1, img.h, img.w], 'int32');
        cm.update(p, l);
        tf.dispose([p, l]);
      }
    });
    expectIoU(cm.result(), fixture.miou.accumulated);
    const perPhotoMean = fixture.miou.perPhoto.reduce((s, p) => s + p.meanIoU, 0) / 3;
    expect(Math.abs(cm.result().meanIoU - perPhotoMean)).toBeGreaterThan(1e-3);
  });
});

describe('meanIoU on synthetic maps', () => {
  const t = (v: number[][]): tf.Tensor2D => tf.tensor2d(v, undefined, 'int32');
  it('perfect prediction: IoU 1 for present classes, NaN for absent ones', () => {
    const label = t([
      [0, 0, 2],
      [2, 2, 0],
    ]);
    const r = meanIoU(label, label, 4);
    expect(r.meanIoU).toBe(1);
    expect(r.perClassIoU[0]).toBe(1);
    expect(r.perClassIoU[1]).toBeNaN();
    expect(r.perClassIoU[2]).toBe(1);
    expect(r.perClassIoU[3]).toBeNaN();
    expect(r.pixelAccuracy).toBe(1);
    label.dispose();
  });

  it('hand-computed confusion with ignored pixels', () => {
    // label 0 0 1 1 255 ; pred 0 1 1 1 0  → counted pixels 4: (0,0), (0,1), (1,1), (1,1)
    // class 0: TP 1, row 2, col 1 → 1/(2+1−1) = 1/2; class 1: TP 2, row 2, col 3 → 2/3.
    const pred = t([[0, 1, 1, 1, 0]]);
    const label = t([[0, 0, 1, 1, 255]]);
    const r = meanIoU(pred, label, 2);
    expect(r.perClassIoU[0]).toBeCloseTo(1 / 2, 15);
    expect(r.perClassIoU[1]).toBeCloseTo(2 / 3, 15);
    expect(r.meanIoU).toBeCloseTo(7 / 12, 15);
    expect(r.pixelAccuracy).toBeCloseTo(3 / 4, 15);
    // A class only predicted (never labelled) counts with IoU 0; ignoreIndex can be changed or disabled.
    const r2 = meanIoU(t([[2, 1]]), t([[1, 1]]), 3, { ignoreIndex: null });
    expect(r2.perClassIoU).toEqual([NaN, 0.5, 0]);
    expect(meanIoU(t([[0, 1]]), t([[0, 7]]), 2, { ignoreIndex: 7 }).meanIoU).toBe(1);
    tf.dispose([pred, label]);
  });

  it('everything ignored: NaN', () => {
    const r = meanIoU(t([[0, 1]]), t([[255, 255]]), 2);
    expect(r.meanIoU).toBeNaN();
    expect(r.pixelAccuracy).toBeNaN();
  });

  it('merge adds counts', () => {
    const a = new ConfusionMatrix(2).update(t([[0, 1]]), t([[0, 0]]));
    const b = new ConfusionMatrix(2).update(t([[1]]), t([[1]]));
    expect(Array.from(a.merge(b).counts)).toEqual([1, 1, 0, 1]);
    expect(() => a.merge(new ConfusionMatrix(3))).toThrow(
      /other: got 'a ConfusionMatrix of 3 classes', expected a ConfusionMatrix of 2 classes/,
    );
  });

  it('rejects out-of-range labels and predictions, bad dtypes, shapes and class counts', () => {
    expect(() => meanIoU(t([[0, 1]]), t([[0, 5]]), 2)).toThrow(
      /label\[0,1\]: got 5, expected a class index in \[0, 2\) or the ignore index 255/,
    );
    expect(() => meanIoU(t([[0, 2]]), t([[0, 1]]), 2)).toThrow(
      /pred\[0,1\]: got 2, expected a class index in \[0, 2\)/,
    );
    expect(() => meanIoU(t([[0, 0]]), t([[0, -1]]), 2, { ignoreIndex: null })).toThrow(
      /label\[0,1\]: got -1, expected a class index in \[0, 2\)$/,
    );
    expect(() => meanIoU(tf.tensor2d([[0, 1]]), t([[0, 1]]), 2)).toThrow(/pred.dtype: got 'float32', expected 'int32'/);
    expect(() => meanIoU(t([[0, 1]]), t([[0], [1]]), 2)).toThrow(
      /label: got shape \[2,1\], expected \[1,2\], the shape of pred/,
    );
    expect(() => meanIoU(t([[0]]), t([[0]]), 0)).toThrow(/numClasses: got 0, expected an integer in \[1, 16384\]/);
    expect(() => meanIoU(t([[0]]), t([[0]]), 2.5)).toThrow(ConfigError);
    const cm = new ConfusionMatrix(2);
    expect(() => cm.update(t([[0, 1]]), t([[0, 9]]))).toThrow(ConfigError);
    expect(Array.from(cm.counts)).toEqual([0, 0, 0, 0]); // a rejected batch counts nothing
  });
});

describe('psnr and ssim by hand', () => {
  it('psnr of a constant offset is 20·log10(maxVal / offset); identical images give Infinity', () => {
    const a = tf.zeros([4, 5, 3]);
    const b = tf.fill([4, 5, 3], 5);
    expect(psnr(a, b, 255)).toBeCloseTo(20 * Math.log10(255 / 5), 12);
    expect(psnr(a, a, 1)).toBe(Infinity);
    tf.dispose([a, b]);
  });

  it('ssim of an image with itself is 1; of a constant pair it follows the luminance term', () => {
    const img = tensor(crop(photos.coffee, 0, 0, 20, 24));
    expect(ssim(img, img, { maxVal: 255 })).toBeCloseTo(1, 12);
    // Constant images: variances 0, so SSIM = (2μxμy + C1)/(μx² + μy² + C1) everywhere.
    const a = tf.fill([12, 12, 1], 100);
    const b = tf.fill([12, 12, 1], 120);
    const c1 = (0.01 * 255) ** 2;
    expect(ssim(a, b, { maxVal: 255 })).toBeCloseTo((2 * 100 * 120 + c1) / (100 ** 2 + 120 ** 2 + c1), 12);
    tf.dispose([img, a, b]);
  });

  it('the Gaussian window is scipy’s: 11 taps summing to 1, reflect boundary, constants preserved', () => {
    const k = gaussianKernel1d(1.5, 3.5);
    expect(k).toHaveLength(11);
    expect(k.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 15);
    expect(k[5]! / k[4]!).toBeCloseTo(Math.exp(0.5 / 2.25), 14);
    expect([-3, -2, -1, 0, 3, 4, 5, 6, 7].map((i) => reflectIndex(i, 4))).toEqual([2, 1, 0, 0, 3, 3, 2, 1, 0]);
    const flat = gaussianFilter2d(new Float64Array(30).fill(7), 5, 6, k);
    flat.forEach((v) => expect(v).toBeCloseTo(7, 13));
  });

  it('rejects mismatched shapes, bad ranks, small images and bad maxVal', () => {
    const a = tf.zeros([12, 12, 3]);
    const b = tf.zeros([12, 13, 3]);
    expect(() => psnr(a, b, 255)).toThrow(/b: got shape \[12,13,3\], expected \[12,12,3\], the shape of a/);
    expect(() => ssim(a, b, { maxVal: 255 })).toThrow(ShapeError);
    expect(() => psnr(a, a, 0)).toThrow(/maxVal: got 0, expected a finite number > 0/);
    expect(() => ssim(a, a, {} as never)).toThrow(
      /options.maxVal: got undefined, expected a finite number in \[1e-100, 1e\+100\]/,
    );
    expect(() => psnr(tf.zeros([12, 12]), tf.zeros([12, 12]), 1)).toThrow(/a: got shape \[12,12\], expected rank 3/);
    const small = tf.zeros([10, 12, 1]);
    expect(() => ssim(small, small, { maxVal: 1 })).toThrow(
      /a: got shape \[10,12,1\], expected images of at least 11×11/,
    );
    tf.dispose([a, b, small]);
  });
});
