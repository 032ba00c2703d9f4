/**
 * Reliability of src/distill over generated inputs: the losses are finite and ≥ 0 on finite
 * inputs, 0 where they must be (a reconstruction of the target, features equal to the teacher's,
 * the wavelet loss of an image against itself), symmetric where they are (kernel alignment);
 * DiffAugment keeps the shape and is reproducible from its seed; tapLayers gives the model's own
 * outputs first; FeatureMapper maps to the teacher's shape. Junk arguments and options —
 * including the Distiller's and cacheTeacher's — are GanCompressErrors. Nothing is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  applyDiffAugment,
  cacheTeacher,
  diffAugment,
  Distiller,
  drawDiffAugment,
  featureDistillationLoss,
  FeatureMapper,
  GAN_LOSS_TYPES,
  ganLoss,
  kernelAlignmentLoss,
  perceptualLoss,
  r1Penalty,
  RECONSTRUCTION_TYPES,
  reconstructionLoss,
  tapLayers,
  TeacherCache,
  waveletLoss,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import {
  anyNumber,
  check,
  checkAsync,
  dispose,
  disposeLayer,
  JUNK,
  probe,
  probeAsync,
  Tally,
  tensorOf,
  tensorValues,
} from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const scratch = mkdtempSync(join(tmpdir(), 'gancompress-reliability-distill-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const tally = new Tally();
afterAll(() => console.log(tally.summary('distill')));

const scalar = (t: tf.Tensor): number => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

const imageShape = fc.tuple(
  fc.integer({ min: 1, max: 2 }),
  fc.constantFrom(2, 4, 8),
  fc.constantFrom(2, 4, 8),
  fc.integer({ min: 1, max: 3 }),
);

describeBackends('distill: properties', () => {
  it('reconstruction, GAN, kernel-alignment, feature and wavelet losses: finite and ≥ 0 on finite input, 0 at the target; junk named', () => {
    check(
      fc.property(
        imageShape,
        tensorValues(false),
        tensorValues(true),
        fc.oneof({ arbitrary: fc.constantFrom(...RECONSTRUCTION_TYPES), weight: 6 }, JUNK),
        (shape, va, vb, type) => {
          const a = tensorOf(shape, va) as tf.Tensor4D;
          const b = tensorOf(shape, vb) as tf.Tensor4D;
          const finite = vb.every((v) => Math.abs(v) < 1e10); // finite and far from float32 overflow
          probe(
            tally,
            'reconstructionLoss',
            () => reconstructionLoss(a, b, type as never),
            (l) => {
              const v = scalar(l);
              if (finite) expect(v).toBeGreaterThanOrEqual(0);
            },
          );
          probe(
            tally,
            'reconstructionLoss',
            () => reconstructionLoss(a, a, type as never),
            (l) => expect(scalar(l)).toBeLessThanOrEqual(1.001e-3), // charbonnier: √(0 + ε²) = 1e-3,
          );
          for (const gan of GAN_LOSS_TYPES) {
            probe(
              tally,
              'ganLoss',
              () => ganLoss(gan).generator(a),
              (l) => {
                const v = scalar(l);
                expect(Number.isFinite(v) || !finite).toBe(true);
              },
            );
            probe(
              tally,
              'ganLoss',
              () => ganLoss(gan).discriminator(a, b),
              (l) => {
                const v = scalar(l);
                if (finite) expect(Number.isFinite(v)).toBe(true);
              },
            );
          }
          probe(
            tally,
            'kernelAlignmentLoss',
            () => kernelAlignmentLoss(a, b),
            (l) => {
              const v = scalar(l);
              if (finite && Number.isFinite(v))
                expect(Math.abs(v - scalar(kernelAlignmentLoss(b, a)))).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(v)));
            },
          );
          probe(
            tally,
            'featureDistillationLoss',
            () => featureDistillationLoss([a], [a], [null]),
            (l) => expect(scalar(l)).toBeLessThanOrEqual(1e-6),
          );
          probe(tally, 'featureDistillationLoss', () => featureDistillationLoss([a], [b, b], [null]));
          probe(
            tally,
            'waveletLoss',
            () => waveletLoss(a, a, { levels: 1 }),
            (l) => expect(scalar(l)).toBeLessThanOrEqual(1e-5),
          );
          probe(
            tally,
            'waveletLoss',
            () => waveletLoss(a, b, { levels: type as never }),
            (l) => {
              if (finite) expect(scalar(l)).toBeGreaterThanOrEqual(0);
              else l.dispose();
            },
          );
          tf.dispose([a, b]);
        },
      ),
      40,
    );
    for (const junk of [null, 3, 'hinge2']) probe(tally, 'ganLoss', () => ganLoss(junk as never));
  });

  it('diffAugment / drawDiffAugment / applyDiffAugment: the same shape, the same result for the same seed; junk named', () => {
    check(
      fc.property(
        imageShape,
        fc.record(
          {
            policy: fc.oneof(
              { arbitrary: fc.constantFrom('color', 'translation,cutout', 'color,translation,cutout', ''), weight: 4 },
              JUNK,
            ),
            seed: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 99 }), weight: 4 }, anyNumber),
          },
          { requiredKeys: [] },
        ),
        tensorValues(true),
        (shape, options, values) => {
          const x = tensorOf(shape, values) as tf.Tensor4D;
          probe(
            tally,
            'diffAugment',
            () => diffAugment(x, options as never),
            (y) => {
              expect(y.shape).toEqual(shape);
              if (options.seed !== undefined) {
                const z = diffAugment(x, options as never);
                expect(Array.from(z.dataSync())).toEqual(Array.from(y.dataSync()));
                z.dispose();
              }
              y.dispose();
            },
          );
          probe(
            tally,
            'drawDiffAugment',
            () => drawDiffAugment(shape, options as never),
            (draw) => {
              probe(
                tally,
                'applyDiffAugment',
                () => applyDiffAugment(x, draw),
                (y) => {
                  expect(y.shape).toEqual(shape);
                  y.dispose();
                },
              );
              tf.dispose(Object.values(draw).filter((v) => v instanceof tf.Tensor) as tf.Tensor[]);
            },
          );
          x.dispose();
        },
      ),
      40,
    );
  });

  it('tapLayers and FeatureMapper: model outputs first then the taps; the mapper maps to the teacher shape; junk named', () => {
    const x = tfl.input({ shape: [4, 4, 2] });
    const h = tfl.layers.conv2d({ name: 'c1', filters: 3, kernelSize: 1 }).apply(x) as tfl.SymbolicTensor;
    const y = tfl.layers.conv2d({ name: 'c2', filters: 2, kernelSize: 1 }).apply(h) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: y });
    check(
      fc.property(
        fc.oneof(
          { arbitrary: fc.subarray(['c1', 'c2']), weight: 4 },
          fc.constantFrom<unknown>(['nope'], ['c1', 'c1'], 'c1', null),
        ),
        (names) => {
          probe(
            tally,
            'tapLayers',
            () => {
              const tapped = tapLayers(model, names as string[]);
              const input = tf.ones([1, 4, 4, 2]);
              const outs = tapped.predict(input);
              input.dispose();
              return (Array.isArray(outs) ? outs : [outs]).map((t) => {
                const s = t.shape;
                t.dispose();
                return s;
              });
            },
            (shapes) => {
              expect(shapes[0]).toEqual([1, 4, 4, 2]);
              expect(shapes.length).toBe(1 + (names as string[]).length);
            },
          );
        },
      ),
      20,
    );
    model.dispose();
    check(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.oneof(fc.integer({ min: 1, max: 4 }), anyNumber),
        fc.constantFrom(4, 8, 5),
        (cs, ct, side) => {
          probe(
            tally,
            'FeatureMapper',
            () => {
              const mapper = FeatureMapper.fromShapes([null, 4, 4, cs], [null, side, side, ct], { seed: 1 });
              const input = tf.ones([1, 4, 4, cs]);
              try {
                const out = mapper.apply(input) as tf.Tensor;
                const s = out.shape;
                out.dispose();
                return s;
              } finally {
                input.dispose();
                disposeLayer(mapper);
              }
            },
            (s) => expect(s).toEqual([1, side, side, ct]),
          );
        },
      ),
      30,
    );
  });

  it('r1Penalty, perceptualLoss, the Distiller and cacheTeacher: junk arguments and options are named errors', async () => {
    const d = (images: tf.Tensor): tf.Tensor => tf.sum(tf.reshape(tf.square(images), [images.shape[0] ?? 1, -1]), 1);
    const real = tensorOf([2, 4, 4, 3], [0.5, -1]);
    probe(
      tally,
      'r1Penalty',
      () => r1Penalty(d, real),
      (l) => {
        // the gradient of Σx² is 2x: the penalty is the mean over the batch of ‖2x‖² (times the default weight)
        expect(Number.isFinite(scalar(l))).toBe(true);
      },
    );
    for (const junk of [null, 3, tf.ones([2])]) {
      probe(tally, 'r1Penalty', () => r1Penalty(d, junk as never));
      probe(tally, 'r1Penalty', () => r1Penalty(junk as never, real));
      probe(tally, 'perceptualLoss', () => perceptualLoss(junk as never, junk as never));
      probe(tally, 'Distiller', () => new Distiller(junk as never));
      probe(tally, 'kernelAlignmentLoss', () => kernelAlignmentLoss(junk as never, real));
      await probeAsync(tally, 'cacheTeacher', () => cacheTeacher(junk as never, real));
      if (junk instanceof tf.Tensor) junk.dispose();
    }
    await checkAsync(
      fc.asyncProperty(
        fc.record(
          {
            features: fc.oneof(fc.constant([]), JUNK),
            batchSize: fc.oneof(fc.integer({ min: 1, max: 3 }), anyNumber),
            // Strings are real directories: only ones inside a scratch directory (junk strings would land in the cwd).
            dir: fc.oneof(
              fc.constant(undefined),
              JUNK.filter((v) => typeof v !== 'string'),
              fc.constant(join(scratch, 'teacher-cache')),
            ),
          },
          { requiredKeys: [] },
        ),
        async (options) => {
          const teacher = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 })] });
          const inputs = tensorOf([3, 3], [0.5, 1]);
          await probeAsync(
            tally,
            'cacheTeacher',
            () => cacheTeacher(teacher, inputs, options as never),
            async (cache) => {
              expect(cache).toBeInstanceOf(TeacherCache);
              expect(cache.size).toBe(Math.ceil(3 / (options.batchSize ?? 3)));
              for (const i of [0, cache.size, -1, 0.5, NaN])
                await probeAsync(
                  tally,
                  'TeacherCache.get',
                  () => cache.get(i),
                  (batch) => {
                    expect(batch.input.shape[1]).toBe(3);
                    expect(batch.teacher?.output.shape[1]).toBe(2);
                    dispose(batch); // the caller's copies
                  },
                );
              cache.dispose();
            },
          );
          inputs.dispose();
          teacher.dispose();
        },
      ),
      20,
    );
    real.dispose();
  });
});

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.distill));
