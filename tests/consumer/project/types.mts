// Type-checked with moduleResolution nodenext (ESM): the exports map's `import` types.
import { initBackend, fileSystem, measureLatency, type BackendName } from 'gancompress';
import * as tf from '@tensorflow/tfjs-core';

const name: BackendName = 'wasm';
const backend: Promise<string> = initBackend(name);
const handler: tf.io.IOHandler = fileSystem('out');
const stats = measureLatency(() => tf.zeros([1]));
export { backend, handler, stats };
