import * as tf from '@tensorflow/tfjs-core';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  Distiller,
  ModelFileError,
  SearchSpace,
  type StepRecord,
  UniformSampler,
} from '../../src/index.js';
import { getOptimizerState, setOptimizerState } from '../../src/distill/optimizer_state.js';
import { describeBackends } from '../helpers/backends.js';
import { batches, fullDistiller, smallStudent, smallSupernet, smallTeacher } from './setup.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'distill-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `c${dirs++}`);

/** Steps before the checkpoint: after 2 Adam steps float32 β₂³ by products differs from pow (see below). */
const K = 2;
const M = 3;

async function collect(d: Distiller, data: tf.Tensor[], steps: number, checkpointDir?: string): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  await d.fit(data, {
    steps,
    callbacks: { onStep: (r) => void records.push(r) },
    ...(checkpointDir == null ? {} : { checkpointDir }),
  });
  return records;
}

describeBackends(
  'Distiller checkpoints',
  () => {
    it('the β-power accumulators matter: tfjs setWeights recomputes them by pow, which differs from the products', async () => {
      const f = Math.fround;
      expect(f(f(f(0.999) * f(0.999)) * f(0.999))).not.toBe(f(Math.pow(f(0.999), K + 1)));
      // one Adam, two steps; its state copied into a fresh Adam by setWeights alone, and with the fields
      const v = tf.variable(tf.tensor1d([1, -2, 3]));
      const g = tf.tensor1d([0.3, -0.1, 0.2]);
      const a = tf.train.adam(0.1);
      for (let i = 0; i < K; i++) a.applyGradients([{ name: v.name, tensor: g }]);
      const state = await getOptimizerState(a);
      expect(state.map((s) => s.name).filter((n) => n.startsWith('field:'))).toEqual([
        'field:accBeta1',
        'field:accBeta2',
      ]);
      const plain = tf.train.adam(0.1);
      await plain.setWeights(state.filter((s) => !s.name.startsWith('field:')));
      const exact = tf.train.adam(0.1);
      await setOptimizerState('state', exact, state, 1);
      const accOf = (o: tf.Optimizer): number =>
        (o as unknown as { accBeta2: tf.Variable }).accBeta2.dataSync()[0] as number;
      expect(accOf(exact)).toBe(accOf(a));
      expect(accOf(plain)).not.toBe(accOf(a));
      await expect(setOptimizerState('state', tf.train.adam(0.1), state, 3)).rejects.toThrow(
        /got '2 optimizer slots', expected a multiple of 3/,
      );
      tf.dispose([v, g]);
    });

    it(`save at step ${K}, restore in a fresh process: the next ${M} steps' losses equal the uninterrupted run's exactly`, async () => {
      const dir = freshDir();
      const data = batches(3).map((b) => b.input);
      const d = fullDistiller();
      const head = await collect(d, data, K, dir);
      expect(head.map((r) => r.step)).toEqual([0, 1]);
      const tail = await collect(d, data, M);
      // a fresh process: nothing of this one (tensors, variable names, kernels) carries over
      const { stdout } = await promisify(execFile)(
        join(here, '..', '..', 'node_modules', '.bin', 'tsx'),
        [join(here, 'resume_child.ts'), dir, String(M)],
        {
          cwd: join(here, '..', '..'),
          maxBuffer: 1 << 24,
        },
      );
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT:')) as string;
      const child = JSON.parse(line.slice('RESULT:'.length)) as { start: number; records: StepRecord[] };
      expect(child.start).toBe(K);
      expect(child.records).toEqual(JSON.parse(JSON.stringify(tail)));
      // and restored in this process
      const sampler = new UniformSampler(SearchSpace.fromModel(smallSupernet(), { choices: { multipleOf: 4 } }));
      const again = await Distiller.restore(dir, { teacher: smallTeacher(), sampler });
      expect(again.step).toBe(K);
      expect(await collect(again, data, M)).toEqual(tail);
      tf.dispose(data);
      d.dispose();
      again.dispose();
    });

    it('layout: checkpoint.json names the step folder, written atomically; older folders go; onCheckpoint every N steps', async () => {
      const dir = freshDir();
      const data = batches(2).map((b) => b.input);
      const d = new Distiller({
        teacher: smallTeacher(),
        student: smallStudent(),
        featurePairs: [['block1', 'block1']],
        paired: false,
        losses: { recon: { weight: 1 }, distill: { weight: 1 } },
        seed: 1,
      });
      const saved: number[] = [];
      const result = await d.fit(data, {
        steps: 5,
        checkpointDir: dir,
        checkpointEvery: 2,
        callbacks: { onCheckpoint: (info) => void saved.push(info.step) },
      });
      expect(result).toMatchObject({ steps: 5, step: 5 });
      expect(saved).toEqual([2, 4, 5]);
      expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'step-00000005']);
      const meta = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as Record<string, unknown>;
      expect(meta).toMatchObject({
        format: 'gancompress-distiller-checkpoint',
        step: 5,
        files: 'step-00000005',
        discriminator: false,
        mappers: true,
      });
      expect(readdirSync(join(dir, 'step-00000005')).sort()).toEqual(['mappers', 'student']);
      const restored = await Distiller.restore(dir, { teacher: smallTeacher() });
      expect(restored.step).toBe(5);
      expect(restored.mappers[0]?.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
        d.mappers[0]?.getWeights().map((w) => Array.from(w.dataSync())),
      );
      expect(restored.student.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
        d.student.getWeights().map((w) => Array.from(w.dataSync())),
      );
      tf.dispose(data);
      d.dispose();
      restored.dispose();
    });

    it('a checkpoint from another model: another teacher, a student of other shapes, a missing sampler, no checkpoint — named errors', async () => {
      const dir = freshDir();
      const d = fullDistiller();
      await d.trainStep(batches(1)[0]?.input as tf.Tensor);
      await d.saveCheckpoint(dir);
      const sampler = new UniformSampler(SearchSpace.fromModel(smallSupernet(), { choices: { multipleOf: 4 } }));
      await expect(Distiller.restore(dir, { teacher: smallTeacher(5), sampler })).rejects.toThrow(
        /options.teacher: got 'a teacher with digest [0-9a-f]{12}…', expected the teacher the checkpoint in .* was made with/,
      );
      await expect(
        Distiller.restore(dir, { teacher: smallTeacher(), sampler, student: smallStudent() }),
      ).rejects.toThrow(
        /options.student: got 'model 'mobile_resnet_generator'.*expected a student with the checkpoint's weights \(model 'super_mobile_resnet_generator'/,
      );
      await expect(Distiller.restore(dir, { teacher: smallTeacher() })).rejects.toThrow(
        /options.sampler: got undefined, expected the sampler the run used \(state kind 'UniformSampler'\)/,
      );
      const otherSpace = new UniformSampler(SearchSpace.fromModel(smallSupernet(), { choices: { multipleOf: 2 } }));
      await expect(Distiller.restore(dir, { teacher: smallTeacher(), sampler: otherSpace })).rejects.toThrow(
        /options.sampler: .*expected the sampler the run used \(state.space/,
      );
      await expect(Distiller.restore(freshDir(), { teacher: smallTeacher() })).rejects.toThrow(ModelFileError);
      writeFileSync(join(dir, 'checkpoint.json'), '{"format":"something"}');
      await expect(Distiller.restore(dir, { teacher: smallTeacher(), sampler })).rejects.toThrow(
        /not a Distiller checkpoint/,
      );
      await expect(Distiller.restore(dir, {} as never)).rejects.toThrow(ConfigError);
      expect(existsSync(join(dir, 'step-00000001'))).toBe(true);
      d.dispose();
    });
  },
  ['cpu'],
);
