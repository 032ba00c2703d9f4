import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  ModulatedConv2d,
  ModulatedDWConv2d,
  StyledConv,
  ToWavelets,
  extractSubnet,
  fileSystem,
  getElasticLayers,
  getSubnet,
  setNoise,
  setSubnet,
  sortChannelsByImportance,
  type ModulatedConvBase,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../../helpers/tensors.js';
import { randomizeModulated, shortName } from '../../helpers/weights.js';
import {
  affineRef,
  arr,
  combinedRef,
  modConvRef,
  slicePrefix,
  styledTailRef,
  type Arr,
  type Demod,
} from './reference.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-modulated-elastic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MAX_IN = 6;
const FILTERS = 5;
const STYLE = 4;

interface Case {
  label: string;
  make: () => ModulatedConvBase;
  conv: 'dense' | 'depthwise';
  equalized: boolean;
  demodulation: Demod;
  upsample?: boolean;
  tail?: { gain: number };
}

const CASES: Case[] = [
  {
    label: 'ModulatedConv2d (StyleGAN2)',
    make: () => new ModulatedConv2d({ filters: FILTERS, styleDim: STYLE }),
    conv: 'dense',
    equalized: true,
    demodulation: 'style',
  },
  {
    label: 'ModulatedConv2d up-sampling',
    make: () => new ModulatedConv2d({ filters: FILTERS, styleDim: STYLE, upsample: true }),
    conv: 'dense',
    equalized: true,
    demodulation: 'style',
    upsample: true,
  },
  {
    label: 'ModulatedConv2d (MobileStyleGAN dense)',
    make: () => new ModulatedConv2d({ filters: FILTERS, styleDim: STYLE, affine: 'linear', demodulation: 'styleinv' }),
    conv: 'dense',
    equalized: false,
    demodulation: 'styleinv',
  },
  // Without demodulation the equalized-lr scale shows: it stays the full layer's 1/√(6·9).
  {
    label: 'ModulatedConv2d without demodulation',
    make: () => new ModulatedConv2d({ filters: FILTERS, styleDim: STYLE, demodulation: 'none' }),
    conv: 'dense',
    equalized: true,
    demodulation: 'none',
  },
  {
    label: 'ModulatedDWConv2d',
    make: () => new ModulatedDWConv2d({ filters: FILTERS, styleDim: STYLE }),
    conv: 'depthwise',
    equalized: false,
    demodulation: 'styleinv',
  },
  {
    label: 'StyledConv (MobileStyleGAN)',
    make: () => new StyledConv({ filters: FILTERS, styleDim: STYLE, seed: 2 }),
    conv: 'depthwise',
    equalized: false,
    demodulation: 'styleinv',
    tail: { gain: 1 },
  },
  {
    label: 'StyledConv (StyleGAN2, up-sampling)',
    make: () =>
      new StyledConv({
        filters: FILTERS,
        styleDim: STYLE,
        conv: 'dense',
        affine: 'equalized',
        demodulation: 'style',
        upsample: true,
        activationGain: Math.SQRT2,
        seed: 3,
      }),
    conv: 'dense',
    equalized: true,
    demodulation: 'style',
    upsample: true,
    tail: { gain: Math.SQRT2 },
  },
];

/** The float64 output of `c` at `cin` input and `out` output channels, from the sliced weights. */
function reference(c: Case, layer: tfl.layers.Layer, x: tf.Tensor, w: tf.Tensor, cin: number, out: number): Arr {
  const weights: Record<string, Arr> = {};
  for (const v of layer.weights) weights[shortName(v)] = arr(v.read());
  const slice = (name: string, sizes: number[]): Arr => slicePrefix(weights[name] as Arr, sizes);
  const s = affineRef(
    arr(w),
    slice('affineKernel', [STYLE, cin]),
    slice('affineBias', [cin]),
    c.equalized ? 1 / Math.sqrt(STYLE) : 1,
  );
  const kernel =
    c.conv === 'dense'
      ? slice('kernel', [3, 3, cin, out])
      : combinedRef(slice('depthwise', [3, 3, cin, 1]), slice('pointwise', [1, 1, cin, out]));
  // The equalized-lr scale stays the full layer's (Anycost GAN's first-k slicing).
  const styleInv = weights['styleInv'] == null ? undefined : slice('styleInv', [cin]);
  const y = modConvRef(arr(x), s, kernel, {
    scale: 1 / Math.sqrt(MAX_IN * 9),
    demodulation: c.demodulation,
    styleInv,
    upsample: c.upsample,
  });
  if (c.tail == null) return y;
  return styledTailRef(
    y,
    (weights['noiseStrength'] as Arr).data[0] as number,
    weights['noise'] as Arr,
    slice('bias', [out]),
    c.tail.gain,
  );
}

/** x → a (StyledConv 8) → b (StyledConv 6) → head (ToWavelets); style w. */
function chain(): tfl.LayersModel {
  const x = tfl.input({ shape: [5, 5, 4] });
  const w = tfl.input({ shape: [STYLE] });
  let h = new StyledConv({ name: 'a', filters: 8, styleDim: STYLE, seed: 1 }).apply([x, w]) as tfl.SymbolicTensor;
  h = new StyledConv({ name: 'b', filters: 6, styleDim: STYLE, conv: 'dense', seed: 2 }).apply([
    h,
    w,
  ]) as tfl.SymbolicTensor;
  const y = new ToWavelets({ name: 'head', styleDim: STYLE, seed: 3 }).apply([h, w]) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [x, w], outputs: y });
  model.layers.forEach((l, i) => l.weights.length > 0 && randomizeModulated(l, 40 + i));
  setNoise(model, { seed: 9 });
  return model;
}

describeBackends('elastic modulated layers', () => {
  it('at several widths each layer equals a float64 per-sample-weight reference built from the first-k slices', async () => {
    const w = seededTensor([2, STYLE], 5);
    for (const [i, c] of CASES.entries()) {
      const layer = c.make();
      layer.apply([tf.zeros([1, 4, 4, MAX_IN]), tf.zeros([1, STYLE])]);
      randomizeModulated(layer, 100 + 10 * i);
      if (c.tail != null) setNoise(layer, { seed: i });
      for (const [cin, out] of [
        [MAX_IN, FILTERS],
        [4, 3],
        [1, 1],
      ] as const) {
        (layer as unknown as { setActive(s: object): void }).setActive({ outChannels: out });
        const x = seededTensor([2, 4, 4, cin], 7 + cin);
        const y = layer.apply([x, w]) as tf.Tensor;
        expect(y.shape[3]).toBe(out);
        const ref = reference(c, layer, x, w, cin, out);
        expectClose(y, ref.data, 1e-5, 1e-5, `${c.label} at ${cin} → ${out}`);
        tf.dispose(layer.apply([x, w]) as tf.Tensor);
        await expectNoLeak(() => tf.dispose(layer.apply([x, w]) as tf.Tensor));
      }
    }
  });

  it('sortChannelsByImportance re-orders StyledConv / ToWavelets channels without changing the output', () => {
    const model = chain();
    const inputs = [seededTensor([2, 5, 5, 4], 1), seededTensor([2, STYLE], 2)];
    const before = model.predict(inputs) as tf.Tensor;
    const report = sortChannelsByImportance(model);
    expect(report.sorted.map((s) => s.layers)).toEqual([['a'], ['b']]);
    expect(report.sorted.some((s) => s.permutation.some((p, i) => p !== i))).toBe(true);
    expectClose(model.predict(inputs) as tf.Tensor, before, 1e-5, 1e-5, 'after sorting');
    // The first output filter of 'a' is now its largest (L1 of the pointwise column).
    const importance = (model.getLayer('a') as ModulatedConvBase).outputChannelImportance();
    expect(importance[0]).toBe(Math.max(...importance));
  });

  it('extractSubnet gives same-class layers at the active widths that compute what the supernet computes, and save/load', async () => {
    const model = chain();
    expect(getElasticLayers(model).map((l) => l.name)).toEqual(['a', 'b']);
    setSubnet(model, { a: { outChannels: 3 }, b: { outChannels: 2 } });
    const inputs = [seededTensor([2, 5, 5, 4], 1), seededTensor([2, STYLE], 2)];
    const expected = model.predict(inputs) as tf.Tensor;
    const sub = extractSubnet(model);
    expect(sub.getLayer('a').getClassName()).toBe('StyledConv');
    expect(getSubnet(sub)).toEqual({ a: { outChannels: 3 }, b: { outChannels: 2 } });
    expect((sub.getLayer('b') as ModulatedConvBase).fanIn).toBe(8 * 9);
    expectClose(sub.predict(inputs) as tf.Tensor, expected, 1e-5, 1e-5, 'extracted');
    const dir = join(root, 'sub');
    await sub.save(fileSystem(dir));
    const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
    expectClose(loaded.predict(inputs) as tf.Tensor, expected, 1e-5, 1e-5, 'loaded');
  });
});
