// Run as a child process by process_handlers.test.ts:
//   uncaught_error.ts <setup> <ending>
// setup:  'init1' | 'init2' (initBackend('wasm', { threads })) | 'tfjs' (tf.setBackend('wasm') only)
// ending: 'throw' (an uncaught error) | 'reject' (an unhandled rejection) | 'exit' (finish normally)
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../../src/backend/index.js';

const [setup = 'init2', ending = 'throw'] = process.argv.slice(2);
if (setup === 'tfjs') {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  wasm.setWasmPaths(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  await tf.setBackend('wasm');
} else {
  await initBackend('wasm', { threads: setup === 'init1' ? 1 : 2 });
}
const y = tf.add(tf.scalar(1), tf.scalar(2));
process.stdout.write(`ready ${tf.getBackend()} ${y.dataSync()[0]}\n`);
if (ending === 'throw') throw new Error('boom from the user program');
if (ending === 'reject') void Promise.reject(new Error('rejected in the user program'));
