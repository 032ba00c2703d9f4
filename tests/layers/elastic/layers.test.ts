import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  ElasticBatchNorm,
  ElasticConv2dTranspose,
  ElasticDepthwiseConv2d,
  ElasticInstanceNorm,
  ElasticSeparableConv2d,
  fileSystem,
  hasChannelAxes,
  isChannelPermutable,
  isElasticLayer,
  isStaticExportable,
  kernelTransformPairs,
  OnceForAllConv,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { seededTensor } from '../../helpers/tensors.js';
import { randomizeWeights } from '../../helpers/weights.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-elastic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function build(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  let x = new OnceForAllConv({
    name: 'stem',
    filters: 8,
    kernelSize: 5,
    kernelSizeChoices: [3, 5],
    padding: [2, 2, 2, 2],
    padMode: 'reflect',
    seed: 1,
  }).apply(input) as tfl.SymbolicTensor;
  x = new ElasticBatchNorm({ name: 'bn', momentum: 0.9, epsilon: 1e-5 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ name: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = new ElasticDepthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'same', seed: 2 }).apply(
    x,
  ) as tfl.SymbolicTensor;
  x = new ElasticSeparableConv2d({
    name: 'sep',
    filters: 6,
    kernelSize: 3,
    kernelSizeChoices: [1, 3],
    strides: 2,
    padding: 1,
    seed: 3,
  }).apply(x) as tfl.SymbolicTensor;
  x = new ElasticInstanceNorm({ name: 'in', affine: true }).apply(x) as tfl.SymbolicTensor;
  x = new ElasticConv2dTranspose({
    name: 'up',
    filters: 4,
    kernelSize: 3,
    strides: 2,
    padding: 1,
    outputPadding: 1,
    seed: 4,
  }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x });
  for (const [i, l] of model.layers.entries()) if (l.weights.length > 0) randomizeWeights(l, 50 + i);
  return model;
}

describeBackends('elastic layers: protocols, serialization, costs, errors', () => {
  it('declare full-width output shapes; implement the protocols', () => {
    const model = build();
    expect(model.outputs[0]?.shape).toEqual([null, 8, 8, 4]);
    expect(model.getLayer('dw').outputShape).toEqual([null, 8, 8, 16]);
    const names = model.layers.filter(isElasticLayer).map((l) => l.name);
    expect(names).toEqual(['stem', 'dw', 'sep', 'up']);
    // Re-ordered through their own hooks (ChannelPermutable) or, for the instance norm, through the weight axes they declare.
    expect(model.layers.filter(isChannelPermutable).map((l) => l.name)).toEqual(['stem', 'bn', 'dw', 'sep', 'up']);
    expect(model.layers.filter(hasChannelAxes).map((l) => l.name)).toEqual(['stem', 'dw', 'sep', 'in', 'up']);
    expect(model.layers.filter(isStaticExportable).map((l) => l.name)).toEqual(['stem', 'bn', 'dw', 'sep', 'in', 'up']);
    expect(kernelTransformPairs([3, 5, 7])).toEqual([
      { name: '7to5', from: 7, to: 5 },
      { name: '5to3', from: 5, to: 3 },
    ]);
    expect(model.getLayer('stem').weights.map((w) => w.originalName)).toEqual([
      'stem/kernel',
      'stem/bias',
      'stem/5to3',
    ]);
    model.dispose();
  });

  it('save → load with fileSystem() keeps configs, weights and outputs (at a narrow setting too)', async () => {
    const model = build();
    await model.save(fileSystem(join(root, 'elastic')));
    const loaded = await tfl.loadLayersModel(fileSystem(join(root, 'elastic', 'model.json')));
    for (const l of model.layers)
      if (l.name !== 'relu') expect(loaded.getLayer(l.name).getConfig(), l.name).toEqual(l.getConfig());
    expect(loaded.getLayer('stem').getConfig()['padMode']).toBe('reflect');
    expect(loaded.getLayer('stem').getConfig()['kernelSizeChoices']).toEqual([3, 5]);
    const x = seededTensor([2, 8, 8, 3], 9);
    for (const m of [model, loaded]) {
      (m.getLayer('stem') as OnceForAllConv).setActive({ outChannels: 3, kernelSize: 3 });
      (m.getLayer('sep') as ElasticSeparableConv2d).setActive({ outChannels: 2, kernelSize: 1 });
      (m.getLayer('up') as ElasticConv2dTranspose).setActive({ outChannels: 1 });
    }
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(a.shape).toEqual([2, 8, 8, 1]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('computeCost counts the active setting for the actual input shape', () => {
    const conv = new OnceForAllConv({ filters: 64, kernelSize: 7, kernelSizeChoices: [3, 5, 7], padding: 3 });
    conv.build([null, 256, 256, 3]);
    // ResnetGenerator stem (reference §2.1): 616.6M MACs, 9,472 params.
    expect(conv.computeCost([1, 256, 256, 3], 'torchprofile')).toEqual({
      macs: 616_562_688,
      params: 9_472,
      outputShape: [1, 256, 256, 64],
    });
    conv.setActive({ outChannels: 16, kernelSize: 3 });
    expect(conv.computeCost([1, 256, 256, 3], 'exact')).toEqual({
      macs: 256 * 256 * 16 * 3 * 9,
      params: 3 * 9 * 16 + 16,
      outputShape: [1, 256, 256, 16],
    });
    const sep = new ElasticSeparableConv2d({ filters: 256, kernelSize: 3, padding: 1 });
    sep.build([null, 64, 64, 256]);
    // One MobileResnet block conv at ngf 64: dw 64·64·256·9 + IN 64·64·256 + pw 64·64·256·256.
    expect(sep.computeCost([1, 64, 64, 256], 'torchprofile').macs).toBe(4096 * 256 * 9 + 4096 * 256 + 4096 * 256 * 256);
    expect(sep.computeCost([1, 64, 64, 256], 'exact').macs).toBe(4096 * 256 * 9 + 4096 * 256 * 256);
    expect(sep.computeCost([1, 64, 64, 256], 'exact').params).toBe(256 * 9 + 256 + 256 * 256 + 256);
    sep.setActive({ outChannels: 32 });
    expect(sep.computeCost([1, 64, 64, 48], 'torchprofile')).toEqual({
      macs: 4096 * 48 * 9 + 4096 * 48 + 4096 * 48 * 32,
      params: 48 * 9 + 48 + 48 * 32 + 32,
      outputShape: [1, 64, 64, 32],
    });
    const up = new ElasticConv2dTranspose({ filters: 128, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 });
    up.build([null, 64, 64, 256]);
    up.setActive({ outChannels: 48 });
    expect(up.computeCost([1, 64, 64, 96], 'torchprofile')).toEqual({
      macs: 128 * 128 * 48 * 96 * 9,
      params: 9 * 96 * 48 + 48,
      outputShape: [1, 128, 128, 48],
    });
    expect(up.computeCost([1, 64, 64, 96], 'exact').macs).toBe(64 * 64 * 96 * 48 * 9);
    const dw = new ElasticDepthwiseConv2d({
      kernelSize: 5,
      kernelSizeChoices: [3, 5],
      depthMultiplier: 2,
      strides: 2,
      padding: 'same',
    });
    dw.build([null, 9, 9, 8]);
    dw.setActive({ kernelSize: 3 });
    expect(dw.computeCost([1, 9, 9, 6], 'torchprofile')).toEqual({
      macs: 5 * 5 * 12 * 9,
      params: 9 * 12 + 12,
      outputShape: [1, 5, 5, 12],
    });
    const bn = new ElasticBatchNorm();
    expect(bn.computeCost([1, 4, 4, 10], 'torchprofile')).toEqual({ macs: 0, params: 20, outputShape: [1, 4, 4, 10] });
    expect(new ElasticInstanceNorm({ affine: true }).computeCost([2, 4, 4, 10], 'torchprofile')).toEqual({
      macs: 320,
      params: 20,
      outputShape: [2, 4, 4, 10],
    });
  });

  it('setActive rejects bad settings with errors naming the layer and the value', () => {
    const conv = new OnceForAllConv({ name: 'c1', filters: 8, kernelSize: 5, kernelSizeChoices: [3, 5] });
    expect(() => conv.setActive({ outChannels: 0 })).toThrow(ConfigError);
    expect(() => conv.setActive({ outChannels: 0 })).toThrow('c1.outChannels: got 0, expected an integer in [1, 8]');
    expect(() => conv.setActive({ outChannels: 9 })).toThrow('c1.outChannels: got 9, expected an integer in [1, 8]');
    expect(() => conv.setActive({ outChannels: 2.5 })).toThrow('c1.outChannels: got 2.5');
    expect(() => conv.setActive({ kernelSize: 7 })).toThrow(
      'c1.kernelSize: got 7, expected one of the kernel sizes the layer offers: [3,5]',
    );
    expect(() => conv.setActive({ channels: 3 } as never)).toThrow('c1.channels: got 3, expected no such field');
    expect(() => conv.setActive(5 as never)).toThrow('c1: got 5, expected a setting object');
    const dw = new ElasticDepthwiseConv2d({ name: 'd1', kernelSize: 3 });
    expect(() => dw.setActive({ outChannels: 2 })).toThrow(
      /d1\.outChannels: got 2, expected nothing: this layer has no elastic output width/,
    );
    const up = new ElasticConv2dTranspose({ name: 'u1', filters: 4, kernelSize: 3 });
    expect(() => up.setActive({ kernelSize: 3 })).toThrow(
      /u1\.kernelSize: got 3, expected nothing: this layer has no elastic kernel size/,
    );
    conv.setActive({ outChannels: 3 });
    expect(conv.getActive()).toEqual({ outChannels: 3, kernelSize: 5 });
  });

  it('constructor arguments are validated, naming the layer', () => {
    expect(() => new OnceForAllConv({ name: 'a', filters: 4, kernelSize: 5, kernelSizeChoices: [2, 5] })).toThrow(
      /a\.kernelSizeChoices: got \[2,5\], expected integers in \[1, 5\] with the parity/,
    );
    expect(() => new OnceForAllConv({ name: 'a', filters: 4, kernelSize: 5, kernelSizeChoices: [3] })).toThrow(
      /a\.kernelSizeChoices: got \[3\], expected a list containing kernelSize 5/,
    );
    expect(
      () => new OnceForAllConv({ name: 'a', filters: 4, kernelSize: 7, kernelSizeChoices: [3, 7], padding: 1 }),
    ).toThrow(/a\.padding: got 1, expected pads of at least/);
    expect(() => new OnceForAllConv({ name: 'a', filters: 4, kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(
      /a\.dilationRate: got 2, expected 1 when strides are \[2,2\]/,
    );
    expect(() => new OnceForAllConv({ name: 'a', filters: 4, kernelSize: 3, padMode: 'edge' as never })).toThrow(
      /a\.padMode: got 'edge'/,
    );
    expect(() => new OnceForAllConv({ name: 'a', filters: 4, kernelSize: 3, padding: 'full' as never })).toThrow(
      /a\.padding: got 'full'/,
    );
    expect(() => new ElasticSeparableConv2d({ name: 's', filters: 4, kernelSize: 3, norm: 'batch' as never })).toThrow(
      /s\.norm: got 'batch'/,
    );
    expect(
      () => new ElasticConv2dTranspose({ name: 't', filters: 4, kernelSize: 3, strides: 1, outputPadding: 1 }),
    ).toThrow(/^t\.outputPadding: got 1/);
    expect(() => new ElasticConv2dTranspose({ name: 't', filters: 0, kernelSize: 3 })).toThrow(/^t\.filters: got 0/);
    expect(() => new ElasticConv2dTranspose({ name: 't', filters: 4, kernelSize: [3, 0] })).toThrow(
      /^t\.kernelSize: got \[3,0\]/,
    );
    expect(() =>
      new ElasticConv2dTranspose({ name: 't', filters: 4, kernelSize: 3 }).computeOutputShape([1, 4, 4]),
    ).toThrow(/^t input: got shape \[1,4,4\], expected rank 4 \(NHWC\)/);
  });
});
