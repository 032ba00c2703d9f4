import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { expect, it } from 'vitest';
import { Distiller, type FitLog, type StepRecord } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';
import { batches, fullDistiller, PAIRS, smallStudent, smallTeacher } from './setup.js';

const small = (): Distiller =>
  new Distiller({
    teacher: smallTeacher(),
    student: smallStudent(),
    featurePairs: PAIRS,
    paired: true,
    losses: { recon: { weight: 1 }, distill: { weight: 1 } },
    seed: 2,
  });

describeBackends('Distiller.fit', () => {
  it('50 steps of the full setup (supernet, sampler, mappers, discriminator, DiffAugment) leave numTensors and numBytes where they were', async () => {
    const d = fullDistiller();
    const data = batches(2, 1).map((b) => b.input);
    await d.trainStep(data[0] as tf.Tensor); // creates the optimizers' slots
    const before = tf.memory();
    await d.fit(data, { steps: 50 });
    const after = tf.memory();
    expect(after.numTensors - before.numTensors, 'tensors').toBe(0);
    expect(after.numBytes - before.numBytes, 'bytes').toBe(0);
    expect(d.step).toBe(51);
    d.dispose();
    tf.dispose(data);
  });

  it('arrays: step k reads data[k mod length]; onStep every step, onLog means of the window', async () => {
    const d = small();
    const list = batches(3);
    const seen: number[] = [];
    const spy = list.map((b, i) => ({
      ...b,
      get input(): tf.Tensor {
        seen.push(i);
        return b.input;
      },
    }));
    const records: StepRecord[] = [];
    const logs: FitLog[] = [];
    const result = await d.fit(spy, {
      steps: 7,
      logEvery: 3,
      callbacks: { onStep: (r) => void records.push(r), onLog: (l) => void logs.push(l) },
    });
    expect(result.steps).toBe(7);
    expect(result.last).toEqual(records[6]);
    expect(records.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...new Set(seen)]).toEqual([0, 1, 2]);
    expect(logs.map((l) => [l.step, l.steps])).toEqual([
      [3, 3],
      [6, 3],
      [7, 1],
    ]);
    const mean = (rs: StepRecord[], k: 'total' | 'recon'): number => rs.reduce((s, r) => s + r[k], 0) / rs.length;
    expect(logs[0]?.means.total).toBeCloseTo(mean(records.slice(0, 3), 'total'), 6);
    expect(logs[1]?.means.recon).toBeCloseTo(mean(records.slice(3, 6), 'recon'), 6);
    expect(logs[0]?.msPerStep).toBeGreaterThan(0);
    // the caller's tensors are left alone
    expect(list.every((b) => !b.input.isDisposed && !b.target.isDisposed)).toBe(true);
    tf.dispose(list.flatMap((b) => [b.input, b.target]));
    d.dispose();
  });

  it('a tf.data.Dataset is restarted as needed and its batches disposed; a one-shot generator that runs out is refused', async () => {
    const d = small();
    const source = batches(2);
    const dataset = tfd.array([0, 1]).map((i) => {
      const b = source[i as number] as { input: tf.Tensor; target: tf.Tensor };
      return { input: tf.clone(b.input), target: tf.clone(b.target) };
    });
    const before = tf.memory().numTensors;
    await d.trainStep(source[0] as { input: tf.Tensor; target: tf.Tensor }); // optimizer slots
    const warm = tf.memory().numTensors;
    const result = await d.fit(dataset, {
      steps: 5,
    });
    expect(result.steps).toBe(5);
    expect(tf.memory().numTensors).toBe(warm);
    expect(warm).toBeGreaterThan(before);
    // without steps: one pass
    expect((await d.fit(dataset as unknown as tfd.Dataset<{ input: tf.Tensor; target: tf.Tensor }>)).steps).toBe(2);
    async function* once(): AsyncGenerator<{ input: tf.Tensor; target: tf.Tensor }> {
      const b = source[0] as { input: tf.Tensor; target: tf.Tensor };
      yield { input: tf.clone(b.input), target: tf.clone(b.target) };
    }
    await expect(d.fit(once(), { steps: 3 })).rejects.toThrow(
      /data: got 'an iterable that ended and yields nothing when iterated again', expected one that can be read again/,
    );
    expect(tf.memory().numTensors).toBe(warm);
    tf.dispose(source.flatMap((b) => [b.input, b.target]));
    d.dispose();
  });

  it('bad options are named', async () => {
    const d = small();
    const x = { input: seededTensor([1, 8, 8, 3], 1), target: seededTensor([1, 8, 8, 3], 2) };
    await expect(d.fit([x], { steps: -1 })).rejects.toThrow(/options.steps: got -1, expected an integer >= 0/);
    await expect(d.fit([x], { checkpointEvery: 2 })).rejects.toThrow(
      /options.checkpointEvery: got 2, expected no value without options.checkpointDir/,
    );
    await expect(d.fit([x], { callbacks: { onStep: 3 } } as never)).rejects.toThrow(
      /options.callbacks.onStep: got 3, expected a function/,
    );
    await expect(d.fit([], { steps: 1 })).rejects.toThrow(/data: got \[\], expected at least one batch/);
    await expect(d.fit(5 as never)).rejects.toThrow(/data: got 5, expected an array of batches/);
    d.dispose();
    await expect(d.fit([x])).rejects.toThrow(/a disposed Distiller/);
    tf.dispose([x.input, x.target]);
  });
});
