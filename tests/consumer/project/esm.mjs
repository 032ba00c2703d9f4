// Imports the packed library as ESM from a scratch project and exercises the foundation.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as gc from 'gancompress';

const require = createRequire(import.meta.url);
const backend = await gc.initBackend('wasm');

// One copy of tfjs-core: the app's, the library's, tfjs-layers' and the backend's must coincide.
const resolveCore = (from) => require.resolve('@tensorflow/tfjs-core', { paths: [from] });
const copies = new Set([
  require.resolve('@tensorflow/tfjs-core'),
  resolveCore(dirname(require.resolve('gancompress'))),
  resolveCore(dirname(require.resolve('@tensorflow/tfjs-layers'))),
  resolveCore(dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))),
]);

// A conv model with one of the library's layers: trains on wasm (the library's gradient
// kernels) and round-trips through fileSystem() (its class is registered in the app's tfjs).
const model = tfl.sequential({
  layers: [
    new gc.OnceForAllConv({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2], name: 'elastic' }),
    tfl.layers.conv2d({
      filters: 1,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
    }),
  ],
});
model.compile({ optimizer: tf.train.sgd(0.005), loss: 'meanSquaredError' });
const xs = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 1);
const ys = tf.randomNormal([3, 6, 6, 1], 0, 1, 'float32', 2);
const history = await model.fit(xs, ys, { epochs: 2, verbose: 0 });
const dir = join(mkdtempSync(join(tmpdir(), 'gc-consumer-')), 'm');
await model.save(gc.fileSystem(dir));
const loaded = await tfl.loadLayersModel(gc.fileSystem(join(dir, 'model.json')));
const same = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(xs), loaded.predict(xs)))).dataSync()[0]);
console.log(
  JSON.stringify({
    format: 'esm',
    backend,
    tfjsCoreCopies: copies.size,
    losses: history.history.loss,
    roundTripMaxDiff: same,
    exports: Object.keys(gc).sort(),
  }),
);
