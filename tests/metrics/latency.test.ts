import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { measureLatency } from '../../src/index.js';
import { percentile } from '../../src/metrics/latency.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeak } from '../helpers/tensors.js';

it('percentile interpolates linearly between ranks, as numpy.percentile', () => {
  // numpy.percentile([1, 2, 3, 4, 10], [10, 50, 90]) = [1.4, 3.0, 7.6]
  const v = [1, 2, 3, 4, 10];
  expect(percentile(v, 10)).toBeCloseTo(1.4, 12);
  expect(percentile(v, 50)).toBe(3);
  expect(percentile(v, 90)).toBeCloseTo(7.6, 12);
  expect(percentile([5], 90)).toBe(5);
});

describeBackends('measureLatency', () => {
  it('runs warm-up then timed runs, reads results back and disposes them', async () => {
    const x = tf.ones([16, 16]);
    let calls = 0;
    const reads: Promise<unknown>[] = [];
    const stats = await expectNoLeak(() =>
      measureLatency(
        () => {
          calls++;
          const y = tf.matMul(x, x);
          const original = y.data.bind(y);
          y.data = (() => {
            const p = original();
            reads.push(p);
            return p;
          }) as typeof y.data;
          return [y, tf.add(y, 1)];
        },
        { warmup: 2, runs: 5 },
      ),
    );
    expect(calls).toBe(7);
    expect(reads).toHaveLength(7);
    expect(stats.runs).toBe(5);
    expect(stats.timesMs).toHaveLength(5);
    const sorted = [...stats.timesMs].sort((a, b) => a - b);
    expect(stats.minMs).toBe(sorted[0]);
    expect(stats.medianMs).toBe(sorted[2]);
    expect(stats.p10Ms).toBeLessThanOrEqual(stats.medianMs);
    expect(stats.p90Ms).toBeGreaterThanOrEqual(stats.medianMs);
    x.dispose();
  });

  it('accepts async functions and named tensor maps', async () => {
    const stats = await expectNoLeak(() =>
      measureLatency(async () => ({ a: tf.scalar(1), b: tf.zeros([3]) }), { warmup: 0, runs: 3 }),
    );
    expect(stats.runs).toBe(3);
  });

  it('rejects bad options', async () => {
    await expect(measureLatency(() => undefined, { runs: 0 })).rejects.toThrow(
      /options.runs: got 0, expected an integer >= 1/,
    );
    await expect(measureLatency(() => undefined, { warmup: -1 })).rejects.toThrow(/options.warmup: got -1/);
    await expect(measureLatency(42 as never)).rejects.toThrow(/fn: got 42, expected a function/);
  });
});
