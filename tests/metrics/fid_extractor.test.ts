import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { extractFeatureStats, FeatureStats, fid, fidFromExtractor } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { uniform } from './generator.js';

// PyTorch F.interpolate(bilinear, align_corners=False) outputs, from tests/fixtures/scripts/metrics_image.py.
const resizeFixture = (
  JSON.parse(readFileSync(new URL('../fixtures/metrics_image.json', import.meta.url), 'utf8')) as {
    resize: { seed: number; shape: [number, number, number, number]; size: [number, number]; output: number[] }[];
  }
).resize;

const flatten = (x: tf.Tensor4D): tf.Tensor => tf.reshape(x, [x.shape[0], -1]);

function tinyModel(): tfl.Sequential {
  // A fixed linear map of the resized image to 16 features (seeded weights): a stand-in for Inception.
  return tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [8, 8, 3] }),
      tfl.layers.dense({
        units: 16,
        kernelInitializer: tfl.initializers.randomNormal({ seed: 3 }),
        biasInitializer: 'zeros',
      }),
    ],
  });
}

describeBackends('extractFeatureStats / fidFromExtractor', () => {
  it('resizes as PyTorch bilinear with align_corners=False (pytorch-fid’s input resize)', async () => {
    for (const c of resizeFixture) {
      const x = tf.tensor4d(
        Float32Array.from(
          uniform(
            c.seed,
            c.shape.reduce((a, b) => a * b, 1),
          ),
        ),
        c.shape,
      );
      // With one image, the statistics' mean is the extractor input itself.
      const stats = await expectNoLeak(() => extractFeatureStats(flatten, x, { size: c.size }));
      expect(stats.count).toBe(1);
      expectClose(stats.mean(), c.output, 1e-6);
      x.dispose();
    }
  });

  it('batched extraction equals extracting everything at once, for tensors, image lists and async batches', async () => {
    const model = tinyModel();
    const a = seededTensor([23, 12, 10, 3], 1) as tf.Tensor4D;
    const b = tf.add<tf.Tensor4D>(seededTensor([17, 12, 10, 3], 2, 0.8), 0.1);
    const direct = tf.tidy(() => {
      const fa = model.predict(tf.image.resizeBilinear(a, [8, 8], false, true)) as tf.Tensor2D;
      const fb = model.predict(tf.image.resizeBilinear(b, [8, 8], false, true)) as tf.Tensor2D;
      return [fa.arraySync(), fb.arraySync()];
    });
    const expected = fid(direct[0] as number[][], direct[1] as number[][]);
    const options = { batchSize: 5, size: [8, 8] as [number, number] };
    const fromTensors = await expectNoLeak(() => fidFromExtractor(model, a, b, options));
    expect(Math.abs(fromTensors - expected) / expected).toBeLessThan(1e-5);
    // A list of [H, W, C] images, and an async generator of uneven batches.
    const images = tf.unstack(a) as tf.Tensor3D[];
    async function* chunks(): AsyncGenerator<tf.Tensor4D> {
      for (let i = 0; i < 17; i += 7) yield tf.slice(b, [i, 0, 0, 0], [Math.min(7, 17 - i), -1, -1, -1]);
    }
    const produced: tf.Tensor[] = [];
    const fromLists = await fidFromExtractor(
      (x: tf.Tensor4D) => model.predict(x) as tf.Tensor,
      images,
      (async function* () {
        for await (const c of chunks()) {
          produced.push(c);
          yield c;
        }
      })(),
      options,
    );
    expect(Math.abs(fromLists - expected) / expected).toBeLessThan(1e-5);
    // The caller's tensors are left alone.
    expect(images.every((t) => !t.isDisposed) && produced.every((t) => !t.isDisposed)).toBe(true);
    tf.dispose([...images, ...produced]);
    // Precomputed statistics on one side.
    const stats = await extractFeatureStats(model, b, options);
    expect(stats.count).toBe(17);
    const fromStats = await fidFromExtractor(model, a, FeatureStats.fromBinary(stats.toBinary()), options);
    expect(fromStats).toBeCloseTo(fromTensors, 9);
    tf.dispose([a, b]);
    model.dispose();
  });

  it('accepts pooled [B, 1, 1, d] outputs and int32 images', async () => {
    const x = tf.tensor4d(
      Int32Array.from({ length: 4 * 3 * 3 * 2 }, (_, i) => (i * 7) % 11),
      [4, 3, 3, 2],
      'int32',
    );
    const pooled = (t: tf.Tensor4D): tf.Tensor => tf.mean(t, [1, 2], true);
    const stats = await expectNoLeak(() => extractFeatureStats(pooled, x, { batchSize: 3 }));
    const expectedMean = tf.tidy(() => tf.mean(tf.mean(tf.cast(x, 'float32'), [1, 2]), 0).arraySync() as number[]);
    expectClose(stats.mean(), expectedMean, 1e-6);
    x.dispose();
  });

  it('rejects bad extractors, outputs and options with clear messages, leaking nothing', async () => {
    const x = seededTensor([3, 4, 4, 1], 5) as tf.Tensor4D;
    const zeros4 = tf.zeros<tf.Rank.R4>([2, 2, 2, 1]);
    const rank2 = tf.zeros([2, 2]);
    const rank3 = tf.zeros([2, 2, 2]);
    await expectNoLeak(async () => {
      await expect(extractFeatureStats(42 as never, x)).rejects.toThrow(
        /extractor: got 42, expected a model with predict\(\)/,
      );
      await expect(extractFeatureStats(flatten, x, { batchSize: 0 })).rejects.toThrow(
        /options.batchSize: got 0, expected an integer >= 1/,
      );
      await expect(extractFeatureStats(flatten, x, { size: [0, 3] })).rejects.toThrow(/options.size\[0\]: got 0/);
      await expect(extractFeatureStats((t) => t, x)).rejects.toThrow(
        /extractor output for batch 0: got shape \[3,4,4,1\], expected \[3, d\] or \[3, 1, 1, d\]/,
      );
      await expect(extractFeatureStats((t) => tf.tidy(() => tf.div(flatten(t), 0)), zeros4)).rejects.toThrow(
        /extractor output for batch 0, \[0\]\[0\]: got NaN, expected a finite feature value/,
      );
      await expect(extractFeatureStats({ predict: (t: tf.Tensor) => [tf.clone(t), tf.clone(t)] }, x)).rejects.toThrow(
        /extractor.predict output: got '2 tensors', expected a single tf.Tensor/,
      );
      await expect(extractFeatureStats(flatten, [])).rejects.toThrow(
        /images: got 'no images', expected at least one image/,
      );
      await expect(extractFeatureStats(flatten, [rank2 as never])).rejects.toThrow(
        /images\[0\]: got 'a tensor of shape \[2,2\]'/,
      );
      await expect(extractFeatureStats(flatten, rank3 as never)).rejects.toThrow(
        /images: got shape \[2,2,2\], expected rank 4/,
      );
    });
    tf.dispose([x, zeros4, rank2, rank3]);
  });
});

it('fidFromExtractor with statistics on both sides needs no extractor call', async () => {
  const s = FeatureStats.fromFeatures([
    [0, 1],
    [1, 0],
    [2, 2],
  ]);
  let calls = 0;
  const value = await fidFromExtractor(
    () => {
      calls++;
      return tf.zeros([1, 2]);
    },
    s,
    s.toGaussian(),
  );
  expect(calls).toBe(0);
  expect(Math.abs(value)).toBeLessThan(1e-12);
});
