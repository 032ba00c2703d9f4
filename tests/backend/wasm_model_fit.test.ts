import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { expectClose, seededTensor } from '../helpers/tensors.js';

// A tf.layers model with every conv layer type, trained 3 steps with model.fit on each backend
// from identical seeded initial weights and identical data: the wasm run (the library's kernels)
// must end with the cpu run's weights.

function buildModel(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const input = tfl.input({ shape: [9, 9, 3] });
  let h = tfl.layers
    .conv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) })
    .apply(input) as tfl.SymbolicTensor;
  h = tfl.layers
    .depthwiseConv2d({
      kernelSize: 3,
      strides: 2,
      depthMultiplier: 2,
      padding: 'same',
      activation: 'tanh',
      depthwiseInitializer: init(2),
    })
    .apply(h) as tfl.SymbolicTensor;
  h = tfl.layers
    .separableConv2d({
      filters: 6,
      kernelSize: 3,
      padding: 'valid',
      depthMultiplier: 2,
      activation: 'relu',
      depthwiseInitializer: init(3),
      pointwiseInitializer: init(4),
    })
    .apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers
    .conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init(5) })
    .apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  model.compile({ optimizer: tf.train.sgd(0.25), loss: 'meanSquaredError' });
  return model;
}

async function trainedWeights(
  backend: 'cpu' | 'wasm',
): Promise<{ initial: Float32Array[]; final: Float32Array[]; losses: number[] }> {
  await tf.setBackend(backend);
  const model = buildModel();
  const initial = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const x = seededTensor([4, 9, 9, 3], 7);
  const y = seededTensor([4, 6, 6, 2], 8);
  const before = tf.memory().numTensors;
  const history = await model.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
  expect(tf.memory().numTensors, `tensors leaked by fit on ${backend}`).toBe(before);
  const final = model.getWeights().map((w) => w.dataSync() as Float32Array);
  tf.dispose([x, y]);
  model.dispose();
  return { initial, final, losses: history.history['loss'] as number[] };
}

beforeAll(async () => {
  await initBackend('cpu');
  await initBackend('wasm');
});

describe('model.fit with Conv2D, DepthwiseConv2D, SeparableConv2D and Conv2DTranspose', () => {
  it('3 steps on wasm end with the same weights as on cpu (≤ 1e-4)', async () => {
    const cpu = await trainedWeights('cpu');
    const wasm = await trainedWeights('wasm');
    expect(wasm.initial.length).toBe(9); // 4 kernels + 2 separable kernels + 3 biases
    wasm.initial.forEach((w, i) => expectClose(w, cpu.initial[i] as Float32Array, 0, 0, `initial weight ${i}`));
    let moved = 0;
    wasm.final.forEach((w, i) => {
      expectClose(w, cpu.final[i] as Float32Array, 1e-4, 0, `weight ${i} after 3 steps`);
      for (let j = 0; j < w.length; j++)
        moved = Math.max(moved, Math.abs((w[j] as number) - ((wasm.initial[i] as Float32Array)[j] as number)));
    });
    // Training really happened: weights moved by far more than the tolerance and the loss fell.
    expect(moved, 'largest weight change').toBeGreaterThan(5e-3);
    expect(wasm.losses[2]).toBeLessThan(wasm.losses[0] as number);
    expectClose(wasm.losses, cpu.losses, 0, 1e-5, 'losses');
  });
});
