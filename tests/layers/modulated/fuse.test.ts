import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  FusedModulatedConv2d,
  ModulatedConv2d,
  ModulatedDWConv2d,
  StyledConv,
  ToWavelets,
  countMacs,
  countParams,
  extractSubnet,
  fileSystem,
  fuseDemodulation,
  getElasticLayers,
  getSubnet,
  setNoise,
  setSubnet,
  type ModulatedConvBase,
  type SubnetConfig,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../../helpers/tensors.js';
import { randomizeModulated, shortName } from '../../helpers/weights.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-fuse-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FUSABLE: [string, () => ModulatedConvBase][] = [
  ['ModulatedDWConv2d', () => new ModulatedDWConv2d({ filters: 5, styleDim: 4 })],
  ['StyledConv (depthwise)', () => new StyledConv({ filters: 5, styleDim: 4, seed: 1 })],
  [
    'StyledConv (dense, styleinv, ×2 up-sampling, √2 gain)',
    () =>
      new StyledConv({ filters: 5, styleDim: 4, conv: 'dense', upsample: true, activationGain: Math.SQRT2, seed: 2 }),
  ],
  [
    'ModulatedConv2d (styleinv)',
    () => new ModulatedConv2d({ filters: 5, styleDim: 4, affine: 'linear', demodulation: 'styleinv' }),
  ],
  [
    'ModulatedConv2d (equalized affine, no demodulation)',
    () => new ModulatedConv2d({ filters: 5, styleDim: 4, demodulation: 'none' }),
  ],
  ['ToWavelets', () => new ToWavelets({ styleDim: 4 })],
  ['ToWavelets as ToRGB (equalized)', () => new ToWavelets({ styleDim: 4, filters: 3, affine: 'equalized' })],
];

/** x [8×8×6] → stem (dense StyledConv 8) → a (StyledConv 8) → b (StyledConv 6) → head; + a ModulatedDWConv2d side branch. */
function network(): tfl.LayersModel {
  const x = tfl.input({ shape: [8, 8, 6] });
  const w = tfl.input({ shape: [4] });
  const ap = (l: tfl.layers.Layer, i: tfl.SymbolicTensor[]): tfl.SymbolicTensor => l.apply(i) as tfl.SymbolicTensor;
  let h = ap(new StyledConv({ name: 'stem', conv: 'dense', filters: 8, styleDim: 4, seed: 1 }), [x, w]);
  h = ap(new StyledConv({ name: 'a', filters: 8, styleDim: 4, seed: 2 }), [h, w]);
  h = ap(new StyledConv({ name: 'b', filters: 6, styleDim: 4, seed: 3 }), [h, w]);
  const head = ap(new ToWavelets({ name: 'head', styleDim: 4, seed: 4 }), [h, w]);
  const side = ap(new ModulatedDWConv2d({ name: 'side', filters: 3, styleDim: 4, seed: 5 }), [h, w]);
  const model = tfl.model({ inputs: [x, w], outputs: [head, side], name: 'net' });
  model.layers.forEach((l, i) => l.weights.length > 0 && randomizeModulated(l, 60 + 7 * i));
  setNoise(model, { seed: 3 });
  return model;
}

describeBackends('fuseDemodulation', () => {
  it('each fused layer equals the unfused one (≤ 1e-5), batch 1 (style folded into the filter) and batch 3', async () => {
    for (const [i, [label, make]] of FUSABLE.entries()) {
      const layer = make();
      layer.apply([tf.zeros([1, 5, 5, 6]), tf.zeros([1, 4])]);
      randomizeModulated(layer, 10 + 13 * i);
      if (layer.spec.noise) setNoise(layer, { seed: i });
      const fused = fuseDemodulation(layer) as FusedModulatedConv2d;
      expect(fused).toBeInstanceOf(FusedModulatedConv2d);
      expect(fused.weights.map(shortName)).not.toContain('styleInv');
      for (const n of [1, 3]) {
        const inputs = [seededTensor([n, 5, 5, 6], 3 + n), seededTensor([n, 4], 4 + n)];
        const expected = layer.apply(inputs) as tf.Tensor;
        expectClose(fused.apply(inputs) as tf.Tensor, expected, 1e-5, 1e-5, `${label}, batch ${n}`);
        tf.dispose(fused.apply(inputs) as tf.Tensor);
        await expectNoLeak(() => tf.dispose(fused.apply(inputs) as tf.Tensor));
      }
    }
  });

  it('folds d into the pointwise kernel and the scale into the affine map: W′ = d·Wpw, A′ = scale·A, b′ = scale·b', () => {
    const layer = new ModulatedDWConv2d({ filters: 3, styleDim: 2 });
    layer.apply([tf.zeros([1, 3, 3, 4]), tf.zeros([1, 2])]);
    randomizeModulated(layer, 3);
    const get = (l: tfl.layers.Layer, name: string): Float32Array =>
      (l.weights.find((v) => shortName(v) === name) as tfl.LayerVariable).read().dataSync() as Float32Array;
    const fused = fuseDemodulation(layer);
    const scale = 1 / Math.sqrt(4 * 9);
    const [dw, pw, inv] = [get(layer, 'depthwise'), get(layer, 'pointwise'), get(layer, 'styleInv')];
    const expected = new Float64Array(12);
    for (let o = 0; o < 3; o++) {
      let e = 0;
      for (let i = 0; i < 4; i++) {
        let dwn = 0;
        for (let t = 0; t < 9; t++) dwn += (dw[t * 4 + i] as number) ** 2;
        e += scale * scale * (inv[i] as number) ** 2 * dwn * (pw[i * 3 + o] as number) ** 2;
      }
      for (let i = 0; i < 4; i++) expected[i * 3 + o] = (pw[i * 3 + o] as number) / Math.sqrt(e + 1e-8);
    }
    expectClose(get(fused, 'pointwise'), expected, 1e-5, 1e-5, 'pointwise');
    expectClose(
      get(fused, 'affineKernel'),
      get(layer, 'affineKernel').map((v) => v * scale),
      1e-7,
      0,
      'affine kernel',
    );
    expectClose(
      get(fused, 'affineBias'),
      get(layer, 'affineBias').map((v) => v * scale),
      1e-7,
      0,
      'affine bias',
    );
    expectClose(get(fused, 'depthwise'), dw, 0, 0, 'depthwise unchanged');
  });

  it('a network fuses at its active sub-network: equal outputs, no elastic layers or styleInv left, saves and loads', async () => {
    const model = network();
    const inputs = [seededTensor([2, 8, 8, 6], 1), seededTensor([2, 4], 2)];
    // side makes model output 1, which keeps its declared width (3)
    const configs: SubnetConfig[] = [{}, { a: { outChannels: 3 }, b: { outChannels: 4 } }];
    for (const config of configs) {
      setSubnet(model, config);
      const expected = model.predict(inputs) as tf.Tensor[];
      const before = getSubnet(model);
      const fused = fuseDemodulation(model);
      expect(getSubnet(model), 'the original keeps its setting').toEqual(before);
      expect(fused.name).toBe('net_fused');
      expect(getElasticLayers(fused)).toEqual([]);
      expect(fused.layers.filter((l) => l.weights.length > 0).map((l) => l.getClassName())).toEqual(
        Array(5).fill('FusedModulatedConv2d'),
      );
      expect(fused.weights.map(shortName)).not.toContain('styleInv');
      const actual = fused.predict(inputs) as tf.Tensor[];
      actual.forEach((t, i) =>
        expectClose(t, expected[i] as tf.Tensor, 1e-5, 1e-5, `output ${i} at ${JSON.stringify(config)}`),
      );
      // The fused layers go through extractSubnet as themselves.
      (extractSubnet(fused).predict(inputs) as tf.Tensor[]).forEach((t, i) =>
        expectClose(t, actual[i] as tf.Tensor, 0, 0, `extracted fused output ${i}`),
      );
      // Same parameters as the sub-network; fewer torchprofile MACs (no demodulation products), the same exact MACs.
      const shapes = [
        [1, 8, 8, 6],
        [1, 4],
      ];
      expect(countParams(fused)).toBe(countParams(model));
      expect(countMacs(fused, shapes, { convention: 'exact' }).total).toBe(
        countMacs(model, shapes, { convention: 'exact' }).total,
      );
      expect(countMacs(fused, shapes).total).toBeLessThan(countMacs(model, shapes).total);
      // Fusing allocates only the new model's weights, which its dispose() frees.
      const tensors = tf.memory().numTensors;
      const extra = fuseDemodulation(model);
      expect(tf.memory().numTensors - tensors).toBe(extra.weights.length);
      extra.dispose();
      expect(tf.memory().numTensors).toBe(tensors);
      const dir = join(root, `net-${Object.keys(config).length}`);
      await fused.save(fileSystem(dir));
      const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
      (loaded.predict(inputs) as tf.Tensor[]).forEach((t, i) =>
        expectClose(t, actual[i] as tf.Tensor, 0, 0, `loaded output ${i}`),
      );
      tf.dispose(loaded.predict(inputs));
      await expectNoLeak(() => tf.dispose(loaded.predict(inputs) as tf.Tensor[]));
    }
  });

  it("refuses StyleGAN2's per-sample demodulation by name, unless allowUnfused keeps it", () => {
    const x = tfl.input({ shape: [4, 4, 3] });
    const w = tfl.input({ shape: [4] });
    const t = new ModulatedConv2d({ name: 'teacher_conv', filters: 3, styleDim: 4, seed: 1 }).apply([
      x,
      w,
    ]) as tfl.SymbolicTensor;
    const y = new ToWavelets({ name: 'rgb', filters: 3, affine: 'equalized', styleDim: 4, seed: 2 }).apply([
      t,
      w,
    ]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [x, w], outputs: y });
    expect(() => fuseDemodulation(model)).toThrow(ConfigError);
    expect(() => fuseDemodulation(model)).toThrow(
      /layers 'teacher_conv' with demodulation 'style'.*pass \{ allowUnfused: true \}/,
    );
    expect(() => fuseDemodulation(model.getLayer('teacher_conv'))).toThrow(
      /layer 'teacher_conv' demodulation: got 'style', expected 'styleinv' or 'none'/,
    );
    const partly = fuseDemodulation(model, { allowUnfused: true });
    expect(partly.getLayer('teacher_conv').getClassName()).toBe('ModulatedConv2d');
    expect(partly.getLayer('rgb').getClassName()).toBe('FusedModulatedConv2d');
    const inputs = [seededTensor([2, 4, 4, 3], 1), seededTensor([2, 4], 2)];
    expectClose(partly.predict(inputs) as tf.Tensor, model.predict(inputs) as tf.Tensor, 1e-5, 1e-5);
    expect(() => fuseDemodulation(tfl.layers.dense({ units: 2 }))).toThrow(
      /modelOrLayer \(layer '.*'\): got 'Dense', expected a tf.LayersModel or a modulated conv layer/,
    );
    expect(() => fuseDemodulation(model, { allowUnfused: 'yes' as never })).toThrow(/options.allowUnfused/);
  });
});
