import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  ConvTranspose2d,
  ElasticBatchNorm,
  ElasticConv2dTranspose,
  ElasticDepthwiseConv2d,
  ElasticInstanceNorm,
  ElasticSeparableConv2d,
  HaarDWT,
  HaarIDWT,
  IDWTUpsample,
  InstanceNorm,
  OnceForAllConv,
  ReflectionPad2d,
  countMacs,
  countParams,
} from '../../../src/index.js';
import { Clamp } from '../../../src/models/resnet/clamp.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectNoLeak } from '../../helpers/tensors.js';

type ST = tfl.SymbolicTensor;

interface Expected {
  name: string;
  torchprofile: number;
  exact: number;
  params: number;
  outputShape: number[];
}

/**
 * One of every computing layer of the library, elastic ones at an active setting below their
 * maximum, counted at batch 2 on a [2, 10, 12, 6] image and a [2, 8] style. E = the
 * OnceForAllConv output [2, 13, 15, 5] (active width 5 of 8, active kernel 3 of 5).
 */
function everyLibraryLayer(): { model: tfl.LayersModel; expected: Expected[]; elastic: { setActive(s: object): void }[] } {
  const x = tfl.input({ shape: [10, 12, 6] });
  const expected: Expected[] = [];
  const outs: ST[] = [];
  const style = tfl.input({ shape: [8] });
  const add = (layer: tfl.layers.Layer, input: ST | ST[], tp: number, exact: number, params: number, outputShape: number[], terminal = true): ST => {
    const y = layer.apply(input) as ST;
    expected.push({ name: layer.name, torchprofile: tp, exact, params, outputShape });
    if (terminal) outs.push(y);
    return y;
  };
  const clamp = add(new Clamp({ name: 'clamp', min: -1, max: 1 }), x, 0, 0, 0, [2, 10, 12, 6], false);
  // [top, bottom, left, right] = [1, 2, 3, 0]: 10 + 3 rows, 12 + 3 columns.
  const P = add(new ReflectionPad2d({ name: 'pad', padding: [1, 2, 3, 0] }), clamp, 0, 0, 0, [2, 13, 15, 6], false);
  const ofa = new OnceForAllConv({ name: 'ofa', filters: 8, kernelSize: 5, kernelSizeChoices: [3, 5], padding: 2 });
  // Active kernel 3 with pads 2 − (5 − 3)/2 = 1 keeps 13×15; 5 of 8 filters on 6 inputs.
  const E = add(ofa, P, 2 * 13 * 15 * 5 * (6 * 9), 2 * 13 * 15 * 5 * (6 * 9), 9 * 6 * 5 + 5, [2, 13, 15, 5], false);
  add(new InstanceNorm({ name: 'inorm' }), P, 2 * 13 * 15 * 6, 0, 0, [2, 13, 15, 6]);
  add(new ElasticInstanceNorm({ name: 'einorm', affine: true }), E, 2 * 13 * 15 * 5, 0, 2 * 5, [2, 13, 15, 5]);
  add(new ElasticBatchNorm({ name: 'ebn' }), E, 0, 0, 2 * 5, [2, 13, 15, 5]);
  add(new ElasticDepthwiseConv2d({ name: 'edw', kernelSize: 3, depthMultiplier: 2, padding: 'same' }), E, 2 * 13 * 15 * 10 * 9, 2 * 13 * 15 * 10 * 9, 9 * 10 + 10, [2, 13, 15, 10]);
  const sep = new ElasticSeparableConv2d({ name: 'esep', filters: 7, kernelSize: 3, padding: 1, padMode: 'reflect' });
  // Depthwise 3×3 on 5 channels, instance norm (torchprofile only), pointwise 5 → 4 (active).
  add(sep, E, 2 * 13 * 15 * 5 * 9 + 2 * 13 * 15 * 5 + 2 * 13 * 15 * 4 * 5, 2 * 13 * 15 * 5 * 9 + 2 * 13 * 15 * 4 * 5, 9 * 5 + 5 + 5 * 4 + 4, [2, 13, 15, 4]);
  const ect = new ElasticConv2dTranspose({ name: 'ect', filters: 6, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 });
  // Active 3 of 6 outputs on 5 inputs; (13 − 1)·2 − 2 + 3 + 1 = 26, (15 − 1)·2 − 2 + 3 + 1 = 30.
  add(ect, E, 2 * 26 * 30 * 3 * (5 * 9), 2 * 13 * 15 * 5 * (3 * 9), 9 * 5 * 3 + 3, [2, 26, 30, 3]);
  // Static ConvTranspose2d k4 s2 p1: (13 − 1)·2 − 2 + 4 = 26, (15 − 1)·2 − 2 + 4 = 30.
  add(new ConvTranspose2d({ name: 'ct', filters: 4, kernelSize: 4, strides: 2, padding: 1 }), P, 2 * 26 * 30 * 4 * (6 * 16), 2 * 13 * 15 * 6 * (4 * 16), 16 * 6 * 4 + 4, [2, 26, 30, 4]);
  // Haar transforms: 4 MACs per output element (each output a 4-term ±½ sum), both conventions.
  const D = add(new HaarDWT({ name: 'dwt' }), clamp, 4 * 2 * 5 * 6 * 24, 4 * 2 * 5 * 6 * 24, 0, [2, 5, 6, 24], false);
  add(new HaarIDWT({ name: 'idwt' }), D, 4 * 2 * 10 * 12 * 6, 4 * 2 * 10 * 12 * 6, 0, [2, 10, 12, 6]);
  // With a style: + the affine map N·styleDim·4C, + one aten::mul per input element (torchprofile).
  const up = new IDWTUpsample({ name: 'idwt_up', styleDim: 8, seed: 1 });
  add(up, [D, style], 4 * 2 * 10 * 12 * 6 + 2 * 8 * 24 + 2 * 5 * 6 * 24, 4 * 2 * 10 * 12 * 6 + 2 * 8 * 24, 8 * 24 + 24, [2, 10, 12, 6]);
  return { model: tfl.model({ inputs: [x, style], outputs: outs }), expected, elastic: [ofa, sep, ect] };
}

const INPUT = [
  [2, 10, 12, 6],
  [2, 8],
];

describeBackends('countMacs on every library layer type', () => {
  for (const convention of ['torchprofile', 'exact'] as const) {
    it(`matches the hand-derived count of every layer at its active setting (${convention})`, async () => {
      const { model, expected, elastic } = everyLibraryLayer();
      const [ofa, sep, ect] = elastic as [OnceForAllConv, ElasticSeparableConv2d, ElasticConv2dTranspose];
      ofa.setActive({ outChannels: 5, kernelSize: 3 });
      sep.setActive({ outChannels: 4 });
      ect.setActive({ outChannels: 3 });
      const result = await expectNoLeak(() => countMacs(model, INPUT, { convention }));
      expect(result.uncounted).toEqual([]);
      expect(result.perLayer.map((l) => ({ name: l.name, macs: l.macs, outputShape: l.outputShape }))).toEqual(
        expected.map((e) => ({ name: e.name, macs: e[convention], outputShape: e.outputShape })),
      );
      expect(result.total).toBe(expected.reduce((s, e) => s + e[convention], 0));
      expect(countParams(model)).toBe(expected.reduce((s, e) => s + e.params, 0));
      model.dispose();
    });
  }

  it('the counted output shapes are the shapes the layers really produce', () => {
    const { model, elastic } = everyLibraryLayer();
    const [ofa, sep, ect] = elastic as [OnceForAllConv, ElasticSeparableConv2d, ElasticConv2dTranspose];
    ofa.setActive({ outChannels: 5, kernelSize: 3 });
    sep.setActive({ outChannels: 4 });
    ect.setActive({ outChannels: 3 });
    const xs = INPUT.map((s) => tf.zeros(s));
    const ys = model.predict(xs) as tf.Tensor[];
    const counted = countMacs(model, INPUT).perLayer;
    const terminal = counted.filter((l) => !['clamp', 'pad', 'ofa', 'dwt'].includes(l.name));
    expect(ys.map((y) => y.shape)).toEqual(terminal.map((l) => l.outputShape));
    tf.dispose([...xs, ...ys]);
    model.dispose();
  });
});
