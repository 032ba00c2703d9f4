import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  elasticKernel,
  ElasticBatchNorm,
  ElasticConv2dTranspose,
  ElasticDepthwiseConv2d,
  ElasticInstanceNorm,
  ElasticSeparableConv2d,
  OnceForAllConv,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { checkGradient } from '../../helpers/gradients.js';
import { seededTensor } from '../../helpers/tensors.js';
import { randomizeWeights } from '../../helpers/weights.js';

/** A supernet touching every elastic layer, set to a narrow sub-network. */
function supernet(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 3] });
  let x = new OnceForAllConv({ name: 'conv', filters: 6, kernelSize: 5, kernelSizeChoices: [3, 5], padding: 2 }).apply(
    input,
  ) as tfl.SymbolicTensor;
  x = new ElasticBatchNorm({ name: 'bn' }).apply(x) as tfl.SymbolicTensor;
  x = new ElasticDepthwiseConv2d({ name: 'dw', kernelSize: 3, kernelSizeChoices: [1, 3], padding: 'same' }).apply(
    x,
  ) as tfl.SymbolicTensor;
  x = new ElasticSeparableConv2d({ name: 'sep', filters: 5, kernelSize: 3, padding: 1 }).apply(x) as tfl.SymbolicTensor;
  x = new ElasticInstanceNorm({ name: 'in', affine: true }).apply(x) as tfl.SymbolicTensor;
  x = new ElasticConv2dTranspose({
    name: 'up',
    filters: 2,
    kernelSize: 3,
    strides: 2,
    padding: 1,
    outputPadding: 1,
  }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x });
  for (const [i, l] of model.layers.entries()) if (l.weights.length > 0) randomizeWeights(l, 900 + i);
  (model.getLayer('conv') as OnceForAllConv).setActive({ outChannels: 4, kernelSize: 3 });
  (model.getLayer('dw') as ElasticDepthwiseConv2d).setActive({ kernelSize: 1 });
  (model.getLayer('sep') as ElasticSeparableConv2d).setActive({ outChannels: 2 });
  return model;
}

/** Which entries of each weight the sub-network set in supernet() uses (index → active). */
const ACTIVE: Record<string, (idx: number[]) => boolean> = {
  'conv/kernel': ([h, w, , o]) => h! >= 1 && h! <= 3 && w! >= 1 && w! <= 3 && o! < 4, // centre 3×3 of 5, 4 outputs
  'conv/bias': ([o]) => o! < 4,
  'conv/5to3': () => true,
  'bn/gamma': ([c]) => c! < 4,
  'bn/beta': ([c]) => c! < 4,
  'dw/depthwiseKernel': ([h, w, c]) => h === 1 && w === 1 && c! < 4,
  'dw/bias': ([c]) => c! < 4,
  'dw/3to1': () => true,
  'sep/depthwiseKernel': ([, , c]) => c! < 4,
  'sep/depthwiseBias': ([c]) => c! < 4,
  'sep/pointwiseKernel': ([, , i, o]) => i! < 4 && o! < 2,
  'sep/bias': ([o]) => o! < 2,
  'in/gamma': ([c]) => c! < 2,
  'in/beta': ([c]) => c! < 2,
  'up/kernel': ([, , , i]) => i! < 2,
  'up/bias': () => true,
};

function indexOf(flat: number, shape: number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % (shape[d] as number));
    flat = Math.floor(flat / (shape[d] as number));
  }
  return idx;
}

describeBackends('inactive weights get exactly zero gradient', () => {
  it('tf.variableGrads through a functional supernet: zero outside the active slice, non-zero inside', () => {
    const model = supernet();
    const x = seededTensor([2, 6, 6, 3], 1);
    const r = seededTensor([2, 12, 12, 2], 2);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => tf.sum<tf.Scalar>(tf.mul(model.apply(x, { training: true }) as tf.Tensor, r)),
      vars,
    );
    for (const w of model.trainableWeights) {
      const key = w.originalName;
      const rule = ACTIVE[key];
      expect(rule, `a rule for ${key}`).toBeDefined();
      const g = grads[(w.read() as tf.Variable).name];
      const data =
        g == null
          ? new Float32Array(w.shape.reduce((a, b) => (a as number) * (b as number), 1) as number)
          : g.dataSync();
      let activeNonZero = 0;
      for (let i = 0; i < data.length; i++) {
        const idx = indexOf(i, w.shape as number[]);
        if (rule!(idx)) activeNonZero += data[i] !== 0 ? 1 : 0;
        else expect(data[i], `${key}[${idx}]`).toBe(0);
      }
      expect(activeNonZero, `${key} has gradient on its active slice`).toBeGreaterThan(0);
    }
    tf.dispose([x, r, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('model.fit with SGD changes only the active slices (and leaves unused kernel transforms alone)', async () => {
    const model = supernet();
    // Unused here: the full-kernel path of 'conv' never uses its matrices at k = 5, so check a
    // setting where '5to3' is idle as well.
    (model.getLayer('conv') as OnceForAllConv).setActive({ kernelSize: 5 });
    const idle: Record<string, (idx: number[]) => boolean> = {
      ...ACTIVE,
      'conv/kernel': ([, , , o]) => o! < 4,
      'conv/5to3': () => false,
    };
    const before = new Map(model.trainableWeights.map((w) => [w.originalName, Float32Array.from(w.read().dataSync())]));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const x = seededTensor([4, 6, 6, 3], 3);
    const y = seededTensor([4, 12, 12, 2], 4);
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0 });
    for (const w of model.trainableWeights) {
      const rule = idle[w.originalName] as (idx: number[]) => boolean;
      const a = before.get(w.originalName) as Float32Array;
      const b = w.read().dataSync();
      let changed = 0;
      for (let i = 0; i < a.length; i++) {
        const idx = indexOf(i, w.shape as number[]);
        if (rule(idx)) changed += a[i] !== b[i] ? 1 : 0;
        else expect(b[i], `${w.originalName}[${idx}] must not move`).toBe(a[i]);
      }
      // conv/bias, sep/depthwiseBias and sep/bias feed a norm (batch norm in training mode, instance norm),
      // which cancels a per-channel shift: their gradient is zero up to rounding.
      if (!['conv/5to3', 'conv/bias', 'sep/depthwiseBias', 'sep/bias'].includes(w.originalName))
        expect(changed, `${w.originalName} trained`).toBeGreaterThan(0);
    }
    tf.dispose([x, y]);
    model.dispose();
  });
});

describeBackends('kernel-transform gradients', () => {
  it('match finite differences for the kernel and both matrices (7 → 5 → 3)', () => {
    const kernel = seededTensor([7, 7, 2, 1], 5);
    const m75 = tf.tidy(() => tf.add(tf.eye(25), tf.mul(seededTensor([25, 25], 6), 0.1)));
    const m53 = tf.tidy(() => tf.add(tf.eye(9), tf.mul(seededTensor([9, 9], 7), 0.1)));
    const r = seededTensor([3, 3, 2, 1], 8);
    const loss = (k: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(elasticKernel(k as tf.Tensor4D, 3, [3, 5, 7], { '7to5': a, '5to3': b }), r));
    checkGradient((p) => loss(p, m75, m53), kernel, 1e-2, 1e-3, 'kernel');
    checkGradient((p) => loss(kernel, m75, p), m53, 1e-2, 1e-3, '5to3');
    // 625 entries: check a 3×3 window of 7to5 through a masked perturbation instead of all.
    const mask = tf.tidy(() =>
      tf.pad(tf.ones([3, 3]), [
        [10, 12],
        [4, 18],
      ]),
    );
    const base = tf.tidy(() => tf.mul(m75, tf.sub(1, mask)));
    const window = tf.tidy(() => tf.slice(m75, [10, 4], [3, 3]));
    checkGradient(
      (p) =>
        loss(
          kernel,
          tf.add(
            base,
            tf.pad(p, [
              [10, 12],
              [4, 18],
            ]),
          ),
          m53,
        ),
      window,
      1e-2,
      1e-3,
      '7to5 window',
    );
    tf.dispose([kernel, m75, m53, r, mask, base, window]);
  });
});
