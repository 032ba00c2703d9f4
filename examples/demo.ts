/**
 * End-to-end example of what the library provides so far: pick a backend, train a small
 * image-to-image conv net, save and reload it through fileSystem(), and time it.
 *
 *   npm run demo                       # backend chosen by initBackend('auto')
 *   npm run demo -- --backend cpu
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSystem, initBackend, measureLatency, type BackendName } from '../src/index.js';
import { ProgressBar } from '../scripts/progress-bar.js';

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--backend');
  const requested = (flag >= 0 ? process.argv[flag + 1] : 'auto') as BackendName;
  tf.enableProdMode();
  // Convolutions train on cpu until the wasm gradient kernels land.
  const backend = await initBackend(requested === 'auto' ? 'cpu' : requested);
  console.log(`backend: ${backend}`);

  // A tiny image-to-image net: learn to smooth a noisy 16×16 pattern.
  const input = tfl.input({ shape: [16, 16, 3] });
  let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });

  const clean = tf.tidy(() => {
    const r = tf.linspace(-1, 1, 16);
    const grid = tf.mul(tf.reshape(r, [16, 1]), tf.reshape(r, [1, 16]));
    return tf.tile(tf.reshape(tf.stack([grid, tf.neg(grid), tf.abs(grid)], -1), [1, 16, 16, 3]), [8, 1, 1, 1]);
  });
  const noisy = tf.tidy(() => tf.add(clean, tf.randomNormal(clean.shape, 0, 0.2, 'float32', 3)));

  const epochs = 20;
  const bar = new ProgressBar(epochs);
  const history = await model.fit(noisy, clean, {
    epochs,
    batchSize: 8,
    verbose: 0,
    callbacks: { onEpochEnd: async (epoch, logs) => bar.update(epoch + 1, `epoch ${epoch + 1}/${epochs} loss ${logs?.['loss']?.toFixed(4)}`) },
  });
  bar.finish('trained');
  const losses = history.history['loss'] as number[];
  console.log(`loss: ${losses[0]?.toFixed(4)} → ${losses[losses.length - 1]?.toFixed(4)}`);

  const dir = join(mkdtempSync(join(tmpdir(), 'gancompress-demo-')), 'denoiser');
  await model.save(fileSystem(dir));
  const reloaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(noisy) as tf.Tensor, reloaded.predict(noisy) as tf.Tensor))).dataSync()[0]);
  console.log(`saved to ${dir} and reloaded: max |difference| = ${diff}`);

  const stats = await measureLatency(() => reloaded.predict(noisy) as tf.Tensor, { warmup: 3, runs: 20 });
  console.log(`inference on [8,16,16,3]: median ${stats.medianMs.toFixed(2)} ms (p10 ${stats.p10Ms.toFixed(2)}, p90 ${stats.p90Ms.toFixed(2)})`);
  rmSync(dir, { recursive: true, force: true });
  tf.dispose([clean, noisy]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
