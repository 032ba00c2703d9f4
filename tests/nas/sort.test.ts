import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { ElasticSeparableConv2d, OnceForAllConv, sortChannelsByImportance } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { randomizeWeights } from '../helpers/weights.js';
import { buildSupernet } from './supernet.js';

/** L1 norm of each output filter (last axis) of a kernel. */
function filterL1(kernel: tf.Tensor): number[] {
  return tf.tidy(() =>
    Array.from(
      tf
        .sum(
          tf.abs(kernel),
          kernel.shape.slice(0, -1).map((_, i) => i),
        )
        .dataSync(),
    ),
  );
}

/** An elastic producer feeding built-in BatchNormalization, DepthwiseConv2D (multiplier 2), Conv2D, pooling and Dense. */
function builtinNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 3] });
  const p = new OnceForAllConv({ name: 'p', filters: 5, kernelSize: 3, padding: 'same' }).apply(
    input,
  ) as tfl.SymbolicTensor;
  let x = tfl.layers.batchNormalization({ name: 'bn' }).apply(p) as tfl.SymbolicTensor;
  x = tfl.layers
    .depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'same' })
    .apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn_dw' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ name: 'conv', filters: 4, kernelSize: 1 }).apply(x) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(p) as tfl.SymbolicTensor;
  const dense = tfl.layers.dense({ name: 'dense', units: 4 }).apply(pooled) as tfl.SymbolicTensor;
  const out = tfl.layers
    .add({ name: 'sum' })
    .apply([
      x,
      tfl.layers.reshape({ name: 'r', targetShape: [1, 1, 4] }).apply(dense) as tfl.SymbolicTensor,
    ]) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  for (const [i, l] of model.layers.entries()) if (l.weights.length > 0) randomizeWeights(l, 300 + i);
  return model;
}

describeBackends('sortChannelsByImportance', () => {
  for (const importance of ['producer', 'consumer'] as const) {
    it(`keeps the full network's output (${importance} importance) and puts important channels first`, async () => {
      const model = buildSupernet(7);
      const x = seededTensor([2, 8, 8, 3], 21);
      const before = model.predict(x) as tf.Tensor;
      const report = await expectNoLeak(() => sortChannelsByImportance(model, [], { importance }));
      const after = model.predict(x) as tf.Tensor;
      expectClose(after, before, 1e-5, 0, `${importance} output`);
      // stem, sep2 and conv3 write the same (residually added) channels: one shared permutation.
      expect(report.sorted.map((s) => s.layers)).toEqual([['stem', 'sep2', 'conv3'], ['sep1'], ['up']]);
      expect(report.skipped).toEqual([
        { layers: ['head'], reason: expect.stringContaining('model output 0') as unknown },
      ]);
      for (const s of report.sorted)
        expect([...s.permutation].sort((a, b) => a - b)).toEqual([...Array(s.width).keys()]);
      if (importance === 'producer') {
        // After sorting, the summed output-filter L1 norm of the tie decreases along the channels.
        const sums = ['stem/kernel', 'sep2/pointwiseKernel', 'conv3/kernel']
          .map((n) => filterL1(model.weights.find((w) => w.originalName === n)!.read()))
          .reduce((a, b) => a.map((v, i) => v + (b[i] as number)));
        for (let i = 1; i < sums.length; i++) expect(sums[i]).toBeLessThanOrEqual(sums[i - 1] as number);
        expect(report.sorted[0]?.permutation).not.toEqual([...Array(8).keys()]);
      }
      tf.dispose([x, before, after]);
      model.dispose();
    });
  }

  it('permutes built-in BatchNormalization, DepthwiseConv2D (multiplier 2), Conv2D and Dense consumers', () => {
    const model = builtinNet();
    const x = seededTensor([2, 6, 6, 3], 22);
    const before = model.predict(x) as tf.Tensor;
    for (const importance of ['producer', 'consumer'] as const) {
      const report = sortChannelsByImportance(model, [], { importance });
      expect(report.sorted.map((s) => s.layers)).toEqual([['p']]);
      expect(report.sorted[0]?.permutation).not.toEqual([0, 1, 2, 3, 4]);
      const after = model.predict(x) as tf.Tensor;
      expectClose(after, before, 1e-5, 0, importance);
      after.dispose();
    }
    tf.dispose([x, before]);
    model.dispose();
  });

  it('groups ties producers the graph does not tie; bad groups are refused', () => {
    const input = tfl.input({ shape: [4, 4, 2] });
    const a = new OnceForAllConv({ name: 'a', filters: 4, kernelSize: 1 }).apply(input) as tfl.SymbolicTensor;
    const b = new OnceForAllConv({ name: 'b', filters: 4, kernelSize: 1 }).apply(input) as tfl.SymbolicTensor;
    const ca = new ElasticSeparableConv2d({ name: 'ca', filters: 2, kernelSize: 1 }).apply(a) as tfl.SymbolicTensor;
    const cb = new ElasticSeparableConv2d({ name: 'cb', filters: 2, kernelSize: 1 }).apply(b) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: [ca, cb] });
    for (const [i, l] of model.layers.entries()) if (l.weights.length > 0) randomizeWeights(l, 500 + i);
    const x = seededTensor([1, 4, 4, 2], 23);
    const before = model.predict(x) as tf.Tensor[];
    const report = sortChannelsByImportance(model, [['a', 'b']]);
    expect(report.sorted.map((s) => s.layers)).toEqual([['a', 'b']]);
    const after = model.predict(x) as tf.Tensor[];
    after.forEach((t, i) => expectClose(t, before[i] as tf.Tensor, 1e-5, 0, `output ${i}`));
    expect(() => sortChannelsByImportance(model, [['a', 'zz']])).toThrow(/groups: got 'zz', expected names of layers/);
    expect(() => sortChannelsByImportance(model, 'a' as never)).toThrow(/groups: got 'a'/);
    expect(() => sortChannelsByImportance(model, [], { importance: 'l2' as never })).toThrow(
      /options\.importance: got 'l2'/,
    );
    tf.dispose([x, ...before, ...after]);
    model.dispose();
  });
});
