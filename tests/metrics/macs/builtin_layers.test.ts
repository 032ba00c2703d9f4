import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { countMacs } from '../../../src/index.js';
import { BUILTIN_RULES } from '../../../src/metrics/macs/builtin_rules.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectNoLeak } from '../../helpers/tensors.js';

type ST = tfl.SymbolicTensor;

/** Expected cost of one layer call, derived by hand from the layer's definition. */
interface Expected {
  name: string;
  className: string;
  torchprofile: number;
  exact: number;
  outputShape: number[];
}

/**
 * One model holding every built-in layer class the counter has a rule for, counted at batch 2.
 * Each expectation is written out as the arithmetic of its rule (docs/macs.md), with
 * N = 2 and A = the [2,12,10,6] feature map of the first conv.
 */
function everyBuiltinLayer(): { model: tfl.LayersModel; expected: Expected[] } {
  const expected: Expected[] = [];
  const outputs: ST[] = [];
  const L = tfl.layers;
  const add = (
    name: string,
    layer: tfl.layers.Layer,
    input: ST | ST[],
    tp: number,
    exact: number,
    outputShape: number[],
    terminal = true,
  ): ST => {
    const y = layer.apply(input) as ST;
    expected.push({ name, className: layer.getClassName(), torchprofile: tp, exact, outputShape });
    if (terminal) outputs.push(y);
    return y;
  };
  const same = (
    name: string,
    layer: tfl.layers.Layer,
    input: ST | ST[],
    macs: number,
    outputShape: number[],
    terminal = true,
  ): ST => add(name, layer, input, macs, macs, outputShape, terminal);

  const img = tfl.input({ shape: [12, 10, 4], name: 'img' });
  const vol = tfl.input({ shape: [4, 6, 6, 2], name: 'vol' });
  const tok = tfl.input({ shape: [7], name: 'tok' });

  // Convolutions: output elements × Cin × kernel area (bias free).
  const A = same(
    'conv',
    L.conv2d({ name: 'conv', filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
    img,
    2 * 12 * 10 * 6 * (4 * 3 * 3),
    [2, 12, 10, 6],
    false,
  );
  same(
    'conv_s2',
    L.conv2d({ name: 'conv_s2', filters: 5, kernelSize: [3, 2], strides: 2 }),
    A,
    2 * 5 * 5 * 5 * (6 * 3 * 2),
    [2, 5, 5, 5],
  );
  same(
    'dw',
    L.depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
    A,
    2 * 12 * 10 * 12 * (3 * 3),
    [2, 12, 10, 12],
  );
  same(
    'sep',
    L.separableConv2d({ name: 'sep', filters: 7, kernelSize: 3, padding: 'same' }),
    A,
    2 * 12 * 10 * 6 * (3 * 3) + 2 * 12 * 10 * 7 * 6,
    [2, 12, 10, 7],
  );
  // depthwise part on Cin·multiplier = 12 channels, then 1×1 12 → 7.
  same(
    'sep_dm2',
    L.separableConv2d({ name: 'sep_dm2', filters: 7, kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }),
    A,
    2 * 6 * 5 * 12 * (3 * 3) + 2 * 6 * 5 * 7 * 12,
    [2, 6, 5, 7],
  );
  // Transposed: torchprofile at the output resolution (out·Cin·k²), exact at the input (in·Cout·k²).
  add(
    'convt',
    L.conv2dTranspose({ name: 'convt', filters: 3, kernelSize: 3, strides: 2, padding: 'same' }),
    A,
    2 * 24 * 20 * 3 * (6 * 9),
    2 * 12 * 10 * 6 * (3 * 9),
    [2, 24, 20, 3],
  );

  // Norms: batch norm 0; layer norm one per element in torchprofile, 0 exact.
  const bn = same('bn', L.batchNormalization({ name: 'bn' }), A, 0, [2, 12, 10, 6], false);
  const ln = add('ln', L.layerNormalization({ name: 'ln' }), A, 2 * 12 * 10 * 6, 0, [2, 12, 10, 6], false);

  // Activations: 0 in torchprofile 0.0.1 (leaky_relu was only added in 0.0.2).
  same('act', L.activation({ name: 'act', activation: 'tanh' }), A, 0, [2, 12, 10, 6]);
  same('relu', L.reLU({ name: 'relu' }), A, 0, [2, 12, 10, 6]);
  same('lrelu', L.leakyReLU({ name: 'lrelu' }), A, 0, [2, 12, 10, 6]);
  same('prelu', L.prelu({ name: 'prelu' }), A, 0, [2, 12, 10, 6]);
  same('elu', L.elu({ name: 'elu' }), A, 0, [2, 12, 10, 6]);
  same('softmax', L.softmax({ name: 'softmax' }), A, 0, [2, 12, 10, 6]);
  same('threlu', L.thresholdedReLU({ name: 'threlu' }), A, 0, [2, 12, 10, 6]);

  // Pools: average one per output element, max 0.
  same('maxpool2', L.maxPooling2d({ name: 'maxpool2', poolSize: 2 }), A, 0, [2, 6, 5, 6]);
  same('avgpool2', L.averagePooling2d({ name: 'avgpool2', poolSize: 2 }), A, 2 * 6 * 5 * 6, [2, 6, 5, 6]);
  const gap2 = same('gap2', L.globalAveragePooling2d({ name: 'gap2' }), A, 2 * 6, [2, 6], false);
  same('gmp2', L.globalMaxPooling2d({ name: 'gmp2' }), A, 0, [2, 6]);

  // Resampling, padding, cropping: 0 (bilinear too: torchprofile 0.0.1 has no handler for it).
  same('up_nearest', L.upSampling2d({ name: 'up_nearest', size: [2, 2] }), A, 0, [2, 24, 20, 6]);
  same(
    'up_bilinear',
    L.upSampling2d({ name: 'up_bilinear', size: [2, 3], interpolation: 'bilinear' }),
    A,
    0,
    [2, 24, 30, 6],
  );
  same('zpad', L.zeroPadding2d({ name: 'zpad', padding: 1 }), A, 0, [2, 14, 12, 6]);
  same(
    'crop',
    L.cropping2D({
      name: 'crop',
      cropping: [
        [1, 1],
        [2, 2],
      ],
    }),
    A,
    0,
    [2, 10, 6, 6],
  );
  same('resize', L.resizing({ name: 'resize', height: 8, width: 8 }), A, 0, [2, 8, 8, 6]);
  same('ccrop', L.centerCrop({ name: 'ccrop', height: 6, width: 4 }), A, 0, [2, 6, 4, 6]);
  // Element-wise products: one per element in torchprofile (aten::mul), 0 exact.
  add('rescale', L.rescaling({ name: 'rescale', scale: 0.5, offset: 1 }), A, 2 * 12 * 10 * 6, 0, [2, 12, 10, 6]);

  // Merges: add/average/max/min/concat 0; multiply one aten::mul per extra operand (torchprofile).
  same('add', L.add({ name: 'add' }), [A, bn], 0, [2, 12, 10, 6]);
  same('average', L.average({ name: 'average' }), [A, bn], 0, [2, 12, 10, 6]);
  same('maximum', L.maximum({ name: 'maximum' }), [A, bn], 0, [2, 12, 10, 6]);
  same('minimum', L.minimum({ name: 'minimum' }), [A, bn], 0, [2, 12, 10, 6]);
  same('concat', L.concatenate({ name: 'concat' }), [A, bn], 0, [2, 12, 10, 12]);
  add('multiply', L.multiply({ name: 'multiply' }), [A, bn, ln], 2 * (2 * 12 * 10 * 6), 0, [2, 12, 10, 6]);

  // Inference-time identities.
  same('dropout', L.dropout({ name: 'dropout', rate: 0.5 }), A, 0, [2, 12, 10, 6]);
  same('gnoise', L.gaussianNoise({ name: 'gnoise', stddev: 0.1 }), A, 0, [2, 12, 10, 6]);
  same('gdrop', L.gaussianDropout({ name: 'gdrop', rate: 0.1 }), A, 0, [2, 12, 10, 6]);
  same('adrop', L.alphaDropout({ name: 'adrop', rate: 0.1 }), A, 0, [2, 12, 10, 6]);
  same('rwidth', L.randomWidth({ name: 'rwidth', factor: 0.5, seed: 1 }), A, 0, [2, 12, 10, 6]);

  // Dense: output elements × input features, on rank 2 and rank 3.
  const flat = same('flatten', L.flatten({ name: 'flatten' }), A, 0, [2, 720], false);
  same('dense', L.dense({ name: 'dense', units: 5 }), flat, 2 * 5 * 720, [2, 5]);
  const seq = same('reshape', L.reshape({ name: 'reshape', targetShape: [120, 6] }), A, 0, [2, 120, 6], false);
  same('permute', L.permute({ name: 'permute', dims: [2, 1] }), seq, 0, [2, 6, 120]);
  same('dense_seq', L.dense({ name: 'dense_seq', units: 4 }), seq, 2 * 120 * 4 * 6, [2, 120, 4]);

  // 1-D.
  same(
    'conv1d',
    L.conv1d({ name: 'conv1d', filters: 3, kernelSize: 5, padding: 'same' }),
    seq,
    2 * 120 * 3 * (6 * 5),
    [2, 120, 3],
  );
  same('avgpool1', L.averagePooling1d({ name: 'avgpool1', poolSize: 2 }), seq, 2 * 60 * 6, [2, 60, 6]);
  same('maxpool1', L.maxPooling1d({ name: 'maxpool1', poolSize: 2 }), seq, 0, [2, 60, 6]);
  const gap1 = same('gap1', L.globalAveragePooling1d({ name: 'gap1' }), seq, 2 * 6, [2, 6], false);
  same('gmp1', L.globalMaxPooling1d({ name: 'gmp1' }), seq, 0, [2, 6]);
  same('sdrop', L.spatialDropout1d({ name: 'sdrop', rate: 0.2 }), seq, 0, [2, 120, 6]);
  same('masking', L.masking({ name: 'masking' }), seq, 0, [2, 120, 6]);

  // The default orthogonal initializer calls a chained op (x.flatten()), which tfjs-core alone lacks.
  const RI = 'glorotUniform';
  // Recurrent: per step, gates × units × (features + units) for the input and recurrent matmuls.
  same('rnn', L.simpleRNN({ name: 'rnn', units: 4, recurrentInitializer: RI }), seq, 2 * 120 * 1 * 4 * (6 + 4), [2, 4]);
  same('gru', L.gru({ name: 'gru', units: 3, recurrentInitializer: RI }), seq, 2 * 120 * 3 * 3 * (6 + 3), [2, 3]);
  same(
    'lstm',
    L.lstm({ name: 'lstm', units: 2, returnSequences: true, recurrentInitializer: RI }),
    seq,
    2 * 120 * 4 * 2 * (6 + 2),
    [2, 120, 2],
  );
  same(
    'bidi',
    L.bidirectional({
      name: 'bidi',
      layer: L.lstm({ units: 2, recurrentInitializer: RI }),
      mergeMode: 'concat',
    }),
    seq,
    2 * (2 * 120 * 4 * 2 * (6 + 2)),
    [2, 4],
  );
  add(
    'bidi_mul',
    L.bidirectional({
      name: 'bidi_mul',
      layer: L.simpleRNN({ units: 3, recurrentInitializer: RI }),
      mergeMode: 'mul',
    }),
    seq,
    2 * (2 * 120 * 3 * (6 + 3)) + 2 * 3,
    2 * (2 * 120 * 3 * (6 + 3)),
    [2, 3],
  );
  same('td', L.timeDistributed({ name: 'td', layer: L.dense({ units: 5 }) }), seq, 2 * 120 * 5 * 6, [2, 120, 5]);
  same('repeat', L.repeatVector({ name: 'repeat', n: 3 }), gap2, 0, [2, 3, 6]);
  same('dot', L.dot({ name: 'dot', axes: 1 }), [gap2, gap1], 2 * 1 * 6, [2, 1]);

  // 3-D.
  const V = same(
    'conv3d',
    L.conv3d({ name: 'conv3d', filters: 3, kernelSize: 3, padding: 'same' }),
    vol,
    2 * 4 * 6 * 6 * 3 * (2 * 27),
    [2, 4, 6, 6, 3],
    false,
  );
  add(
    'convt3d',
    L.conv3dTranspose({ name: 'convt3d', filters: 2, kernelSize: 2, strides: 2, padding: 'same' }),
    V,
    2 * 8 * 12 * 12 * 2 * (3 * 8),
    2 * 4 * 6 * 6 * 3 * (2 * 8),
    [2, 8, 12, 12, 2],
  );
  same('avgpool3', L.averagePooling3d({ name: 'avgpool3', poolSize: 2 }), V, 2 * 2 * 3 * 3 * 3, [2, 2, 3, 3, 3]);
  same('maxpool3', L.maxPooling3d({ name: 'maxpool3', poolSize: 2 }), V, 0, [2, 2, 3, 3, 3]);

  // Integer inputs.
  same('emb', L.embedding({ name: 'emb', inputDim: 20, outputDim: 4 }), tok, 0, [2, 7, 4]);
  // CategoryEncoding.computeOutputShape edits the shape it is given, which would rewrite the
  // declared shape of `tok`; a reshape in between (a new shape array) takes the edit instead.
  const tokCopy = same('tok_copy', L.reshape({ name: 'tok_copy', targetShape: [7] }), tok, 0, [2, 7], false);
  same('catenc', L.categoryEncoding({ name: 'catenc', numTokens: 10 }), tokCopy, 0, [2, 10]);

  outputs.push(bn, ln, gap2, gap1, V);
  return { model: tfl.model({ inputs: [img, vol, tok], outputs }), expected };
}

const INPUT: number[][] = [
  [2, 12, 10, 4],
  [2, 4, 6, 6, 2],
  [2, 7],
];

describeBackends('countMacs on every built-in layer type', () => {
  it('covers every class that has a rule', () => {
    const { model, expected } = everyBuiltinLayer();
    const classes = new Set(expected.map((e) => e.className));
    expect([...Object.keys(BUILTIN_RULES)].filter((c) => !classes.has(c))).toEqual([]);
    model.dispose();
  });

  for (const convention of ['torchprofile', 'exact'] as const) {
    it(`matches the hand-derived count of every layer (${convention})`, async () => {
      const { model, expected } = everyBuiltinLayer();
      const result = await expectNoLeak(() => countMacs(model, INPUT, { convention }));
      expect(result.uncounted).toEqual([]);
      expect(result.perLayer.map((l) => l.name)).toEqual(expected.map((e) => e.name));
      for (const [i, e] of expected.entries()) {
        const got = result.perLayer[i];
        expect(
          { name: got?.name, className: got?.className, macs: got?.macs, outputShape: got?.outputShape },
          e.name,
        ).toEqual({
          name: e.name,
          className: e.className,
          macs: e[convention],
          outputShape: e.outputShape,
        });
      }
      expect(result.total).toBe(expected.reduce((s, e) => s + e[convention], 0));
      model.dispose();
    });
  }

  it("'exact' differs from 'torchprofile' only at transposed convs, layer norm and element-wise products", () => {
    const { model } = everyBuiltinLayer();
    const tp = countMacs(model, INPUT);
    const ex = countMacs(model, INPUT, { convention: 'exact' });
    const differing = tp.perLayer.filter((l, i) => l.macs !== ex.perLayer[i]?.macs).map((l) => l.className);
    expect(differing).toEqual([
      'Conv2DTranspose',
      'LayerNormalization',
      'Rescaling',
      'Multiply',
      'Bidirectional',
      'Conv3DTranspose',
    ]);
    // A stride-s transposed conv in d dimensions: torchprofile / exact = s^d.
    const ratio = (name: string): number =>
      (tp.perLayer.find((l) => l.name === name)?.macs as number) /
      (ex.perLayer.find((l) => l.name === name)?.macs as number);
    expect(ratio('convt')).toBe(4);
    expect(ratio('convt3d')).toBe(8);
    model.dispose();
  });

  it('creates no tensor and runs no kernel', async () => {
    const { model } = everyBuiltinLayer();
    const profile = await tf.profile(() => {
      countMacs(model, INPUT);
    });
    expect(profile.newTensors).toBe(0);
    expect(profile.kernels).toEqual([]);
    model.dispose();
  });
});
