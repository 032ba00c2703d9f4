import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { expect, it } from 'vitest';
import { ConfigError, psnr, resizeBicubic, rgbToY, ShapeError } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectClose, expectNoLeak, maxAbsDiff, seededTensor } from '../helpers/tensors.js';

interface Fixture {
  pil_float: { input: FixtureTensor; cases: { size: [number, number]; output: FixtureTensor }[] };
  pil_uint8: { image: string; crop: [number, number, number, number]; size: [number, number]; pil: string }[];
  plain: { input: FixtureTensor; cases: { size: [number, number]; output: FixtureTensor }[] };
  y_psnr: Record<string, { crop: [number, number, number, number]; y_psnr: number }>;
}

const fixture = readFixture<Fixture>('image_resize');

/** A crop [top, left, height, width] of a photo in data/images as float32 RGB [h, w, 3]. */
function photoCrop(name: string, [top, left, h, w]: readonly number[]): tf.Tensor3D {
  const png = PNG.sync.read(readFileSync(new URL(`../../data/images/${name}.png`, import.meta.url)));
  const out = new Float32Array((h as number) * (w as number) * 3);
  for (let y = 0; y < (h as number); y++) {
    for (let x = 0; x < (w as number); x++) {
      const src = ((y + (top as number)) * png.width + x + (left as number)) * 4;
      for (let c = 0; c < 3; c++) out[(y * (w as number) + x) * 3 + c] = png.data[src + c] as number;
    }
  }
  return tf.tensor3d(out, [h as number, w as number, 3]);
}

function unpack(b64: string): Uint8Array {
  return new Uint8Array(inflateSync(Buffer.from(b64, 'base64')));
}

/**
 * PIL's algorithm written out per output pixel in float64 (libImaging/Resample.c: bounds by
 * int(centre ± support + ½), weights K((x + ½ − centre)/s) over the bounds, divided by their sum),
 * horizontal pass then vertical, no rounding.
 */
function slowResize(x: Float64Array, [n, h, w, c]: number[], [oh, ow]: number[], antialias: boolean): Float64Array {
  const kernel = (t: number): number => {
    const a = Math.abs(t);
    return a < 1 ? 1.5 * a ** 3 - 2.5 * a ** 2 + 1 : a < 2 ? -0.5 * a ** 3 + 2.5 * a ** 2 - 4 * a + 2 : 0;
  };
  const coeffs = (inSize: number, outSize: number): { lo: number; ws: number[] }[] => {
    const scale = inSize / outSize;
    const s = antialias ? Math.max(scale, 1) : 1;
    const support = 2 * s;
    return Array.from({ length: outSize }, (_, o) => {
      const centre = (o + 0.5) * scale;
      const lo = Math.max(0, Math.trunc(centre - support + 0.5));
      const hi = Math.min(inSize, Math.trunc(centre + support + 0.5));
      const ws: number[] = [];
      for (let i = lo; i < hi; i++) ws.push(kernel((i + 0.5 - centre) / s));
      const sum = ws.reduce((p, q) => p + q, 0);
      return { lo, ws: ws.map((v) => v / sum) };
    });
  };
  const ch = coeffs(w as number, ow as number);
  const cv = coeffs(h as number, oh as number);
  const mid = new Float64Array((n as number) * (h as number) * (ow as number) * (c as number));
  for (let b = 0; b < (n as number); b++)
    for (let y = 0; y < (h as number); y++)
      for (let o = 0; o < (ow as number); o++)
        for (let k = 0; k < (c as number); k++) {
          const { lo, ws } = ch[o] as { lo: number; ws: number[] };
          let s = 0;
          ws.forEach(
            (wt, j) =>
              (s += wt * (x[((b * (h as number) + y) * (w as number) + lo + j) * (c as number) + k] as number)),
          );
          mid[((b * (h as number) + y) * (ow as number) + o) * (c as number) + k] = s;
        }
  const out = new Float64Array((n as number) * (oh as number) * (ow as number) * (c as number));
  for (let b = 0; b < (n as number); b++)
    for (let o = 0; o < (oh as number); o++)
      for (let xo = 0; xo < (ow as number); xo++)
        for (let k = 0; k < (c as number); k++) {
          const { lo, ws } = cv[o] as { lo: number; ws: number[] };
          let s = 0;
          ws.forEach(
            (wt, j) =>
              (s += wt * (mid[((b * (h as number) + lo + j) * (ow as number) + xo) * (c as number) + k] as number)),
          );
          out[((b * (oh as number) + o) * (ow as number) + xo) * (c as number) + k] = s;
        }
  return out;
}

// The negative weights of one pass come to at most ν = 0.135 of a row (tests/image/bicubic_weights
// .test.ts); a 1-D pass with Σw = 1 then keeps outputs within [min − ν·r, max + ν·r], r = max − min.
// The two passes' product weights have negative mass P_v·N_h + N_v·P_h ≤ 2ν(1 + ν), P = 1 + N.
const NU = 0.135;
const NU_2D = 2 * NU * (1 + NU);

describeBackends('resizeBicubic', () => {
  it("equals PIL's Image.resize(BICUBIC) on float images: downscales ×2, ×3, ×4, non-integer, one axis, upscales", () => {
    const x = fromFixture(fixture.pil_float.input) as tf.Tensor3D;
    for (const { size, output } of fixture.pil_float.cases) {
      const y = resizeBicubic(x, size);
      expectClose(y, fromFixture(output), 2e-5, 1e-5, `${size.join('×')}`);
      y.dispose();
    }
    x.dispose();
  });

  it("gives PIL's 8-bit pixels within 1 grey level with clamp: [0, 255] and rounding (photo crops)", () => {
    let unclampedWorst = 0;
    for (const c of fixture.pil_uint8) {
      const x = photoCrop(c.image, c.crop);
      const y = tf.tidy(() => tf.round(resizeBicubic(x, c.size, { clamp: [0, 255] })));
      expect(y.shape).toEqual([...c.size, 3]);
      const pil = unpack(c.pil);
      const ours = y.dataSync();
      let worst = 0;
      let equal = 0;
      for (let i = 0; i < pil.length; i++) {
        const d = Math.abs((ours[i] as number) - (pil[i] as number));
        worst = Math.max(worst, d);
        if (d === 0) equal++;
      }
      expect(worst, `${c.image} ${c.crop.join(',')} → ${c.size.join('×')}`).toBeLessThanOrEqual(1);
      // Differences come only from PIL's rounding of the intermediate rows: rare.
      expect(equal / pil.length).toBeGreaterThan(0.75);
      const unclamped = tf.tidy(() => tf.clipByValue(tf.round(resizeBicubic(x, c.size)), 0, 255));
      unclampedWorst = Math.max(unclampedWorst, maxAbsDiff(unclamped, Float64Array.from(pil)));
      tf.dispose([x, y, unclamped]);
    }
    // The crops hold highlights next to dark edges: without the clamp between the passes, the
    // horizontal overshoot above 255 reaches the output and PIL is missed by more than 1.
    expect(unclampedWorst).toBeGreaterThan(1);
  });

  it('reproduces the bicubic Y-PSNR of issue 18 (24.97 dB astronaut, 26.98 dB coffee) from the same pipeline', () => {
    for (const [name, ref] of Object.entries(fixture.y_psnr)) {
      const value = tf.tidy(() => {
        const hr = photoCrop(name, ref.crop);
        const lr = tf.round(resizeBicubic(hr, [64, 64], { clamp: [0, 255] }));
        const sr = tf.round(resizeBicubic(lr, [256, 256], { clamp: [0, 255] }));
        const border = (t: tf.Tensor3D): tf.Tensor3D => tf.slice(rgbToY(t, { range: 255 }), [2, 2, 0], [252, 252, 1]);
        return psnr(border(hr), border(sr), 255);
      });
      expect(Math.abs(value - ref.y_psnr), name).toBeLessThan(0.01);
    }
  });

  it('with antialias: false equals plain bicubic interpolation (numpy, from the definition)', () => {
    const x = fromFixture(fixture.plain.input) as tf.Tensor4D;
    for (const { size, output } of fixture.plain.cases) {
      const y = resizeBicubic(x, size, { antialias: false });
      expectClose(y, fromFixture(output), 1e-5, 0, `${size.join('×')}`);
      y.dispose();
    }
    x.dispose();
  });

  it('agrees with a per-pixel float64 rendering of PIL for random sizes, factors and batches', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (n, h, w, oh, ow, c, antialias, seed) => {
          const shape = [n, h, w, c];
          const x = seededTensor(shape, seed, 3);
          const y = resizeBicubic(x as tf.Tensor4D, [oh, ow], { antialias });
          expectClose(y, slowResize(Float64Array.from(x.dataSync()), shape, [oh, ow], antialias), 2e-5, 1e-5);
          tf.dispose([x, y]);
        },
      ),
      { seed: 18, numRuns: 40 },
    );
  });

  it('upscales the same with and without antialias', () => {
    const x = seededTensor([1, 6, 5, 2], 4) as tf.Tensor4D;
    const a = resizeBicubic(x, [13, 11]);
    const b = resizeBicubic(x, [13, 11], { antialias: false });
    expectClose(a, b, 0);
    tf.dispose([x, a, b]);
  });

  it('reproduces quadratics at interior output pixels of an upscale (Keys a = −0.5 is third-order)', () => {
    // q(y, x) = 0.3·y² − 0.2·x·y + 0.5·x + 1 sampled at pixel indices; the ×3 upscale samples input
    // position (o + ½)/3 − ½, exact where all four taps lie inside the image.
    const q = (y: number, x: number): number => 0.3 * y * y - 0.2 * x * y + 0.5 * x + 1;
    const h = 8;
    const w = 9;
    const data = new Float32Array(h * w);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = q(y, x);
    const out = resizeBicubic(tf.tensor3d(data, [h, w, 1]), [3 * h, 3 * w]);
    const values = out.dataSync();
    let checked = 0;
    for (let oy = 0; oy < 3 * h; oy++) {
      for (let ox = 0; ox < 3 * w; ox++) {
        const py = (oy + 0.5) / 3 - 0.5;
        const px = (ox + 0.5) / 3 - 0.5;
        if (py < 1 || px < 1 || py > h - 3 || px > w - 3) continue;
        expect(values[oy * 3 * w + ox]).toBeCloseTo(q(py, px), 3);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    out.dispose();
  });

  it('keeps a rank-3 image rank 3 and equals the batched result', () => {
    const x = seededTensor([7, 9, 3], 5) as tf.Tensor3D;
    const y = resizeBicubic(x, [3, 4]);
    expect(y.shape).toEqual([3, 4, 3]);
    const batched = resizeBicubic(tf.stack([x, tf.reverse(x, 0)]) as tf.Tensor4D, [3, 4]);
    expectClose(y, tf.squeeze(tf.slice(batched, [0], [1]), [0]), 1e-6);
    tf.dispose([x, y, batched]);
  });

  it('returns a copy (clamped if asked) for the same size', () => {
    const x = seededTensor([1, 4, 5, 2], 6, 2) as tf.Tensor4D;
    const same = resizeBicubic(x, [4, 5]);
    expectClose(same, x, 0);
    same.dispose();
    expect(x.isDisposed).toBe(false);
    const clamped = resizeBicubic(x, [4, 5], { clamp: [-1, 1] });
    expectClose(clamped, tf.clipByValue(x, -1, 1), 0);
    tf.dispose([x, clamped]);
  });

  it('has the gradient of the linear map (finite differences), also through the clamp', () => {
    const weights = seededTensor([1, 3, 4, 2], 7);
    const x = seededTensor([1, 7, 6, 2], 8);
    checkGradient((p) => tf.sum(tf.mul(resizeBicubic(p as tf.Tensor4D, [3, 4]), weights)), x, 1e-2, 1e-3, 'down');
    const up = seededTensor([1, 9, 8, 2], 9);
    checkGradient(
      (p) => tf.sum(tf.mul(resizeBicubic(p as tf.Tensor4D, [9, 8]), up)),
      seededTensor([1, 4, 3, 2], 10),
      1e-2,
      1e-3,
      'up',
    );
    // Inside the clamp range the clamp passes the gradient through; the inputs stay well inside.
    checkGradient(
      (p) => tf.sum(tf.mul(resizeBicubic(p as tf.Tensor4D, [3, 4], { clamp: [-5, 5] }), weights)),
      x,
      1e-2,
      1e-3,
      'clamped',
    );
    tf.dispose([weights, x, up]);
  });

  it('refuses bad images, sizes and options, naming the argument', () => {
    const x = tf.zeros<tf.Rank.R4>([1, 4, 4, 3]);
    const bad = (f: () => unknown, type: typeof ConfigError | typeof ShapeError, message: RegExp): void => {
      expect(f).toThrow(type);
      expect(f).toThrow(message);
    };
    bad(
      () => resizeBicubic(tf.zeros([4, 4]) as unknown as tf.Tensor3D, [2, 2]),
      ShapeError,
      /^images: got shape \[4,4\], expected rank 3 or 4/,
    );
    bad(
      () => resizeBicubic(tf.zeros([1, 1, 4, 4, 3]) as unknown as tf.Tensor4D, [2, 2]),
      ShapeError,
      /images: got shape \[1,1,4,4,3\]/,
    );
    bad(
      () => resizeBicubic(tf.zeros<tf.Rank.R4>([1, 0, 4, 3]), [2, 2]),
      ShapeError,
      /images: got shape \[1,0,4,3\], expected no empty axis/,
    );
    bad(
      () => resizeBicubic(tf.zeros<tf.Rank.R3>([4, 4, 3], 'int32'), [2, 2]),
      ConfigError,
      /images.dtype: got 'int32', expected 'float32'/,
    );
    bad(
      () => resizeBicubic([[1]] as unknown as tf.Tensor3D, [2, 2]),
      ConfigError,
      /images: got \[\[1\]\], expected a float32 tf.Tensor3D/,
    );
    for (const size of [[2], [2, 2, 2], [0, 2], [2, -1], [2.5, 2], ['2', 2], 2, null]) {
      bad(
        () => resizeBicubic(x, size as unknown as [number, number]),
        ConfigError,
        /^size: got .*, expected \[height, width\], two integers >= 1/,
      );
    }
    bad(
      () => resizeBicubic(x, [2, 2], { antialias: 'yes' as unknown as boolean }),
      ConfigError,
      /options.antialias: got 'yes', expected true or false/,
    );
    bad(
      () => resizeBicubic(x, [2, 2], { clamp: [1, 0] }),
      ConfigError,
      /options.clamp: got \[1,0\], expected \[low, high\]/,
    );
    bad(() => resizeBicubic(x, [2, 2], { clamp: [0, Infinity] }), ConfigError, /options.clamp/);
    bad(() => resizeBicubic(x, [2, 2], { clamp: [0] as unknown as [number, number] }), ConfigError, /options.clamp/);
    bad(
      () => resizeBicubic(x, [2, 2], { antialas: false } as never),
      ConfigError,
      /options.antialas: got false, expected no such option/,
    );
    bad(() => resizeBicubic(x, [2, 2], null as never), ConfigError, /^options: got null/);
    x.dispose();
  });

  it('leaks no tensor: success, errors, inside a tidy', async () => {
    const x = seededTensor([2, 9, 7, 3], 11) as tf.Tensor4D;
    await expectNoLeak(() => resizeBicubic(x, [4, 3]).dispose());
    await expectNoLeak(() => resizeBicubic(x, [18, 5], { clamp: [0, 1], antialias: false }).dispose());
    await expectNoLeak(() => resizeBicubic(x, [9, 7]).dispose());
    await expectNoLeak(() => expect(() => resizeBicubic(x, [0, 3])).toThrow());
    await expectNoLeak(() => expect(() => resizeBicubic(x, [2, 3], { clamp: [2, 1] })).toThrow());
    await expectNoLeak(() => tf.tidy(() => tf.sum(resizeBicubic(x, [5, 5]))).dispose());
    await expectNoLeak(() =>
      tf
        .grad((p: tf.Tensor) => tf.sum(resizeBicubic(p as tf.Tensor4D, [3, 3])))(x)
        .dispose(),
    );
    x.dispose();
  });

  it('properties: shape, constants stay constant, linearity, the overshoot envelope, the clamp', () => {
    const dims = fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 24 }),
      w: fc.integer({ min: 1, max: 24 }),
      c: fc.integer({ min: 1, max: 3 }),
      oh: fc.integer({ min: 1, max: 24 }),
      ow: fc.integer({ min: 1, max: 24 }),
      antialias: fc.boolean(),
      seed: fc.integer({ min: 1, max: 10_000 }),
      value: fc.double({ min: -300, max: 300, noNaN: true }),
    });
    fc.assert(
      fc.property(dims, ({ n, h, w, c, oh, ow, antialias, seed, value }) => {
        tf.tidy(() => {
          const options = { antialias };
          // shape
          const x = seededTensor([n, h, w, c], seed, 10) as tf.Tensor4D;
          const y = resizeBicubic(x, [oh, ow], options);
          expect(y.shape).toEqual([n, oh, ow, c]);
          // constants: rows of weights sum to 1
          const k = resizeBicubic(tf.fill<tf.Rank.R4>([n, h, w, c], value), [oh, ow], options);
          expectClose(k, tf.fill([n, oh, ow, c], value), 1e-4 * Math.max(1, Math.abs(value)));
          // linearity: resize(a·x + b·z) = a·resize(x) + b·resize(z)
          const z = seededTensor([n, h, w, c], seed + 1, 10) as tf.Tensor4D;
          const lhs = resizeBicubic(tf.add<tf.Tensor4D>(tf.mul(x, 2.5), tf.mul(z, -0.75)), [oh, ow], options);
          const rhs = tf.add(tf.mul(y, 2.5), tf.mul(resizeBicubic(z, [oh, ow], options), -0.75));
          expectClose(lhs, rhs, 1e-4);
          // envelope: within [min − c·r, max + c·r], c = ν for a one-axis resize, 2ν(1 + ν) for two
          const lo = tf.min(x).dataSync()[0] as number;
          const hi = tf.max(x).dataSync()[0] as number;
          const axes = (oh !== h ? 1 : 0) + (ow !== w ? 1 : 0);
          const slack = (axes === 2 ? NU_2D : axes === 1 ? NU : 0) * (hi - lo) + 1e-4;
          expect(tf.min(y).dataSync()[0]).toBeGreaterThanOrEqual(lo - slack);
          expect(tf.max(y).dataSync()[0]).toBeLessThanOrEqual(hi + slack);
          // clamp: inside the bounds, and equal to the unclamped result where that is inside
          const clamped = resizeBicubic(x, [oh, ow], { ...options, clamp: [-2, 3] });
          expect(tf.min(clamped).dataSync()[0]).toBeGreaterThanOrEqual(-2);
          expect(tf.max(clamped).dataSync()[0]).toBeLessThanOrEqual(3);
          if (h === oh || w === ow) expectClose(clamped, tf.clipByValue(y, -2, 3), 1e-5);
        });
      }),
      { seed: 19, numRuns: 40 },
    );
  });
});
