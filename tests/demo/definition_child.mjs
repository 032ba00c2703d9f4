// Loads an exported student the way an UpscalerJS page would: only @tensorflow/tfjs and the model definition's
// setup(tf) — no gancompress — then prints its output on a seeded input as JSON.
// Usage: node definition_child.mjs <student dir>
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
const definition = (await import(pathToFileURL(join(dir, 'model-definition.js')).href)).default;
await tf.setBackend('cpu');
definition.setup(tf);
const json = JSON.parse(readFileSync(join(dir, definition.path), 'utf8'));
const specs = json.weightsManifest.flatMap((g) => g.weights);
const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
const bytes = Buffer.concat(buffers);
const model = await tf.loadLayersModel(
  tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  }),
);
const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 1);
const y = model.predict(x);
process.stdout.write(JSON.stringify({ shape: y.shape, values: Array.from(y.dataSync()), scale: definition.scale }));
