/**
 * Restores a Distiller checkpoint in a fresh process and trains a few steps; prints the records
 * as one JSON line after `RESULT:`. Run by tests/distill/checkpoint.test.ts:
 *   tsx tests/distill/resume_child.ts <checkpointDir> <steps>
 */
import * as tf from '@tensorflow/tfjs-core';
import { Distiller, initBackend, SearchSpace, UniformSampler, type StepRecord } from '../../src/index.js';
import { batches, smallSupernet, smallTeacher } from './setup.js';

const [dir, steps] = process.argv.slice(2) as [string, string];
await initBackend('cpu');
// the same sampler as fullDistiller() builds; its state comes from the checkpoint
const sampler = new UniformSampler(SearchSpace.fromModel(smallSupernet(), { choices: { multipleOf: 4 } }), { seed: 0 });
const d = await Distiller.restore(dir, { teacher: smallTeacher(), sampler });
const records: StepRecord[] = [];
const data = batches(3).map((b) => b.input);
await d.fit(data, { steps: Number(steps), callbacks: { onStep: (r) => void records.push(r) } });
tf.dispose(data);
process.stdout.write(`RESULT:${JSON.stringify({ start: records[0]?.step, records })}\n`);
