import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { ElasticConv2dTranspose, ElasticSeparableConv2d, OnceForAllConv } from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../../helpers/tensors.js';
import { randomizeWeights } from '../../helpers/weights.js';

function net(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 3] });
  let x = new OnceForAllConv({ name: 'c', filters: 6, kernelSize: 5, kernelSizeChoices: [3, 5], padding: 2 }).apply(
    input,
  ) as tfl.SymbolicTensor;
  x = new ElasticSeparableConv2d({ name: 's', filters: 5, kernelSize: 3, padding: 1 }).apply(x) as tfl.SymbolicTensor;
  x = new ElasticConv2dTranspose({
    name: 't',
    filters: 4,
    kernelSize: 3,
    strides: 2,
    padding: 1,
    outputPadding: 1,
  }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x });
  for (const [i, l] of model.layers.entries()) if (l.weights.length > 0) randomizeWeights(l, 800 + i);
  return model;
}

function set(model: tfl.LayersModel, out: number, k: number): void {
  (model.getLayer('c') as OnceForAllConv).setActive({ outChannels: out, kernelSize: k });
  (model.getLayer('s') as ElasticSeparableConv2d).setActive({ outChannels: out - 1 });
}

describeBackends('the inference cache of active weights', () => {
  it('is bounded, follows setActive and weight writes, and never changes results', async () => {
    const model = net();
    const x = seededTensor([1, 6, 6, 3], 1);
    set(model, 4, 3);
    const first = model.predict(x) as tf.Tensor;
    const base = tf.memory().numTensors;
    const second = model.predict(x) as tf.Tensor; // fills the cache
    const grown = tf.memory().numTensors - base - 1;
    expect(grown).toBeGreaterThan(0);
    await expectNoLeak(() => {
      for (let i = 0; i < 3; i++) {
        const y = model.predict(x) as tf.Tensor;
        expectClose(y, first, 0, 0, `cached call ${i}`);
        y.dispose();
      }
    });
    // setActive frees the layer's entry; the first call at a new setting drops stale entries
    // (the transposed conv's input width changed) and keeps nothing new.
    const beforeSet = tf.memory().numTensors;
    set(model, 3, 5);
    expect(tf.memory().numTensors).toBeLessThan(beforeSet);
    tf.dispose(model.predict(x));
    expect(tf.memory().numTensors).toBe(base + 1);
    // A weight write invalidates: outputs follow the new weights.
    set(model, 4, 3);
    tf.dispose([model.predict(x), model.predict(x)]);
    const conv = model.getLayer('c');
    const scaled = conv.getWeights().map((w, i) => tf.mul(w, i === 0 ? 2 : 1));
    conv.setWeights(scaled);
    tf.dispose(scaled);
    const after = model.predict(x) as tf.Tensor;
    expect(Math.max(...Array.from(tf.tidy(() => tf.abs(tf.sub(after, first))).dataSync()))).toBeGreaterThan(1e-3);
    tf.dispose([first, second, after, x]);
    model.dispose();
  });

  it('is never used while gradients are recorded (custom loops without training: true)', () => {
    const model = net();
    const x = seededTensor([1, 6, 6, 3], 2);
    set(model, 4, 3);
    tf.dispose([model.predict(x), model.predict(x)]);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum<tf.Scalar>(model.apply(x) as tf.Tensor), vars);
    const kernel = grads[(model.getLayer('c').weights[0]!.read() as tf.Variable).name];
    expect(kernel, 'the conv kernel gets a gradient').toBeDefined();
    expect(tf.tidy(() => tf.sum(tf.abs(kernel as tf.Tensor)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([x, value, ...Object.values(grads)]);
    model.dispose();
  });
});
