import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe } from 'vitest';
import { initBackend } from '../../src/backend/index.js';

/** Backends every parameterised suite runs on; override with GANCOMPRESS_TEST_BACKENDS=cpu. */
export const TEST_BACKENDS: readonly ('cpu' | 'wasm')[] = (process.env['GANCOMPRESS_TEST_BACKENDS'] ?? 'cpu,wasm')
  .split(',')
  .map((b) => b.trim())
  .filter((b): b is 'cpu' | 'wasm' => b === 'cpu' || b === 'wasm');

/**
 * Declares `body` once per test backend, each copy inside its own `describe` whose `beforeAll`
 * makes that backend current. Tests in a file run in order, so the copies never interleave.
 */
export function describeBackends(
  title: string,
  body: (backend: 'cpu' | 'wasm') => void,
  backends: readonly ('cpu' | 'wasm')[] = TEST_BACKENDS,
): void {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await initBackend(backend);
        if (tf.getBackend() !== backend) throw new Error(`expected backend ${backend}, got ${tf.getBackend()}`);
      });
      body(backend);
    });
  }
}
