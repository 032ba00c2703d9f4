import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  ConvTranspose2d,
  convTranspose2d,
  convTransposeOutputLength,
  fileSystem,
  InstanceNorm,
  instanceNorm,
  pad2d,
  ReflectionPad2d,
  ShapeError,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { checkGradient } from '../../helpers/gradients.js';
import { expectNoLeak, seededTensor } from '../../helpers/tensors.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-common-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function buildModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 7, 3] });
  let x = new ReflectionPad2d({ padding: [1, 2, 3, 0], name: 'pad' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, name: 'conv', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) })
    .apply(x) as tfl.SymbolicTensor;
  x = new InstanceNorm({
    affine: true,
    name: 'norm',
    gammaInitializer: tfl.initializers.randomNormal({ mean: 1, stddev: 0.3, seed: 2 }),
    betaInitializer: tfl.initializers.randomNormal({ seed: 3 }),
  }).apply(x) as tfl.SymbolicTensor;
  x = new ConvTranspose2d({
    filters: 3,
    kernelSize: 3,
    strides: 2,
    padding: 1,
    outputPadding: 1,
    name: 'up',
    seed: 4,
    biasInitializer: 'randomNormal',
  }).apply(x) as tfl.SymbolicTensor;
  x = new ConvTranspose2d({
    filters: 2,
    kernelSize: [2, 3],
    strides: 1,
    padding: [0, 1],
    outputPadding: [0, 1],
    dilationRate: 2,
    name: 'dil',
    seed: 5,
  }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

describeBackends('static PyTorch-parity layers', () => {
  it('declared output shapes match the real outputs inside a functional model', () => {
    const model = buildModel();
    const x = seededTensor([2, 6, 7, 3], 1);
    const y = model.predict(x) as tf.Tensor;
    // pad → 9×10, conv3 valid → 7×8, up (6·2 − 2 + 3 + 1) → 14×16, dil → (13 + 3 + 0)×(15 − 2 + 5 + 1)
    expect(y.shape).toEqual([2, 16, 19, 2]);
    expect(model.outputs[0]?.shape).toEqual([null, 16, 19, 2]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('save → load with fileSystem() round-trips configs and weights exactly', async () => {
    const model = buildModel();
    await model.save(fileSystem(join(root, 'm1')));
    const loaded = await tfl.loadLayersModel(fileSystem(join(root, 'm1', 'model.json')));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([
      'InputLayer',
      'ReflectionPad2d',
      'Conv2D',
      'InstanceNorm',
      'ConvTranspose2d',
      'ConvTranspose2d',
    ]);
    expect(loaded.getLayer('up').getConfig()).toEqual(model.getLayer('up').getConfig());
    expect(loaded.getLayer('dil').getConfig()).toEqual(model.getLayer('dil').getConfig());
    expect(loaded.getLayer('norm').getConfig()).toEqual(model.getLayer('norm').getConfig());
    expect(loaded.getLayer('pad').getConfig()['padding']).toEqual([1, 2, 3, 0]);
    const x = seededTensor([1, 6, 7, 3], 2);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('seeded initializers are reproducible', () => {
    const make = (): tf.Tensor[] => {
      const l = new ConvTranspose2d({ filters: 2, kernelSize: 3, seed: 7 });
      l.build([null, 4, 4, 3]);
      return l.getWeights();
    };
    const [a, b] = [make(), make()];
    expect(Array.from((a[0] as tf.Tensor).dataSync())).toEqual(Array.from((b[0] as tf.Tensor).dataSync()));
    tf.dispose([...a, ...b]);
  });

  it('ops and layers leave no tensors behind', async () => {
    const x = seededTensor([1, 5, 5, 3], 3) as tf.Tensor4D;
    const f = seededTensor([3, 3, 2, 3], 4) as tf.Tensor4D;
    const model = buildModel();
    const warm = model.predict(seededTensor([1, 6, 7, 3], 1)) as tf.Tensor;
    warm.dispose();
    await expectNoLeak(() => {
      tf.dispose([
        pad2d(x, 2, 'reflect'),
        pad2d(x, [0, 1, 2, 3]),
        instanceNorm(x),
        convTranspose2d(x, f, null, { strides: 3, outputPadding: 2, dilationRate: 3 }),
      ]);
      const input = seededTensor([1, 6, 7, 3], 1);
      tf.dispose([input, model.predict(input)]);
    });
    tf.dispose([x, f]);
    model.dispose();
  });

  it('computeCost follows torchprofile 0.0.1 and the exact convention', () => {
    // GAN Compression's ResnetGenerator up-sampling conv at 256×256 (reference §2.1: 4,831.8M, 295,040 params).
    const up = new ConvTranspose2d({ filters: 128, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 });
    const tp = up.computeCost([1, 64, 64, 256], 'torchprofile');
    expect(tp).toEqual({ macs: 4_831_838_208, params: 295_040, outputShape: [1, 128, 128, 128] });
    expect(up.computeCost([1, 64, 64, 256], 'exact').macs).toBe(64 * 64 * 256 * 128 * 9);
    const norm = new InstanceNorm();
    expect(norm.computeCost([1, 256, 256, 64], 'torchprofile')).toEqual({
      macs: 4_194_304,
      params: 0,
      outputShape: [1, 256, 256, 64],
    });
    expect(norm.computeCost([1, 256, 256, 64], 'exact').macs).toBe(0);
    expect(new InstanceNorm({ affine: true }).computeCost([1, 8, 8, 64], 'exact').params).toBe(128);
    expect(new ReflectionPad2d({ padding: 3 }).computeCost([1, 256, 256, 3], 'exact')).toEqual({
      macs: 0,
      params: 0,
      outputShape: [1, 262, 262, 3],
    });
    expect(Number.isNaN(up.computeCost([null, 64, 64, 256], 'torchprofile').macs)).toBe(true);
  });

  it('convTransposeOutputLength is PyTorch formula', () => {
    expect(convTransposeOutputLength(64, 3, 2, 1, 1)).toBe(128);
    expect(convTransposeOutputLength(5, 3, 2, 1, 1, 2)).toBe(12);
    expect(convTransposeOutputLength(null, 3, 2, 1, 1)).toBeNull();
  });

  it('bad arguments raise errors that name them', () => {
    const x = seededTensor([1, 3, 4, 2], 1) as tf.Tensor4D;
    expect(() => pad2d(x, 3, 'reflect')).toThrow(ShapeError);
    expect(() => pad2d(x, 3, 'reflect')).toThrow(/x: got shape \[1,3,4,2\].*reflection pads \[3,3,3,3\]/);
    expect(() => pad2d(x, [1, 1, 1] as never, 'zeros')).toThrow(/pads: got \[1,1,1\]/);
    expect(() => pad2d(x, 1, 'edge' as never)).toThrow(/mode: got 'edge', expected one of 'zeros', 'reflect'/);
    expect(() => new ReflectionPad2d({ padding: -1 })).toThrow(ConfigError);
    expect(() => new ReflectionPad2d({ padding: 4, name: 'rp' }).apply(tfl.input({ shape: [3, 4, 2] }))).toThrow(
      /rp\.padding: got \[4,4,4,4\]/,
    );
    expect(() => new ConvTranspose2d({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 2, name: 'ct' })).toThrow(
      /^ct\.outputPadding: got 2, expected values smaller than the stride or the dilation/,
    );
    expect(() => new ConvTranspose2d({ filters: 2, kernelSize: 3, padding: -1, name: 'ct' })).toThrow(
      /^ct\.padding: got -1/,
    );
    expect(() => new ConvTranspose2d({ filters: 2, kernelSize: 3, name: 'ct' }).computeOutputShape([1, 4, 4])).toThrow(
      /^ct input: got shape \[1,4,4\], expected rank 4 \(NHWC\)/,
    );
    expect(() =>
      new ConvTranspose2d({ filters: 2, kernelSize: 3, name: 'ct' }).computeCost([1, 4, 4], 'exact'),
    ).toThrow(/^ct input: got shape \[1,4,4\], expected rank 4/);
    expect(() => convTranspose2d(x, tf.zeros<tf.Rank.R4>([3, 3, 2, 2]), null, { strides: 0 })).toThrow(
      /^strides: got 0/,
    );
    expect(() => new ConvTranspose2d({ filters: 0, kernelSize: 3, name: 'ct' })).toThrow(/ct\.filters: got 0/);
    expect(() => new ConvTranspose2d({ filters: 2, kernelSize: 2.5, name: 'ct' })).toThrow(/ct\.kernelSize: got 2\.5/);
    expect(() => new ConvTranspose2d({ filters: 2, kernelSize: 3, kernelInitializer: 'magic' })).toThrow(
      /kernelInitializer: got 'magic'/,
    );
    expect(() => new InstanceNorm({ epsilon: 0, name: 'in' })).toThrow(
      /in\.epsilon: got 0, expected a finite number > 0/,
    );
    expect(() => instanceNorm(x, { gamma: tf.ones<tf.Rank.R1>([3]) })).toThrow(
      /gamma: got shape \[3\], expected \[2\]/,
    );
    expect(() => convTranspose2d(x, tf.zeros<tf.Rank.R4>([3, 3, 2, 5]), null)).toThrow(/filter: got shape \[3,3,2,5\]/);
    x.dispose();
  });

  it('instanceNorm gradients match finite differences', () => {
    const x = seededTensor([1, 3, 4, 2], 5, 2);
    const r = seededTensor([1, 3, 4, 2], 6);
    checkGradient((p) => tf.sum(tf.mul(instanceNorm(p as tf.Tensor4D), r)), x, 1e-2, 2e-3, 'instanceNorm');
    tf.dispose([x, r]);
  });
});

describeBackends('convTranspose2d gradients', () => {
  it('match finite differences through the dilated-kernel and crop paths', () => {
    const x = seededTensor([1, 3, 3, 2], 7) as tf.Tensor4D;
    const r1 = seededTensor([1, 6, 6, 2], 8);
    const r2 = seededTensor([1, 6, 6, 2], 9);
    const f = seededTensor([2, 2, 2, 2], 10);
    // Direct path with dilation 2 and the crop path (op 1 ≥ s 1, zero-extended); both 6×6.
    checkGradient(
      (p) =>
        tf.sum(
          tf.mul(
            convTranspose2d(x, p as tf.Tensor4D, null, { strides: 2, padding: 1, outputPadding: 1, dilationRate: 2 }),
            r1,
          ),
        ),
      f,
      1e-2,
      1e-3,
      'direct',
    );
    checkGradient(
      (p) =>
        tf.sum(
          tf.mul(
            convTranspose2d(x, p as tf.Tensor4D, null, { strides: 1, padding: 0, outputPadding: 1, dilationRate: 2 }),
            r2,
          ),
        ),
      f,
      1e-2,
      1e-3,
      'crop',
    );
    tf.dispose([x, r1, r2, f]);
  });
});
