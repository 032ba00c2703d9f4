import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe } from 'vitest';
import { initBackend } from '../../src/backend/index.js';

/**
 * wasm threads for the suites: 1 by default, since vitest already runs test files in parallel on every core (more
 * threads than cores make XNNPACK's workers wait on each other). GANCOMPRESS_TEST_WASM_THREADS=auto runs every suite
 * on the threaded build; tests/backend tests the threaded build on its own.
 */
const WASM_THREADS: number | 'auto' =
  process.env['GANCOMPRESS_TEST_WASM_THREADS'] === 'auto'
    ? 'auto'
    : Number(process.env['GANCOMPRESS_TEST_WASM_THREADS'] ?? 1);

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
        // Once the wasm backend runs, its thread count is fixed: ask only the first time.
        const fresh = backend === 'wasm' && tf.engine().registry['wasm'] == null;
        await initBackend(backend, fresh ? { threads: WASM_THREADS } : {});
        if (tf.getBackend() !== backend) throw new Error(`expected backend ${backend}, got ${tf.getBackend()}`);
      });
      body(backend);
    });
  }
}
