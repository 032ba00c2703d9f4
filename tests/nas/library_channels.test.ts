import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  BlurUpsample,
  ConvTranspose2d,
  ElasticInstanceNorm,
  EqualLinear,
  HaarDWT,
  HaarIDWT,
  IDWTUpsample,
  InstanceNorm,
  OnceForAllConv,
  PixelNorm,
  ReflectionPad2d,
  getSubnet,
  minSubnet,
  setSubnet,
  sortChannelsByImportance,
} from '../../src/index.js';
import { Clamp } from '../../src/models/resnet/clamp.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { randomizeWeights } from '../helpers/weights.js';

type ST = tfl.SymbolicTensor;

/** The elastic conv every model starts with: 8 filters, 3×3, 'same'. */
const producer = (): OnceForAllConv => new OnceForAllConv({ name: 'a', filters: 8, kernelSize: 3, padding: 'same' });

function finish(inputs: ST, outputs: ST | ST[], seed: number): tfl.LayersModel {
  const model = tfl.model({ inputs, outputs });
  for (const [i, l] of model.layers.entries()) if (l.weights.length > 0) randomizeWeights(l, seed + 11 * i);
  return model;
}

/**
 * a → ReflectionPad2d → InstanceNorm → ElasticInstanceNorm (affine) → BlurUpsample → Clamp →
 * PixelNorm → elastic conv b. With `tap`, the Clamp output (the per-channel layers' result) is a
 * second model output.
 */
function followers(tap: boolean): tfl.LayersModel {
  const x = tfl.input({ shape: [6, 6, 3] });
  let y = producer().apply(x) as ST;
  y = new ReflectionPad2d({ name: 'pad', padding: 1 }).apply(y) as ST;
  y = new InstanceNorm({ name: 'in' }).apply(y) as ST;
  y = new ElasticInstanceNorm({ name: 'ein', affine: true }).apply(y) as ST;
  y = new BlurUpsample({ name: 'blur' }).apply(y) as ST;
  const clamped = new Clamp({ name: 'clamp', min: -0.8, max: 0.8 }).apply(y) as ST;
  const normed = new PixelNorm({ name: 'pn' }).apply(clamped) as ST;
  const out = new OnceForAllConv({ name: 'b', filters: 4, kernelSize: 3, padding: 'same' }).apply(normed) as ST;
  return finish(x, tap ? [clamped, out] : out, 600);
}

/** a → affine InstanceNorm → ConvTranspose2d → elastic conv c, and a → pooling → EqualLinear. */
function staticReaders(): tfl.LayersModel {
  const x = tfl.input({ shape: [6, 6, 3] });
  const a = producer().apply(x) as ST;
  let y = new InstanceNorm({ name: 'in_affine', affine: true }).apply(a) as ST;
  y = new ConvTranspose2d({ name: 'ct', filters: 5, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 }).apply(
    y,
  ) as ST;
  y = new OnceForAllConv({ name: 'c', filters: 4, kernelSize: 3, padding: 'same' }).apply(y) as ST;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(a) as ST;
  const fc = new EqualLinear({ name: 'fc', units: 6, activation: 'lrelu', seed: 1 }).apply(pooled) as ST;
  return finish(x, [y, fc], 700);
}

/** a → (pooling when `flat`) → `reader` → elastic conv b (for 4-D outputs). */
function readBy(reader: tfl.layers.Layer, flat = false): tfl.LayersModel {
  const x = tfl.input({ shape: [4, 4, 3] });
  let y = producer().apply(x) as ST;
  if (flat) y = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(y) as ST;
  y = reader.apply(y) as ST;
  if (!flat) y = new OnceForAllConv({ name: 'b', filters: 4, kernelSize: 1 }).apply(y) as ST;
  return finish(x, y, 800);
}

const FIXED_WIDTH = (reader: string, value: number, width: number): string =>
  `a.outChannels: got ${value}, expected ${width}, the width of the input of layer ${reader}, which runs at that width only (it does not slice its input)`;

function gammaOf(model: tfl.LayersModel, layer: string): number[] {
  const v = model.getLayer(layer).weights.find((w) => w.originalName.endsWith('/gamma'));
  return Array.from((v as tfl.LayerVariable).read().dataSync());
}

describeBackends('channel roles of the library layers', () => {
  for (const importance of ['producer', 'consumer'] as const) {
    it(`sorts across ReflectionPad2d, InstanceNorm, ElasticInstanceNorm, BlurUpsample, Clamp and PixelNorm without changing the output (${importance})`, async () => {
      const model = followers(false);
      const x = seededTensor([2, 6, 6, 3], 31);
      const before = model.predict(x) as tf.Tensor;
      const gamma = gammaOf(model, 'ein');
      const report = await expectNoLeak(() => sortChannelsByImportance(model, [], { importance }));
      expect(report.sorted.map((s) => s.layers)).toEqual([['a']]);
      expect(report.skipped).toEqual([{ layers: ['b'], reason: 'its channels are fixed by model output 0' }]);
      const perm = report.sorted[0]?.permutation as number[];
      expect(perm).not.toEqual([...Array(8).keys()]);
      // The elastic instance norm's per-channel scale moved with its channels.
      expect(gammaOf(model, 'ein')).toEqual(perm.map((p) => gamma[p]));
      const after = model.predict(x) as tf.Tensor;
      expectClose(after, before, 1e-5, 1e-5, `sorted output (${importance})`);
      tf.dispose([x, before, after]);
      model.dispose();
    });
  }

  it('setSubnet narrows a width through the per-channel layers: their output is the first channels of the full one', () => {
    const model = followers(true);
    const x = seededTensor([1, 6, 6, 3], 32);
    const [fullTap, fullOut] = model.predict(x) as tf.Tensor[];
    setSubnet(model, { a: { outChannels: 5 } });
    const [tap, out] = model.predict(x) as tf.Tensor[];
    expect(tap?.shape).toEqual([1, 16, 16, 5]);
    expect(out?.shape).toEqual([1, 16, 16, 4]);
    const firstFive = tf.slice(fullTap as tf.Tensor, [0, 0, 0, 0], [1, 16, 16, 5]);
    expectClose(tap as tf.Tensor, firstFive, 1e-5, 1e-5, 'per-channel layers at width 5');
    expect(minSubnet(model, { a: { outChannels: [3, 5] } })['a']).toEqual({ outChannels: 3, kernelSize: 3 });
    tf.dispose([x, fullTap, fullOut, tap, out, firstFive] as tf.Tensor[]);
    model.dispose();
  });

  it('sorts across the static layers with weights (affine InstanceNorm, ConvTranspose2d, EqualLinear), permuting their input channels', async () => {
    for (const importance of ['producer', 'consumer'] as const) {
      const model = staticReaders();
      const x = seededTensor([2, 6, 6, 3], 33);
      const before = model.predict(x) as tf.Tensor[];
      const gamma = gammaOf(model, 'in_affine');
      const report = await expectNoLeak(() => sortChannelsByImportance(model, [], { importance }));
      expect(report.sorted.map((s) => s.layers)).toEqual([['a']]);
      const perm = report.sorted[0]?.permutation as number[];
      expect(perm).not.toEqual([...Array(8).keys()]);
      expect(gammaOf(model, 'in_affine')).toEqual(perm.map((p) => gamma[p]));
      const after = model.predict(x) as tf.Tensor[];
      after.forEach((t, i) => expectClose(t, before[i] as tf.Tensor, 1e-5, 1e-5, `sorted output ${i} (${importance})`));
      tf.dispose([x, ...before, ...after]);
      model.dispose();
    }
  });

  it('setSubnet refuses to narrow what a fixed-width reader reads, naming it, and changes nothing', () => {
    const readers: [tfl.layers.Layer, boolean, string][] = [
      [new InstanceNorm({ name: 'norm', affine: true }), false, "'norm' (InstanceNorm)"],
      [
        new ConvTranspose2d({ name: 'up', filters: 3, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 }),
        false,
        "'up' (ConvTranspose2d)",
      ],
      [new HaarIDWT({ name: 'idwt' }), false, "'idwt' (HaarIDWT)"],
      [new HaarIDWT({ name: 'idwt', channelLayout: 'interleaved' }), false, "'idwt' (HaarIDWT)"],
      [new HaarDWT({ name: 'dwt' }), false, "'dwt' (HaarDWT)"],
      [new EqualLinear({ name: 'fc', units: 3 }), true, "'fc' (EqualLinear)"],
    ];
    for (const [reader, flat, label] of readers) {
      const model = readBy(reader, flat);
      const before = getSubnet(model);
      // 4 is a multiple of 4, so the IDWT's refusal is its fixed width, not divisibility.
      expect(() => setSubnet(model, { a: { outChannels: 4 } }), label).toThrow(FIXED_WIDTH(label, 4, 8));
      expect(getSubnet(model)).toEqual(before);
      expect(minSubnet(model, { a: { outChannels: [4, 8] } })['a'], label).toEqual({ outChannels: 8, kernelSize: 3 });
      model.dispose();
    }
    // Without affine parameters an InstanceNorm takes any width.
    const free = readBy(new InstanceNorm({ name: 'norm' }));
    setSubnet(free, { a: { outChannels: 4 } });
    const x = seededTensor([1, 4, 4, 3], 34);
    const y = free.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 4, 4, 4]);
    tf.dispose([x, y]);
    free.dispose();
  });

  it('channels are not sorted across a Haar transform; the report names the layer', () => {
    expect(new HaarIDWT().channelRole()).toEqual(new IDWTUpsample().channelRole());
    const idwt = readBy(new HaarIDWT({ name: 'idwt' }));
    expect(sortChannelsByImportance(idwt).skipped).toEqual([
      {
        layers: ['a'],
        reason:
          "layer 'idwt' combines these channels in groups of 4 (its output channel i reads 4 of them), and channels are not sorted across such a layer",
      },
      { layers: ['b'], reason: 'its channels are fixed by model output 0' },
    ]);
    idwt.dispose();
    const dwt = readBy(new HaarDWT({ name: 'dwt' }));
    const report = sortChannelsByImportance(dwt);
    expect(report.sorted).toEqual([]);
    expect(report.skipped[0]).toEqual({
      layers: ['a'],
      reason:
        "its channels are fixed by layer 'dwt' (HaarDWT): its output channels are the sub-bands of its input channels in blocks of the input width, which channels cannot be sorted or narrowed across",
    });
    dwt.dispose();
  });
});
