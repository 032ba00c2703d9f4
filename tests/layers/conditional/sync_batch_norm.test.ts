/**
 * GAN Compression's SuperSynchronizedBatchNorm2d (reference notes §1.1) runs a narrower input by
 * zero-padding it to the full width, normalising with full-width statistics and keeping the first
 * C outputs. Batch norm is per channel, so this equals what ElasticBatchNorm does — prefix-slice
 * the statistics — for the outputs in training and inference. The running statistics differ in
 * two documented ways, pinned here against the PyTorch fixture.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ElasticBatchNorm } from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectClose, expectNoLeak } from '../../helpers/tensors.js';
import { disposeWeights } from '../../helpers/weights.js';
import { fillLayer, fixture, fromFixture, hashedInput } from './hashed.js';

const ref = fixture();

describeBackends("ElasticBatchNorm is GAN Compression's SyncBN on a narrower input", () => {
  /** SPADE's parameter-free norm: PyTorch's eps 1e-5 and momentum 0.1 (0.9 in the tfjs convention). */
  const build = (): { bn: ElasticBatchNorm; x: tf.Tensor } => {
    const bn = new ElasticBatchNorm({ name: 'sync', center: false, scale: false, epsilon: 1e-5, momentum: 0.9 });
    tf.dispose(bn.apply(tf.zeros([1, 4, 5, 6])) as tf.Tensor);
    fillLayer(bn, ref.scale);
    return { bn, x: hashedInput('bn_x', [3, 4, 5, 4], 3) };
  };

  it('inference: the first 4 of 6 running statistics equal zero-padding to 6 and keeping 4 outputs', async () => {
    const { bn, x } = build();
    await expectNoLeak(() => tf.tidy(() => expectClose(bn.apply(x) as tf.Tensor, fromFixture(ref.sync_bn.eval), 1e-5)));
    tf.dispose(x);
    disposeWeights(bn);
  });

  it('training: batch statistics of the 4 channels equal those of the zero-padded 6 (the padding is per channel)', async () => {
    const { bn, x } = build();
    const before = bn.getWeights().map((w) => Array.from(w.dataSync()));
    await expectNoLeak(() =>
      tf.tidy(() => expectClose(bn.apply(x, { training: true }) as tf.Tensor, fromFixture(ref.sync_bn.train), 1e-5)),
    );
    const [mean, variance] = bn.getWeights().map((w) => Array.from(w.dataSync())) as [number[], number[]];
    const [mean0, var0] = before as [number[], number[]];
    const n = 3 * 4 * 5;
    // Running mean of the active channels: identical to PyTorch's.
    expectClose(mean.slice(0, 4), ref.sync_bn.runningMean.slice(0, 4), 1e-6);
    // Running variance: PyTorch mixes in the unbiased batch variance, ElasticBatchNorm (tfjs/Keras
    // convention) the biased one: their increments differ by n/(n − 1).
    const ours = variance.slice(0, 4).map((v, c) => v - 0.9 * (var0[c] as number));
    const torch = ref.sync_bn.runningVar.slice(0, 4).map((v, c) => v - 0.9 * (var0[c] as number));
    expectClose(
      ours.map((d) => (d * n) / (n - 1)),
      torch,
      1e-6,
    );
    expect(Math.abs((ours[0] as number) - (torch[0] as number))).toBeGreaterThan(1e-4);
    // The inactive channels: ElasticBatchNorm keeps them; PyTorch decays them towards the padded
    // zeros (mean and variance 0.9·old), which GAN Compression's re-calibration before each
    // evaluation overwrites.
    expect(mean.slice(4)).toEqual(mean0.slice(4));
    expect(variance.slice(4)).toEqual(var0.slice(4));
    expectClose(
      ref.sync_bn.runningMean.slice(4),
      mean0.slice(4).map((v) => 0.9 * v),
      1e-6,
    );
    expectClose(
      ref.sync_bn.runningVar.slice(4),
      var0.slice(4).map((v) => 0.9 * v),
      1e-6,
    );
    tf.dispose(x);
    disposeWeights(bn);
  });
});
