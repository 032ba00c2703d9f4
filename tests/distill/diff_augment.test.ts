import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  applyDiffAugment,
  ConfigError,
  diffAugment,
  type DiffAugmentDraw,
  drawDiffAugment,
  ShapeError,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';

interface Fixture {
  diffAugment: {
    images: FixtureTensor;
    brightness: number[];
    saturation: number[];
    contrast: number[];
    dy: number[];
    dx: number[];
    top: number[];
    left: number[];
    cut: number;
    y: FixtureTensor;
  };
}

const fx = readFixture<Fixture>('distill_torch').diffAugment;

/** DiffAugment's translation and cutout, element by element (a slow second implementation). */
function slowGeometric(x: Float32Array, shape: number[], draw: DiffAugmentDraw): Float32Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let k = 0; k < c; k++) {
          let v = 0;
          const si = i + (draw.translation?.dy[b] ?? 0);
          const sj = j + (draw.translation?.dx[b] ?? 0);
          if (si >= 0 && si < h && sj >= 0 && sj < w) v = x[((b * h + si) * w + sj) * c + k] as number;
          const cut = draw.cutout;
          if (cut != null) {
            const top = cut.top[b] as number;
            const left = cut.left[b] as number;
            if (i >= top && i < top + cut.height && j >= left && j < left + cut.width) v = 0;
          }
          out[((b * h + i) * w + j) * c + k] = v;
        }
  return out;
}

describeBackends('diffAugment', () => {
  it('a given draw equals DiffAugment in PyTorch (brightness, saturation, contrast, translation, cutout clipped at borders)', () => {
    const x = fromFixture(fx.images) as tf.Tensor4D;
    const draw: DiffAugmentDraw = {
      shape: x.shape,
      brightness: Float32Array.from(fx.brightness),
      saturation: Float32Array.from(fx.saturation),
      contrast: Float32Array.from(fx.contrast),
      translation: { dy: Int32Array.from(fx.dy), dx: Int32Array.from(fx.dx) },
      cutout: { top: Int32Array.from(fx.top), left: Int32Array.from(fx.left), height: fx.cut, width: fx.cut },
    };
    const y = applyDiffAugment(x, draw);
    expectClose(y, fromFixture(fx.y), 2e-6, 1e-6, 'augmented');
    tf.dispose([x, y]);
  });

  it('drawDiffAugment: ranges and sizes of DiffAugment (shift ≤ ⌊size/8 + ½⌋, cutout ⌊size/2 + ½⌋), reproducible from the seed', () => {
    const draw = drawDiffAugment([64, 24, 40, 3], { seed: 5 });
    expect(draw.brightness?.every((v) => v >= -0.5 && v < 0.5)).toBe(true);
    expect(draw.saturation?.every((v) => v >= 0 && v < 2)).toBe(true);
    expect(draw.contrast?.every((v) => v >= 0.5 && v < 1.5)).toBe(true);
    const t = draw.translation as NonNullable<DiffAugmentDraw['translation']>;
    expect(Math.max(...Array.from(t.dy, Math.abs))).toBe(3); // ⌊24/8 + ½⌋, reached in 64 draws
    expect(Math.max(...Array.from(t.dx, Math.abs))).toBe(5);
    const c = draw.cutout as NonNullable<DiffAugmentDraw['cutout']>;
    expect([c.height, c.width]).toEqual([12, 20]);
    expect(Array.from(c.top).every((v) => v >= -6 && v <= 24 - 6)).toBe(true);
    expect(drawDiffAugment([64, 24, 40, 3], { seed: 5 })).toEqual(draw);
    expect(drawDiffAugment([64, 24, 40, 3], { seed: 6 }).brightness).not.toEqual(draw.brightness);
    const only = drawDiffAugment([2, 8, 8, 3], { policy: 'cutout', seed: 1 });
    expect([only.brightness, only.translation]).toEqual([null, null]);
  });

  it('translation and cutout of random draws equal a slow per-element implementation (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat(10_000),
        (n, h, w, seed) => {
          const shape = [n, h, w, 2];
          const x = seededTensor(shape, seed + 1) as tf.Tensor4D;
          const draw = drawDiffAugment(shape, { policy: 'translation,cutout', seed });
          const y = applyDiffAugment(x, draw);
          expectClose(y, slowGeometric(x.dataSync() as Float32Array, shape, draw), 0, 0, 'geometric');
          tf.dispose([x, y]);
        },
      ),
      { seed: 17, numRuns: 40 },
    );
  });

  it('the same seed gives real and fake the same draw; diffAugment = applyDiffAugment(drawDiffAugment)', () => {
    const real = seededTensor([3, 8, 8, 3], 1) as tf.Tensor4D;
    const fake = seededTensor([3, 8, 8, 3], 2) as tf.Tensor4D;
    const [ar, af] = [diffAugment(real, { seed: 42 }), diffAugment(fake, { seed: 42 })];
    const draw = drawDiffAugment(real.shape, { seed: 42 });
    const [br, bf] = [applyDiffAugment(real, draw), applyDiffAugment(fake, draw)];
    expect(Array.from(ar.dataSync())).toEqual(Array.from(br.dataSync()));
    expect(Array.from(af.dataSync())).toEqual(Array.from(bf.dataSync()));
    // the cutout zeros sit at the same pixels of both
    const zr = Array.from(ar.dataSync(), (v) => v === 0);
    const zf = Array.from(af.dataSync(), (v) => v === 0);
    expect(zr.filter(Boolean).length).toBeGreaterThan(0);
    expect(zr).toEqual(zf);
    tf.dispose([real, fake, ar, af, br, bf]);
  });

  it('is differentiable with respect to the images (finite differences through every transformation)', () => {
    const x = seededTensor([2, 4, 4, 2], 3);
    const draw = drawDiffAugment([2, 4, 4, 2], { seed: 9 });
    const weights = seededTensor([2, 4, 4, 2], 4);
    checkGradient((p) => tf.sum(tf.mul(applyDiffAugment(p as tf.Tensor4D, draw), weights)), x, 1e-2, 2e-3, 'augment');
    tf.dispose([x, weights]);
  });

  it('an empty policy is the identity; no tensor leaks; bad input names the argument', async () => {
    const x = seededTensor([2, 4, 4, 3], 5) as tf.Tensor4D;
    const same = diffAugment(x, { policy: '', seed: 1 });
    expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()));
    same.dispose();
    await expectNoLeak(() => {
      tf.dispose(diffAugment(x, { seed: 3 }));
      tf.tidy(() => {
        diffAugment(x, { seed: 4 });
      });
    });
    expect(() => diffAugment(x, { policy: 'color,flip', seed: 1 })).toThrow(
      /options.policy: got 'color,flip', expected comma-separated names from color, translation, cutout \('flip' is not one\)/,
    );
    expect(() => diffAugment(x, {} as never)).toThrow(/options.seed: got undefined, expected an integer/);
    expect(() => diffAugment(x, { seed: 1, ratio: 2 } as never)).toThrow(ConfigError);
    expect(() => applyDiffAugment(x, drawDiffAugment([1, 4, 4, 3], { seed: 1 }))).toThrow(ShapeError);
    expect(() => diffAugment(tf.zeros([4, 4, 3]) as unknown as tf.Tensor4D, { seed: 1 })).toThrow(
      /images: got shape \[4,4,3\], expected rank 4/,
    );
    x.dispose();
  });
});
