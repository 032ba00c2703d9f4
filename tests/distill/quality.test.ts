import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  Distiller,
  MobileResnetGenerator,
  psnr,
  reconstructionLoss,
  ResnetGenerator,
  type StepRecord,
  withSubnet,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';
import { PAIRS, smallStudent, smallTeacher } from './setup.js';

/** Smooth test images: 2×2 random colours resized bilinearly to 8×8 (noise would be all edges). */
function smoothImages(n: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.image.resizeBilinear(seededTensor([n, 2, 2, 3], seed) as tf.Tensor4D, [8, 8], true));
}

async function train_(d: Distiller, data: tf.Tensor[], steps: number): Promise<StepRecord[]> {
  const records: StepRecord[] = [];
  await d.fit(data, { steps, callbacks: { onStep: (r) => void records.push(r) } });
  return records;
}

/** Mean |student − teacher| on `x`, optionally at a sub-network. */
function l1ToTeacher(
  teacher: tfl.LayersModel,
  student: tfl.LayersModel,
  x: tf.Tensor,
  subnet?: Record<string, { outChannels?: number }>,
): number {
  return withSubnet(student, subnet, () =>
    tf.tidy(
      () =>
        reconstructionLoss(student.predict(x) as tf.Tensor, teacher.predict(x) as tf.Tensor).dataSync()[0] as number,
    ),
  );
}

describeBackends(
  'Distiller: what distillation achieves',
  () => {
    it('a small student distils a fixed random ResnetGenerator with feature pairs: total loss falls ≥ 10×, PSNR against the teacher > 30 dB', async () => {
      const teacher = smallTeacher();
      const student = smallStudent();
      const x = smoothImages(2, 21);
      const d = new Distiller({
        teacher,
        student,
        featurePairs: PAIRS,
        paired: false,
        losses: { recon: { type: 'l1', weight: 1 }, distill: { weight: 0.1 } },
        optimizers: { generator: tf.train.adam(5e-3, 0.9, 0.999) },
        seed: 0,
      });
      const before = tf.tidy(() => psnr(teacher.predict(x) as tf.Tensor, student.predict(x) as tf.Tensor, 2));
      const records = await train_(d, [x], 80);
      const first = records[0] as StepRecord;
      const last = records[records.length - 1] as StepRecord;
      const after = tf.tidy(() => psnr(teacher.predict(x) as tf.Tensor, student.predict(x) as tf.Tensor, 2));
      expect(first.total / last.total, `total ${first.total} → ${last.total}`).toBeGreaterThanOrEqual(10);
      expect(before).toBeLessThan(25);
      expect(
        after,
        'PSNR (dB, data range 2) of the student against the teacher on the distilled batch',
      ).toBeGreaterThan(30);
      d.dispose();
      x.dispose();
    });

    it('feature distillation helps: with feature pairs a deeper student ends closer to the teacher on held-out images than with output reconstruction only', async () => {
      // Pseudo-paired distillation of a 3-block teacher from 2 images; the feature pairs supervise
      // the student's encoder directly (GAN Compression's down2_relu and last block). Measured on
      // 16 images neither run trained on.
      const teacher = ResnetGenerator({ ngf: 4, nBlocks: 3, seed: 1 });
      const smooth = (n: number, seed: number): tf.Tensor4D =>
        tf.tidy(() =>
          tf.image.resizeBilinear(tf.randomUniform<tf.Rank.R4>([n, 2, 2, 3], -1, 1, 'float32', seed), [8, 8], true),
        );
      const train = smooth(2, 210);
      const heldOut = smooth(16, 1001);
      const result: number[] = [];
      for (const withFeatures of [true, false]) {
        const student = MobileResnetGenerator({ ngf: 4, nBlocks: 3, seed: 2 }); // the same student, seed, data, steps
        const d = new Distiller({
          teacher,
          student,
          featurePairs: withFeatures
            ? [
                ['down2_relu', 'down2_relu'],
                ['block3', 'block3'],
              ]
            : [],
          paired: false,
          losses: { recon: { weight: 1 }, ...(withFeatures ? { distill: { weight: 0.1 } } : {}) },
          optimizers: { generator: tf.train.adam(5e-3, 0.9, 0.999) },
          seed: 0,
        });
        await d.fit([train], { steps: 100 });
        result.push(l1ToTeacher(teacher, student, heldOut));
        d.dispose();
      }
      const [features, outputOnly] = result as [number, number];
      expect(features, `held-out L1 to the teacher: ${features} with features, ${outputOnly} output only`).toBeLessThan(
        outputOnly,
      );
      tf.dispose([train, heldOut]);
    });
  },
  ['cpu'],
);
