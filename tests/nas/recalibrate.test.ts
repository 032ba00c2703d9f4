import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ConfigError, OnceForAllConv, recalibrateBatchNorm, setSubnet } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { buildSupernet } from './supernet.js';

const CONFIG = {
  stem: { outChannels: 5, kernelSize: 3 },
  sep2: { outChannels: 5 },
  conv3: { outChannels: 5 },
  up: { outChannels: 4 },
};

function stats(model: ReturnType<typeof buildSupernet>, layer: string): { mean: number[]; variance: number[] } {
  const get = (n: string): number[] =>
    Array.from(
      model.weights
        .find((w) => w.originalName === `${layer}/${n}`)!
        .read()
        .dataSync(),
    );
  return { mean: get('moving_mean'), variance: get('moving_variance') };
}

describeBackends('recalibrateBatchNorm', () => {
  it('writes the batch-size-weighted mean of batch means and biased variances into the first C entries', async () => {
    const model = buildSupernet(8);
    setSubnet(model, CONFIG);
    const b1 = seededTensor([2, 8, 8, 3], 31);
    const b2 = seededTensor([3, 8, 8, 3], 32, 2);
    const old = stats(model, 'stem_bn');
    const report = await recalibrateBatchNorm(model, [b1, b2]);
    expect(report.batches).toBe(2);
    expect(report.samples).toBe(5);
    expect(report.layers).toEqual([
      { name: 'stem_bn', channels: 5 },
      { name: 'bn2', channels: 5 },
      { name: 'head_bn', channels: 3 },
    ]);
    // stem is the first layer, so stem_bn's input is stem(x) for each batch.
    const stem = model.getLayer('stem') as OnceForAllConv;
    const moments = [b1, b2].map((b) =>
      tf.tidy(() => {
        const m = tf.moments(stem.apply(b) as tf.Tensor, [0, 1, 2]);
        return { mean: Array.from(m.mean.dataSync()), variance: Array.from(m.variance.dataSync()) };
      }),
    );
    const weighted = (key: 'mean' | 'variance'): number[] =>
      moments[0]![key].map((v, i) => (2 * v + 3 * (moments[1]![key][i] as number)) / 5);
    const now = stats(model, 'stem_bn');
    expectClose(now.mean.slice(0, 5), weighted('mean'), 1e-5, 1e-5, 'mean');
    expectClose(now.variance.slice(0, 5), weighted('variance'), 1e-5, 1e-5, 'variance');
    expect(now.mean.slice(5)).toEqual(old.mean.slice(5));
    expect(now.variance.slice(5)).toEqual(old.variance.slice(5));
    tf.dispose([b1, b2]);
    model.dispose();
  });

  it('after calibrating on one batch, inference equals batch-statistics (training-mode) normalisation everywhere', async () => {
    const model = buildSupernet(9, 8, 0);
    setSubnet(model, CONFIG);
    const b = seededTensor([4, 8, 8, 3], 33);
    const train = model.apply(b, { training: true }) as tf.Tensor;
    await recalibrateBatchNorm(model, b);
    const inference = model.predict(b) as tf.Tensor;
    expectClose(inference, train, 1e-4, 0, 'calibrated inference vs batch-statistics forward');
    tf.dispose([b, train, inference]);
    model.dispose();
  });

  it('takes generators and async iterables, leaves no tensors behind, and rejects non-tensors', async () => {
    const model = buildSupernet(10);
    // Two inference calls fill the elastic layers' active-weight caches (made on the second call
    // at a setting), so what remains to count is recalibrateBatchNorm's own tensors.
    const warm = seededTensor([1, 8, 8, 3], 1);
    for (let i = 0; i < 2; i++) tf.dispose(model.predict(warm));
    warm.dispose();
    await expectNoLeak(async () => {
      const r1 = await recalibrateBatchNorm(
        model,
        function* () {
          for (let i = 0; i < 3; i++) yield seededTensor([2, 8, 8, 3], 40 + i);
        },
        { disposeBatches: true },
      );
      expect(r1.batches).toBe(3);
      async function* source(): AsyncGenerator<tf.Tensor> {
        yield seededTensor([1, 8, 8, 3], 50);
      }
      const r2 = await recalibrateBatchNorm(model, source(), { disposeBatches: true });
      expect(r2.samples).toBe(1);
    });
    await expect(recalibrateBatchNorm(model, 42 as never)).rejects.toThrow(ConfigError);
    await expect(recalibrateBatchNorm(model, [[1, 2]] as never)).rejects.toThrow(
      /batches\[0\]: got \[1,2\], expected tensors/,
    );
    // The patched forward is removed even after a failure: normal inference works.
    const y = model.predict(seededTensor([1, 8, 8, 3], 2)) as tf.Tensor;
    expect(y.shape).toEqual([1, 16, 16, 3]);
    y.dispose();
    model.dispose();
  });
});
