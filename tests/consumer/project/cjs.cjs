// Requires the packed library as CommonJS from a scratch project.
const tf = require('@tensorflow/tfjs-core');
const tfl = require('@tensorflow/tfjs-layers');
const gc = require('gancompress');

(async () => {
  const backend = await gc.initBackend('cpu');
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' })],
  });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  const xs = tf.tensor2d([
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const ys = tf.tensor2d([[1], [2], [3]]);
  const history = await model.fit(xs, ys, { epochs: 2, verbose: 0 });
  console.log(
    JSON.stringify({ format: 'cjs', backend, losses: history.history.loss, exports: Object.keys(gc).sort() }),
  );
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
