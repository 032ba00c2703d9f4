import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  Distiller,
  reconstructionLoss,
  SearchSpace,
  type StepRecord,
  UniformSampler,
  withSubnet,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';
import { PAIRS, smallSupernet, smallTeacher } from './setup.js';

/** Smooth test images: 2×2 random colours resized bilinearly to 8×8. */
function smoothImages(n: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.image.resizeBilinear(seededTensor([n, 2, 2, 3], seed) as tf.Tensor4D, [8, 8], true));
}

/** Mean |student − teacher| on `x` at a sub-network. */
function l1ToTeacher(
  teacher: tfl.LayersModel,
  student: tfl.LayersModel,
  x: tf.Tensor,
  subnet: Record<string, { outChannels?: number }>,
): number {
  return withSubnet(student, subnet, () =>
    tf.tidy(
      () =>
        reconstructionLoss(student.predict(x) as tf.Tensor, teacher.predict(x) as tf.Tensor).dataSync()[0] as number,
    ),
  );
}

async function train_(d: Distiller, data: tf.Tensor[], steps: number): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  await d.fit(data, { steps, callbacks: { onStep: (r) => void records.push(r) } });
  return records;
}

describeBackends(
  'Distiller: once-for-all distillation',
  () => {
    it('once-for-all: after training with a sampler, the largest and the smallest sub-networks both beat the untrained supernet', async () => {
      const teacher = smallTeacher();
      const student = smallSupernet();
      const space = SearchSpace.fromModel(student, { choices: { multipleOf: 4 } });
      const largest = space.decode(space.largest());
      const smallest = space.decode(space.smallest());
      const x = smoothImages(2, 22);
      const untrained = [l1ToTeacher(teacher, student, x, largest), l1ToTeacher(teacher, student, x, smallest)];
      const d = new Distiller({
        teacher,
        student,
        featurePairs: PAIRS,
        paired: false,
        losses: { recon: { weight: 1 }, distill: { weight: 0.1 } },
        optimizers: { generator: tf.train.adam(5e-3, 0.9, 0.999) },
        sampler: new UniformSampler(space, { seed: 1 }),
        seed: 0,
      });
      const records = await train_(d, [x], 60);
      expect(
        new Set(records.map((r) => JSON.stringify(r.subnet))).size,
        'several sub-networks trained',
      ).toBeGreaterThan(5);
      const trained = [l1ToTeacher(teacher, student, x, largest), l1ToTeacher(teacher, student, x, smallest)];
      expect(trained[0], 'largest').toBeLessThan((untrained[0] as number) / 2);
      expect(trained[1], 'smallest').toBeLessThan((untrained[1] as number) / 2);
      d.dispose();
      x.dispose();
    });
  },
  ['cpu'],
);
