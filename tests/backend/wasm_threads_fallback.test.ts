import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/index.js';

// The installed package passes the checks; here they are made to fail, as they would for a
// tfjs version whose internals differ, to see the fallback.
vi.mock('../../src/backend/wasm_threads.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/backend/wasm_threads.js')>()),
  loadThreadedParts: () => Promise.resolve({ ok: false, reason: 'a check failed (test)' }),
}));

describe('the threaded build falls back to one thread', () => {
  it('with a warning naming the count asked for and the reason', async () => {
    const warnings: Error[] = [];
    const listener = (w: Error): void => void warnings.push(w);
    process.on('warning', listener);
    try {
      expect(await initBackend('wasm', { threads: 2 })).toBe('wasm');
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', listener);
    }
    expect(getThreadsCount()).toBe(1);
    const warning = warnings.find((w) => (w as Error & { code?: string }).code === 'GANCOMPRESS_WASM_THREADS');
    expect(warning?.message).toContain('running on 1 thread instead of 2: a check failed (test)');
    const y = tf.conv2d(tf.ones<tf.Rank.R4>([1, 4, 4, 2]), tf.ones<tf.Rank.R4>([3, 3, 2, 1]), 1, 'valid');
    expect(Array.from(y.dataSync())).toEqual([18, 18, 18, 18]);
  });
});
