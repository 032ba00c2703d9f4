import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  ConfigError,
  ElasticSeparableConv2d,
  getElasticLayers,
  getSubnet,
  maxSubnet,
  minSubnet,
  OnceForAllConv,
  setSubnet,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { buildSupernet, ELASTIC_NAMES } from './supernet.js';

describeBackends('sub-network API', () => {
  it('getElasticLayers / getSubnet / maxSubnet describe the supernet', () => {
    const model = buildSupernet();
    expect(getElasticLayers(model).map((l) => l.name)).toEqual(ELASTIC_NAMES);
    const max = {
      stem: { outChannels: 8, kernelSize: 5 },
      sep1: { outChannels: 12, kernelSize: 3 },
      sep2: { outChannels: 8, kernelSize: 3 },
      dw: { kernelSize: 3 },
      conv3: { outChannels: 8, kernelSize: 3 },
      up: { outChannels: 6 },
      head: { outChannels: 3, kernelSize: 3 },
    };
    expect(getSubnet(model)).toEqual(max);
    expect(maxSubnet(model)).toEqual(max);
    expect(JSON.parse(JSON.stringify(getSubnet(model)))).toEqual(max);
    model.dispose();
  });

  it('setSubnet applies a config (partial: the rest keeps its setting) and the network runs at it', async () => {
    const model = buildSupernet();
    setSubnet(model, {
      stem: { outChannels: 5, kernelSize: 3 },
      sep2: { outChannels: 5 },
      conv3: { outChannels: 5 },
      sep1: { outChannels: 4, kernelSize: 1 },
      up: { outChannels: 2 },
    });
    expect(getSubnet(model)['stem']).toEqual({ outChannels: 5, kernelSize: 3 });
    expect(getSubnet(model)['head']).toEqual({ outChannels: 3, kernelSize: 3 });
    const x = seededTensor([2, 8, 8, 3], 1);
    await expectNoLeak(() => {
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 16, 16, 3]);
      y.dispose();
    });
    setSubnet(model, { dw: { kernelSize: 1 } });
    expect(getSubnet(model)['stem']).toEqual({ outChannels: 5, kernelSize: 3 });
    x.dispose();
    model.dispose();
  });

  it('bad configs throw ConfigErrors naming the layer and the value, and change nothing', () => {
    const model = buildSupernet();
    const before = getSubnet(model);
    const cases: [unknown, RegExp][] = [
      [
        { stme: { outChannels: 4 } },
        /config\.stme: got \{"outChannels":4\}, expected the name of an elastic layer of model 'supernet': 'stme' is not one/,
      ],
      [{ stem: { outChannels: 0 } }, /stem\.outChannels: got 0, expected an integer in \[1, 8\]/],
      [{ sep1: { outChannels: 13 } }, /sep1\.outChannels: got 13, expected an integer in \[1, 12\]/],
      [{ up: { outChannels: 2.5 } }, /up\.outChannels: got 2\.5, expected an integer in \[1, 6\]/],
      [
        { stem: { kernelSize: 4 } },
        /stem\.kernelSize: got 4, expected one of the kernel sizes the layer offers: \[3,5\]/,
      ],
      [{ dw: { outChannels: 4 } }, /dw\.outChannels: got 4, expected nothing: this layer has no elastic output width/],
      [{ head: '3' }, /head: got '3', expected a setting object/],
      [[1, 2], /config: got \[1,2\]/],
      // The residual adds tie stem, sep2 and conv3: every one must have the same width.
      [
        { stem: { outChannels: 6 }, sep2: { outChannels: 6 } },
        /stem\.outChannels: got 6, expected 8, the width of 'conv3': their output channels are tied/,
      ],
      [{ sep2: { outChannels: 4 }, stem: { outChannels: 4, kernelSize: 9 } }, /stem\.kernelSize: got 9/],
    ];
    for (const [config, message] of cases) {
      expect(() => setSubnet(model, config as never)).toThrow(ConfigError);
      expect(() => setSubnet(model, config as never)).toThrow(message);
    }
    expect(getSubnet(model)).toEqual(before);
    model.dispose();
  });

  it('minSubnet takes the smallest allowed choices and one width for tied layers', () => {
    const model = buildSupernet();
    const min = minSubnet(model, {
      stem: { outChannels: [4, 6, 8] },
      sep2: { outChannels: [6, 8] },
      sep1: { outChannels: [4, 8, 12], kernelSize: [1, 3] },
      up: { outChannels: [2, 4, 6] },
    });
    // stem/sep2/conv3 are tied: the smallest width all allow is 6 (conv3 is absent: any width).
    expect(min).toEqual({
      stem: { outChannels: 6, kernelSize: 3 },
      sep1: { outChannels: 4, kernelSize: 1 },
      sep2: { outChannels: 6, kernelSize: 3 },
      dw: { kernelSize: 1 },
      conv3: { outChannels: 6, kernelSize: 3 },
      up: { outChannels: 2 },
      head: { outChannels: 3, kernelSize: 3 },
    });
    setSubnet(model, min);
    expect(getSubnet(model)).toEqual(min);
    expect(() => minSubnet(model, { stem: { outChannels: [4] }, sep2: { outChannels: [6] } })).toThrow(
      /widths that tied layers 'stem', 'sep2', 'conv3'/,
    );
    expect(() => minSubnet(model, { nope: { outChannels: [4] } })).toThrow(
      /choices\.nope: got \{"outChannels":\[4\]\}, expected the name of an elastic layer/,
    );
    expect(() => minSubnet(model, { stem: { outChannels: [0, 4] } })).toThrow(/stem\.outChannels: got 0/);
    expect(() => minSubnet(model, { stem: { outChannels: [] } })).toThrow(
      /choices\.stem\.outChannels: got \[\], expected a non-empty array/,
    );
    model.dispose();
  });

  it('works on tf.sequential models and models nested in models', () => {
    const seq = tfl.sequential({
      name: 'seq',
      layers: [
        new OnceForAllConv({ name: 's1', filters: 6, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2] }),
        tfl.layers.reLU({ name: 's_relu' }),
        new ElasticSeparableConv2d({ name: 's2', filters: 4, kernelSize: 3, padding: 'same' }),
      ],
    });
    expect(getElasticLayers(seq).map((l) => l.name)).toEqual(['s1', 's2']);
    setSubnet(seq, { s1: { outChannels: 2 } });
    // s2 makes seq's output, which keeps the width seq declares
    expect(() => setSubnet(seq, { s2: { outChannels: 3 } })).toThrow(
      's2.outChannels: got 3, expected 4, the width of model output 0: a model output keeps the width the model declares for it',
    );
    const input = tfl.input({ shape: [6, 6, 2] });
    const out = new OnceForAllConv({ name: 'outer', filters: 5, kernelSize: 1 }).apply(
      seq.apply(input),
    ) as tfl.SymbolicTensor;
    const nested = tfl.model({ inputs: input, outputs: out });
    expect(getElasticLayers(nested).map((l) => l.name)).toEqual(['s1', 's2', 'outer']);
    expect(getSubnet(nested)).toEqual({
      s1: { outChannels: 2, kernelSize: 3 },
      s2: { outChannels: 4, kernelSize: 3 },
      outer: { outChannels: 5, kernelSize: 1 },
    });
    // inside the outer model, s2's output feeds 'outer' (which slices its input): it may narrow
    setSubnet(nested, { s2: { outChannels: 3 } });
    expect(() => setSubnet(nested, { outer: { outChannels: 1 } })).toThrow(/^outer\.outChannels: got 1, expected 5/);
    const x = seededTensor([1, 6, 6, 2], 3);
    const y = nested.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 6, 6, 5]);
    expect(getSubnet(nested)['s2']).toEqual({ outChannels: 3, kernelSize: 3 });
    tf.dispose([x, y]);
    nested.dispose();
  });
});
