import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfd from '@tensorflow/tfjs-data';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import {
  cacheTeacher,
  type CacheProgress,
  ConfigError,
  Distiller,
  ModelFileError,
  type StepRecord,
  tapLayers,
  TeacherCache,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { batches, PAIRS, smallStudent, smallTeacher } from './setup.js';

const root = mkdtempSync(join(tmpdir(), 'teacher-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `c${dirs++}`);
const data = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describeBackends('cacheTeacher', () => {
  it('in memory: each batch holds the input, the teacher output and the named features, equal to running the teacher', async () => {
    const teacher = smallTeacher();
    const images = seededTensor([5, 8, 8, 3], 1);
    const progress: CacheProgress[] = [];
    const cache = await cacheTeacher(teacher, images, {
      batchSize: 2,
      features: ['down2_relu', 'block1'],
      onProgress: (p) => progress.push(p),
    });
    expect(cache.size).toBe(3);
    expect([cache.computed, cache.reused, cache.dir]).toEqual([3, 0, null]);
    expect(progress).toEqual([
      { batch: 0, batches: 3, examples: 2, fromCache: false },
      { batch: 1, batches: 3, examples: 4, fromCache: false },
      { batch: 2, batches: 3, examples: 5, fromCache: false },
    ]);
    const direct = tapLayers(teacher, ['down2_relu', 'block1']).predict(images) as tf.Tensor[];
    const got: tf.Tensor[][] = [[], [], [], []];
    for await (const b of cache) {
      const t = b.teacher as NonNullable<typeof b.teacher>;
      [b.input, t.output, t.features['down2_relu'] as tf.Tensor, t.features['block1'] as tf.Tensor].forEach((x, i) =>
        got[i]?.push(x),
      );
    }
    const joined = got.map((list) => tf.concat(list, 0));
    expect(data(joined[0] as tf.Tensor)).toEqual(data(images));
    direct.forEach((d, i) => expect(data(joined[i + 1] as tf.Tensor), `output ${i}`).toEqual(data(d)));
    tf.dispose([...got.flat(), ...joined, ...direct, images]);
    // the cache hands out the caller's tensors; dispose() frees its own
    const before = tf.memory().numTensors;
    tf.dispose(Object.values(await cache.get(1)).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
    cache.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    await expect(cache.get(0)).rejects.toThrow(/a disposed TeacherCache/);
  });

  it('on disk: a second run reads every batch instead of running the teacher; a changed batch or teacher is recomputed', async () => {
    const teacher = smallTeacher();
    const conv = teacher.getLayer('stem_conv');
    const spy = vi.spyOn(conv, 'call');
    const dir = freshDir();
    const list = batches(3).map((b) => ({ input: b.input, target: b.target }));
    const first = await cacheTeacher(teacher, list, { dir, features: ['block1'] });
    expect([first.computed, first.reused]).toEqual([3, 0]);
    const calls = spy.mock.calls.length;
    expect(calls).toBe(3);
    const files = readdirSync(dir).sort();
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(3);
    expect(files.filter((f) => f.includes('tmp'))).toEqual([]); // atomic writes leave no temporaries
    const progress: boolean[] = [];
    const second = await cacheTeacher(teacher, list, {
      dir,
      features: ['block1'],
      onProgress: (p) => progress.push(p.fromCache),
    });
    expect([second.computed, second.reused]).toEqual([0, 3]);
    expect(progress).toEqual([true, true, true]);
    expect(spy.mock.calls.length, 'the teacher did not run').toBe(calls);
    // what the second run reads is what the first computed, targets included
    for (let i = 0; i < 3; i++) {
      const [a, b] = [await first.get(i), await second.get(i)];
      expect(data(b.teacher?.output as tf.Tensor)).toEqual(data(a.teacher?.output as tf.Tensor));
      expect(data(b.target as tf.Tensor)).toEqual(data(list[i]?.target as tf.Tensor));
      tf.dispose(
        [a, b].flatMap((x) => [
          x.input,
          x.target as tf.Tensor,
          x.teacher?.output as tf.Tensor,
          ...Object.values(x.teacher?.features ?? {}),
        ]),
      );
    }
    // one batch changed: only that one is computed; the stale shard is removed
    const changed = [list[0], { input: seededTensor([2, 8, 8, 3], 999) }, list[2]] as typeof list;
    const third = await cacheTeacher(teacher, changed, { dir, features: ['block1'] });
    expect([third.computed, third.reused]).toEqual([1, 2]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.bin'))).toHaveLength(3);
    // other weights: a different key, every batch recomputed
    const w = conv.getWeights();
    conv.setWeights(w.map((x) => tf.mul(x, 1.5)));
    const fourth = await cacheTeacher(teacher, changed, { dir, features: ['block1'] });
    expect(fourth.key).not.toBe(first.key);
    expect([fourth.computed, fourth.reused]).toEqual([3, 0]);
    spy.mockRestore();
  });

  it('the Distiller gives the same losses from cached batches (memory and disk) as with the live teacher', async () => {
    const input = seededTensor([4, 8, 8, 3], 5);
    const run = async (source: 'live' | 'memory' | 'disk'): Promise<StepRecord[]> => {
      const teacher = smallTeacher();
      const d = new Distiller({
        teacher,
        student: smallStudent(),
        featurePairs: PAIRS,
        paired: false,
        discriminator: { ndf: 4, nLayers: 1 },
        losses: { recon: { weight: 10 }, distill: { weight: 1 }, gan: { weight: 1, augment: 'color,cutout' } },
        seed: 3,
      });
      const records: StepRecord[] = [];
      const onStep = (r: StepRecord): void => void records.push(r);
      if (source === 'live') {
        const list = [tf.slice(input, [0], [2]), tf.slice(input, [2], [2])];
        await d.fit(list, { steps: 4, callbacks: { onStep } });
        tf.dispose(list);
      } else {
        const cache = await cacheTeacher(teacher, input, {
          batchSize: 2,
          features: ['down2_relu', 'block1'],
          ...(source === 'disk' ? { dir: freshDir() } : {}),
        });
        await d.fit(cache, { steps: 4, callbacks: { onStep } });
        cache.dispose();
      }
      d.dispose();
      return records;
    };
    const live = await run('live');
    for (const source of ['memory', 'disk'] as const) {
      const cached = await run(source);
      cached.forEach((r, i) => {
        for (const key of ['total', 'recon', 'distill', 'gan', 'discriminator', 'gradNorm'] as const)
          expect(
            Math.abs((r[key] as number) - (live[i]?.[key] as number)),
            `${source} step ${i} ${key}`,
          ).toBeLessThanOrEqual(1e-6);
      });
    }
    input.dispose();
  });

  it('inputs: one tensor, an array of tensors or { input, target }, a tf.data.Dataset, an async generator — no leaks', async () => {
    const teacher = smallTeacher();
    const images = seededTensor([4, 8, 8, 3], 6);
    const sizes = async (c: TeacherCache): Promise<number[]> => {
      const out: number[] = [];
      for await (const b of c) {
        out.push(b.input.shape[0]);
        tf.dispose([b.input, b.teacher?.output]);
      }
      c.dispose();
      return out;
    };
    await expectNoLeak(async () => {
      expect(await sizes(await cacheTeacher(teacher, images))).toEqual([4]);
      expect(await sizes(await cacheTeacher(teacher, images, { batchSize: 3 }))).toEqual([3, 1]);
      const dataset = tfd.array([0, 1]).map((i) => tf.slice(images, [(i as number) * 2], [2]));
      expect(await sizes(await cacheTeacher(teacher, dataset))).toEqual([2, 2]);
      async function* gen(): AsyncGenerator<tf.Tensor> {
        yield tf.clone(images); // an iterable's elements are disposed once cached
      }
      expect(await sizes(await cacheTeacher(teacher, gen()))).toEqual([4]);
    });
    images.dispose();
  });

  it('bad input: a teacher with two outputs, unknown features, batchSize with a list, a corrupt directory — named errors', async () => {
    const teacher = smallTeacher();
    const x = seededTensor([2, 8, 8, 3], 7);
    const i = tfl.input({ shape: [4] });
    const two = tfl.model({ inputs: i, outputs: [tfl.layers.dense({ units: 1 }).apply(i) as tfl.SymbolicTensor, i] });
    await expect(cacheTeacher(two, x)).rejects.toThrow(
      /teacher: got 'a model with 2 outputs', expected a model with one output/,
    );
    await expect(cacheTeacher(teacher, x, { features: ['block5'] })).rejects.toThrow(
      /options.features: got 'block5', expected the name of a layer of teacher/,
    );
    await expect(cacheTeacher(teacher, [x], { batchSize: 2 })).rejects.toThrow(
      /options.batchSize: got 2, expected no batchSize/,
    );
    await expect(cacheTeacher(teacher, 5 as never)).rejects.toThrow(ConfigError);
    await expect(cacheTeacher(teacher, [{ inputs: x }] as never)).rejects.toThrow(/inputs\[0\]: got \{"inputs"/);
    const dir = freshDir();
    const cache = await cacheTeacher(teacher, x, { dir });
    const shard = readdirSync(dir).find((f) => f.endsWith('.bin')) as string;
    writeFileSync(join(dir, shard), readFileSync(join(dir, shard)).subarray(0, 100));
    await expect(cache.get(0)).rejects.toThrow(ModelFileError);
    await expect(cache.get(0)).rejects.toThrow(/holds 100 bytes, the index lists/);
    await expect(cache.get(1)).rejects.toThrow(/i: got 1, expected an integer in \[0, 0\]/);
    writeFileSync(join(dir, 'index.json'), '{ not json');
    await expect(cacheTeacher(teacher, x, { dir })).rejects.toThrow(/index.json: malformed JSON/);
    x.dispose();
  });
});
