import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { BackendError, ConfigError, initBackend } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/tensors.js';

describe('initBackend', () => {
  it('sets up cpu and wasm by name and returns the backend in use', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it("'auto' prefers tfjs-node and falls back to wasm when it is missing", async () => {
    const hasTfjsNode = await import(/* @vite-ignore */ ['@tensorflow', 'tfjs-node'].join('/')).then(
      () => true,
      () => false,
    );
    await tf.setBackend('cpu');
    expect(await initBackend('auto')).toBe(hasTfjsNode ? 'tensorflow' : 'wasm');
    expect(await initBackend()).toBe(hasTfjsNode ? 'tensorflow' : 'wasm');
  });

  it('names the package to install when a backend package is missing', async () => {
    const error = await initBackend('tensorflow').catch((e: unknown) => e);
    if (tf.getBackend() === 'tensorflow') return; // tfjs-node is installed here: nothing is missing
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toContain('@tensorflow/tfjs-node');
    expect((error as Error).message).toContain('npm install @tensorflow/tfjs-node');
  });

  it('rejects unknown backend names', async () => {
    const error = await initBackend('webgl' as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/name: got 'webgl', expected one of 'auto', 'tensorflow', 'wasm', 'cpu'/);
  });

  it('runs kernels from the wasm binaries of the installed package', async () => {
    await initBackend('wasm');
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const w = tf.tensor4d([1, 1, 1, 1], [2, 2, 1, 1]);
    const y = tf.conv2d(x, w, 1, 'valid');
    expect(Array.from(await y.data())).toEqual([10]);
    tf.dispose([x, w, y]);
  });
});

describeBackends('gradients after importing only tfjs-core, tfjs-layers and a backend', () => {
  it('tf.grad of a dense layer loss matches the analytic gradient', () => {
    // d/dw sum((x·w)²) = 2·xᵀ(x·w)
    const x = tf.tensor2d([
      [1, 2],
      [3, -1],
    ]);
    const w = tf.tensor2d([[0.5], [-0.25]]);
    const g = tf.grad((wv: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, wv as tf.Tensor2D))))(w);
    // x·w = [0, 1.75]; 2·xᵀ·[0, 1.75] = [10.5, -3.5]
    expectClose(g, tf.tensor2d([[10.5], [-3.5]]), 1e-6);
    tf.dispose([x, w, g]);
  });

  it('model.fit reduces the loss of a small dense model', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const xs = tf.tensor2d([
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 1],
    ]);
    const ys = tf.tensor2d([[1], [2], [3], [5]]);
    const history = await model.fit(xs, ys, { epochs: 5, batchSize: 4, verbose: 0 });
    const losses = history.history['loss'] as number[];
    expect(losses[4]).toBeLessThan((losses[0] as number) * 0.5);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
