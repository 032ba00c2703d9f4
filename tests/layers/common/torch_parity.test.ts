import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  ConvTranspose2d,
  convTranspose2d,
  InstanceNorm,
  instanceNorm,
  pad2d,
  ReflectionPad2d,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../../helpers/fixtures.js';
import { expectClose, expectNoLeak } from '../../helpers/tensors.js';
import { disposeWeights } from '../../helpers/weights.js';

interface Fixture {
  reflectionPadInput: FixtureTensor;
  reflectionPad: { pads: [number, number, number, number]; y: FixtureTensor }[];
  instanceNorm: { affine: boolean; x: FixtureTensor; y: FixtureTensor; gamma?: number[]; beta?: number[] }[];
  convTransposeInput: FixtureTensor;
  convTranspose: {
    kernelSize: [number, number];
    strides: number;
    padding: number;
    outputPadding: number;
    dilationRate: number;
    filter: FixtureTensor;
    bias: number[];
    y: FixtureTensor;
  }[];
}

// Outputs of torch 1.13 (tests/fixtures/scripts/common_torch.py), converted to NHWC there.
const fx = readFixture<Fixture>('common_torch');

describeBackends('PyTorch parity of the static layers', () => {
  it('pad2d(reflect) and ReflectionPad2d equal torch.nn.ReflectionPad2d', async () => {
    const x = fromFixture(fx.reflectionPadInput) as tf.Tensor4D;
    for (const c of fx.reflectionPad) {
      await expectNoLeak(() => {
        const y = pad2d(x, c.pads, 'reflect');
        // Exact: padding only moves float32 values.
        const expected = Float32Array.from(c.y.data);
        expectClose(y, expected, 0, 0, `pads ${c.pads}`);
        expect(y.shape).toEqual(c.y.shape);
        const layer = new ReflectionPad2d({ padding: c.pads });
        const z = layer.apply(x) as tf.Tensor;
        expectClose(z, expected, 0, 0, `layer pads ${c.pads}`);
        expect(layer.computeOutputShape(x.shape)).toEqual(c.y.shape);
        tf.dispose([y, z]);
      });
    }
    x.dispose();
  });

  it('instanceNorm and InstanceNorm equal torch.nn.InstanceNorm2d (biased variance, eps 1e-5)', async () => {
    for (const c of fx.instanceNorm) {
      const x = fromFixture(c.x) as tf.Tensor4D;
      await expectNoLeak(() => {
        const gamma = c.gamma ? tf.tensor1d(c.gamma) : undefined;
        const beta = c.beta ? tf.tensor1d(c.beta) : undefined;
        const y = instanceNorm(x, { gamma, beta });
        expectClose(y, c.y.data, 1e-5, 0, `affine ${c.affine}`);
        const layer = new InstanceNorm({ affine: c.affine });
        layer.build(x.shape);
        if (c.affine) layer.setWeights([gamma as tf.Tensor, beta as tf.Tensor]);
        expect(layer.countParams()).toBe(c.affine ? 8 : 0);
        const z = layer.apply(x) as tf.Tensor;
        expectClose(z, c.y.data, 1e-5, 0, `layer affine ${c.affine}`);
        tf.dispose([y, z, gamma, beta].filter((t): t is tf.Tensor => t != null));
        disposeWeights(layer);
      });
      x.dispose();
    }
  });

  it('convTranspose2d and ConvTranspose2d equal torch.nn.ConvTranspose2d for every (k, s, p, op, d)', async () => {
    const x = fromFixture(fx.convTransposeInput) as tf.Tensor4D;
    for (const c of fx.convTranspose) {
      const label = `k${c.kernelSize} s${c.strides} p${c.padding} op${c.outputPadding} d${c.dilationRate}`;
      const filter = fromFixture(c.filter) as tf.Tensor4D;
      const bias = tf.tensor1d(c.bias);
      await expectNoLeak(() => {
        const y = convTranspose2d(x, filter, bias, c);
        expect(y.shape, label).toEqual(c.y.shape);
        expectClose(y, c.y.data, 1e-5, 0, label);
        const { kernelSize, strides, padding, outputPadding, dilationRate } = c;
        const layer = new ConvTranspose2d({ filters: 2, kernelSize, strides, padding, outputPadding, dilationRate });
        const z = layer.apply(x) as tf.Tensor;
        layer.setWeights([filter, bias]);
        const z2 = layer.apply(x) as tf.Tensor;
        expectClose(z2, c.y.data, 1e-5, 0, `layer ${label}`);
        expect(layer.computeOutputShape(x.shape), label).toEqual(c.y.shape);
        tf.dispose([y, z, z2]);
        disposeWeights(layer);
      });
      tf.dispose([filter, bias]);
    }
    x.dispose();
  });
});
