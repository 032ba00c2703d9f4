import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  ElasticConv2dTranspose,
  ElasticDepthwiseConv2d,
  extractSubnet,
  fileSystem,
  getSubnet,
  OnceForAllConv,
  Random,
  setSubnet,
  type SubnetConfig,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { randomizeWeights } from '../helpers/weights.js';
import { buildSupernet, randomConfig } from './supernet.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-extract-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ELASTIC_CLASSES = [
  'OnceForAllConv',
  'ElasticDepthwiseConv2d',
  'ElasticSeparableConv2d',
  'ElasticConv2dTranspose',
  'ElasticBatchNorm',
  'ElasticInstanceNorm',
];

/** Convs whose geometry takes the other export paths: strided reflect 'same', dilated depthwise, a transposed conv Conv2DTranspose cannot express. */
function geometryNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [9, 10, 4] });
  let x = new OnceForAllConv({
    name: 'a',
    filters: 6,
    kernelSize: 5,
    kernelSizeChoices: [3, 5],
    strides: 2,
    padding: 'same',
    padMode: 'reflect',
  }).apply(input) as tfl.SymbolicTensor;
  x = new OnceForAllConv({ name: 'b', filters: 6, kernelSize: 3, padding: [1, 2, 0, 1] }).apply(
    x,
  ) as tfl.SymbolicTensor;
  x = new ElasticDepthwiseConv2d({ name: 'c', kernelSize: 3, dilationRate: 2, padding: 2, depthMultiplier: 2 }).apply(
    x,
  ) as tfl.SymbolicTensor;
  x = new ElasticConv2dTranspose({
    name: 'd',
    filters: 5,
    kernelSize: 3,
    strides: 1,
    padding: 1,
    outputPadding: 1,
    dilationRate: 2,
  }).apply(x) as tfl.SymbolicTensor;
  x = new OnceForAllConv({ name: 'e', filters: 4, kernelSize: 3, padding: 1, strides: 2 }).apply(
    x,
  ) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: x, name: 'geometry' });
  for (const [i, l] of model.layers.entries()) if (l.weights.length > 0) randomizeWeights(l, 70 + i);
  return model;
}

describeBackends('extractSubnet', () => {
  it('equals the supernet under random configs (≤ 1e-5), before and after a fileSystem round trip', async () => {
    const model = buildSupernet(3);
    const rng = new Random(5);
    const x = seededTensor([2, 8, 8, 3], 11);
    for (let trial = 0; trial < 4; trial++) {
      const config = trial === 0 ? {} : randomConfig(rng);
      const before = getSubnet(model);
      const sub = extractSubnet(model, config);
      expect(getSubnet(model), 'the supernet keeps its own setting').toEqual(before);
      const classes = sub.layers.map((l) => l.getClassName());
      expect(
        classes.filter((c) => ELASTIC_CLASSES.includes(c)),
        'no elastic layers left',
      ).toEqual([]);
      expect(classes).toEqual(
        expect.arrayContaining([
          'Conv2D',
          'DepthwiseConv2D',
          'Conv2DTranspose',
          'Cropping2D',
          'BatchNormalization',
          'InstanceNorm',
          'ReflectionPad2d',
          'Add',
          'Dropout',
          'ZeroPadding2D',
        ]),
      );
      setSubnet(model, config);
      const expected = model.predict(x) as tf.Tensor;
      setSubnet(model, before);
      const y = sub.predict(x) as tf.Tensor;
      expectClose(y, expected, 1e-5, 0, `trial ${trial} ${JSON.stringify(config)}`);
      const dir = join(root, `trial-${trial}`);
      await sub.save(fileSystem(dir));
      const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
      const z = loaded.predict(x) as tf.Tensor;
      expectClose(z, expected, 1e-5, 0, `trial ${trial} after load`);
      tf.dispose([expected, y, z]);
      sub.dispose();
      loaded.dispose();
    }
    x.dispose();
    model.dispose();
  });

  it('keeps the layer names, so features can still be read by name', () => {
    const model = buildSupernet(4);
    const sub = extractSubnet(model, randomConfig(new Random(9)));
    for (const name of ['stem', 'stem_bn', 'sep1', 'sep2', 'add1', 'dw', 'conv3', 'bn2', 'up', 'head', 'head_bn'])
      expect(() => sub.getLayer(name), name).not.toThrow();
    expect(sub.getLayer('up').getClassName()).toBe('Cropping2D');
    expect(sub.getLayer('up_conv').getClassName()).toBe('Conv2DTranspose');
    expect(sub.getLayer('stem_pad').getClassName()).toBe('ReflectionPad2d');
    sub.dispose();
    model.dispose();
  });

  it('handles strided reflect "same", explicit asymmetric pads, dilated depthwise and non-mapping transposed geometry', async () => {
    const model = geometryNet();
    const x = seededTensor([2, 9, 10, 4], 12);
    const configs: SubnetConfig[] = [
      {},
      // e, the model's output, keeps its declared width (4); it reads d's narrowed output
      { a: { outChannels: 3, kernelSize: 3 }, b: { outChannels: 2 }, d: { outChannels: 4 } },
    ];
    for (const config of configs) {
      const sub = extractSubnet(model, config);
      setSubnet(model, config);
      const expected = model.predict(x) as tf.Tensor;
      const y = sub.predict(x) as tf.Tensor;
      expectClose(y, expected, 1e-5, 0, JSON.stringify(config));
      expect(sub.getLayer('d').getClassName()).toBe('ConvTranspose2d');
      expect(sub.getLayer('c').getClassName()).toBe('DepthwiseConv2D');
      const dir = join(root, `geometry-${Object.keys(config).length}`);
      await sub.save(fileSystem(dir));
      const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
      const z = loaded.predict(x) as tf.Tensor;
      expectClose(z, expected, 1e-5, 0, `${JSON.stringify(config)} after load`);
      tf.dispose([expected, y, z]);
      sub.dispose();
      loaded.dispose();
    }
    x.dispose();
    model.dispose();
  });

  it('leaves no tensors behind and refuses bad configs without touching the supernet', async () => {
    const model = buildSupernet(6);
    const before = getSubnet(model);
    await expectNoLeak(() => {
      const sub = extractSubnet(model, randomConfig(new Random(1)));
      sub.dispose();
    });
    expect(() => extractSubnet(model, { stem: { outChannels: 99 } })).toThrow(/stem\.outChannels: got 99/);
    expect(getSubnet(model)).toEqual(before);
    model.dispose();
  });
});
