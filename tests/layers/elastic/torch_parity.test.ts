import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { elasticKernel, ElasticSeparableConv2d, OnceForAllConv } from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../../helpers/fixtures.js';
import { expectClose, expectNoLeak } from '../../helpers/tensors.js';
import { disposeWeights } from '../../helpers/weights.js';

interface Fixture {
  kernelTransform: {
    kernel: FixtureTensor;
    m7to5: FixtureTensor;
    m5to3: FixtureTensor;
    x: FixtureTensor;
    cases: { k: number; filter: FixtureTensor; y: FixtureTensor }[];
  };
  reflectConv: { kernel: FixtureTensor; bias: number[]; x: FixtureTensor; y: FixtureTensor };
  separable: {
    depthwiseKernel: FixtureTensor;
    depthwiseBias: number[];
    pointwiseKernel: FixtureTensor;
    bias: number[];
    x: FixtureTensor;
    y: FixtureTensor;
  };
}

// torch 1.13 outputs from tests/fixtures/scripts/elastic_torch.py (OFA's get_active_filter
// procedure re-implemented there with F.linear, and GAN Compression's separable conv).
const fx = readFixture<Fixture>('elastic_torch');

describeBackends('elastic layers vs PyTorch', () => {
  it("elasticKernel reproduces OFA's active filters (7 → 5 → 3 with learned matrices)", async () => {
    const kt = fx.kernelTransform;
    const kernel = fromFixture(kt.kernel) as tf.Tensor4D;
    const matrices = { '7to5': fromFixture(kt.m7to5), '5to3': fromFixture(kt.m5to3) };
    for (const c of kt.cases) {
      await expectNoLeak(() => {
        const active = elasticKernel(kernel, c.k, [3, 5, 7], matrices);
        expectClose(active, c.filter.data, 1e-5, 0, `k ${c.k}`);
        if (active !== kernel) active.dispose();
      });
    }
    tf.dispose([kernel, ...Object.values(matrices)]);
  });

  it('OnceForAllConv with those matrices equals torch conv2d at k = 7, 5, 3 (padding 3 → k//2)', async () => {
    const kt = fx.kernelTransform;
    const conv = new OnceForAllConv({
      filters: 3,
      kernelSize: 7,
      kernelSizeChoices: [3, 5, 7],
      padding: 3,
      useBias: false,
    });
    conv.build([null, 6, 6, 2]);
    const weights = [fromFixture(kt.kernel), fromFixture(kt.m7to5), fromFixture(kt.m5to3)];
    conv.setWeights(weights);
    const x = fromFixture(kt.x);
    for (const c of kt.cases) {
      conv.setActive({ kernelSize: c.k });
      await expectNoLeak(() => {
        const y = conv.apply(x) as tf.Tensor;
        expectClose(y, c.y.data, 1e-5, 0, `k ${c.k}`);
        y.dispose();
      });
    }
    tf.dispose([x, ...weights]);
    disposeWeights(conv);
  });

  it('OnceForAllConv with reflect padding, stride 2 and sliced widths equals torch (F.pad reflect + conv2d)', () => {
    const rc = fx.reflectConv;
    const conv = new OnceForAllConv({
      filters: 5,
      kernelSize: 5,
      kernelSizeChoices: [3, 5],
      padding: 2,
      padMode: 'reflect',
      strides: 2,
    });
    conv.build([null, 7, 8, 4]);
    const weights = [fromFixture(rc.kernel), tf.tensor1d(rc.bias), tf.eye(9)];
    conv.setWeights(weights);
    conv.setActive({ outChannels: 2, kernelSize: 3 });
    const x = fromFixture(rc.x);
    const y = conv.apply(x) as tf.Tensor;
    expectClose(y, rc.y.data, 1e-5, 0, 'reflect conv');
    tf.dispose([x, y, ...weights]);
    disposeWeights(conv);
  });

  it("ElasticSeparableConv2d equals GAN Compression's separable conv on sliced weights", () => {
    const s = fx.separable;
    const sep = new ElasticSeparableConv2d({ filters: 6, kernelSize: 3, depthMultiplier: 2, padding: 1 });
    sep.build([null, 5, 5, 4]);
    const weights = [
      fromFixture(s.depthwiseKernel),
      tf.tensor1d(s.depthwiseBias),
      fromFixture(s.pointwiseKernel),
      tf.tensor1d(s.bias),
    ];
    sep.setWeights(weights);
    sep.setActive({ outChannels: 4 });
    const x = fromFixture(s.x);
    const y = sep.apply(x) as tf.Tensor;
    expectClose(y, s.y.data, 1e-5, 0, 'separable');
    tf.dispose([x, y, ...weights]);
    disposeWeights(sep);
  });
});
