/**
 * The Distiller's `output` term: in paired training, L1 (or L2) to the teacher's output beside the ground truth —
 * checked against the loss computed by hand from the student's and the teacher's outputs before the step; refused
 * with paired: false.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { ConfigError, Distiller } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';

function conv(seed: number): tfl.LayersModel {
  const x = tfl.input({ shape: [6, 6, 3] });
  const y = tfl.layers
    .conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotNormal({ seed }) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}

describeBackends("Distiller's output term", () => {
  it('adds weight · L1(student, teacher) to weight · L1(student, ground truth), as computed by hand', async () => {
    const teacher = conv(1);
    const student = conv(2);
    const input = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 3);
    const target = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 4);
    const [gt, out] = tf.tidy(() => {
      const s = student.predict(input) as tf.Tensor;
      const t = teacher.predict(input) as tf.Tensor;
      return [
        tf.mean(tf.abs(tf.sub(s, target))).dataSync()[0] as number,
        tf.mean(tf.abs(tf.sub(s, t))).dataSync()[0] as number,
      ];
    });
    const distiller = new Distiller({
      teacher,
      student,
      paired: true,
      losses: { recon: { weight: 2 }, output: { weight: 0.5 } },
      seed: 0,
    });
    const record = await distiller.trainStep({ input, target });
    expect(record.recon).toBeCloseTo(gt, 5);
    expect(record.output).toBeCloseTo(out, 5);
    expect(record.total).toBeCloseTo(2 * gt + 0.5 * out, 5);
    distiller.dispose();
    tf.dispose([input, target]);
  });

  it('is refused with paired: false, where recon already targets the teacher', () => {
    expect(
      () =>
        new Distiller({
          teacher: conv(1),
          student: conv(2),
          paired: false,
          losses: { recon: { weight: 1 }, output: { weight: 1 } },
          seed: 0,
        }),
    ).toThrow(ConfigError);
    expect(
      () =>
        new Distiller({
          teacher: conv(1),
          student: conv(2),
          paired: false,
          losses: { recon: { weight: 1 }, output: { weight: 1 } },
          seed: 0,
        }),
    ).toThrow(/options\.losses\.output/);
  });
});
