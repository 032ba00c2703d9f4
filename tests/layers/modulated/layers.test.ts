import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  BlurUpsample,
  ConfigError,
  ConstantInput,
  EqualLinear,
  ModulatedConv2d,
  ModulatedDWConv2d,
  PixelNorm,
  SelectStyle,
  ShapeError,
  StyledConv,
  ToWavelets,
  fileSystem,
  setNoise,
} from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../../helpers/fixtures.js';
import { expectClose, expectNoLeak, seededTensor } from '../../helpers/tensors.js';
import { randomizeModulated, setByName, shortName } from '../../helpers/weights.js';

type T = FixtureTensor;
interface Ops {
  stylegan2Conv: {
    x: T;
    w: T;
    affineKernel: T;
    affineBias: T;
    kernel: T;
    cases: { demodulate: boolean; upsample: boolean; y: T }[];
  };
  mobileDense: { x: T; w: T; affineKernel: T; affineBias: T; kernel: T; styleInv: T; y: T };
  mobileDw: {
    x: T;
    w: T;
    affineKernel: T;
    affineBias: T;
    depthwise: T;
    pointwise: T;
    styleInv: T;
    y: T;
    noise: T;
    noiseStrength: number;
    bias: T;
    styled: T;
  };
  toWavelets: { x: T; w: T; affineKernel: T; affineBias: T; kernel: T; bias: T; y: T };
  firUpsample: { x: T; y: T };
}
const F = readFixture<Ops>('modulated_ops');
const root = mkdtempSync(join(tmpdir(), 'gancompress-modulated-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Builds `layer` on the fixture's inputs, sets `weights` by name and returns its output. */
function run(layer: tfl.layers.Layer, x: T, w: T, weights: Record<string, T | number[]>): tf.Tensor {
  const inputs = [fromFixture(x), fromFixture(w)];
  tf.dispose(layer.apply(inputs) as tf.Tensor);
  setByName(layer, weights);
  return layer.apply(inputs) as tf.Tensor;
}

/** Every modulated layer (and helper layer) in one model, inputs `[x [2, 6, 6, 8], w [2, 5], wplus [2, 3, 5]]`. */
function everyLayer(): tfl.LayersModel {
  const x = tfl.input({ shape: [6, 6, 8], name: 'x' });
  const w = tfl.input({ shape: [5], name: 'w' });
  const wplus = tfl.input({ shape: [3, 5], name: 'wplus' });
  const ap = (l: tfl.layers.Layer, i: tfl.SymbolicTensor | tfl.SymbolicTensor[]): tfl.SymbolicTensor =>
    l.apply(i) as tfl.SymbolicTensor;
  const w2 = ap(new SelectStyle({ name: 'select', index: 2 }), wplus);
  const mapped = ap(
    new EqualLinear({ name: 'fc', units: 5, lrMul: 0.01, activation: 'lrelu', seed: 1 }),
    ap(new PixelNorm({ name: 'pn' }), w2),
  );
  let h = ap(new ModulatedConv2d({ name: 'upconv', filters: 6, styleDim: 5, upsample: true, seed: 2 }), [x, w]);
  h = ap(new ModulatedDWConv2d({ name: 'dw', filters: 8, styleDim: 5, seed: 3 }), [h, mapped]);
  h = ap(new StyledConv({ name: 'styled', filters: 4, styleDim: 5, seed: 4 }), [h, w]);
  const head = ap(new ToWavelets({ name: 'head', styleDim: 5, seed: 5 }), [h, w]);
  const c = ap(new ConstantInput({ name: 'const', channels: 3, size: 6, seed: 6 }), w);
  const up = ap(new BlurUpsample({ name: 'blur_up' }), c);
  return tfl.model({ inputs: [x, w, wplus], outputs: [head, up] });
}

describeBackends('modulated layers', () => {
  it('ModulatedConv2d (StyleGAN2: EqualLinear affine, per-sample demodulation, up-sampling) equals the PyTorch reference', () => {
    const f = F.stylegan2Conv;
    for (const c of f.cases) {
      const layer = new ModulatedConv2d({
        filters: 4,
        styleDim: 5,
        demodulation: c.demodulate ? 'style' : 'none',
        upsample: c.upsample,
      });
      const y = run(layer, f.x, f.w, { affineKernel: f.affineKernel, affineBias: f.affineBias, kernel: f.kernel });
      expectClose(y, fromFixture(c.y), 1e-5, 1e-6, `demodulate ${c.demodulate}, upsample ${c.upsample}`);
    }
  });

  it("ModulatedConv2d { affine: 'linear', demodulation: 'styleinv' } equals MobileStyleGAN's dense conv", () => {
    const f = F.mobileDense;
    const layer = new ModulatedConv2d({ filters: 3, styleDim: 6, affine: 'linear', demodulation: 'styleinv' });
    const y = run(layer, f.x, f.w, {
      affineKernel: f.affineKernel,
      affineBias: f.affineBias,
      kernel: f.kernel,
      styleInv: f.styleInv,
    });
    expectClose(y, fromFixture(f.y), 1e-5, 1e-6);
  });

  it('ModulatedDWConv2d and StyledConv (fixed noise, bias, LeakyReLU 0.2 without gain) equal MobileStyleGAN', async () => {
    const f = F.mobileDw;
    const weights = {
      affineKernel: f.affineKernel,
      affineBias: f.affineBias,
      depthwise: f.depthwise,
      pointwise: f.pointwise,
      styleInv: f.styleInv,
    };
    expectClose(
      run(new ModulatedDWConv2d({ filters: 6, styleDim: 4 }), f.x, f.w, weights),
      fromFixture(f.y),
      1e-5,
      1e-6,
      'ModulatedDWConv2d',
    );
    const styled = new StyledConv({ filters: 6, styleDim: 4, seed: 1 });
    run(styled, f.x, f.w, { ...weights, noiseStrength: [f.noiseStrength], bias: f.bias });
    const noise = fromFixture(f.noise);
    setNoise(styled, [noise]);
    const inputs = [fromFixture(f.x), fromFixture(f.w)];
    const y = styled.apply(inputs) as tf.Tensor;
    expectClose(y, fromFixture(f.styled), 1e-5, 1e-6, 'StyledConv');
    // The second call in a row keeps the active weights cached (handles on the same data); after that, calls balance.
    tf.dispose(styled.apply(inputs) as tf.Tensor);
    await expectNoLeak(() => tf.dispose(styled.apply(inputs) as tf.Tensor));
  });

  it('ToWavelets equals the 12-channel image head (1×1, no demodulation, bias); BlurUpsample equals Upsample([1,3,3,1])', () => {
    const f = F.toWavelets;
    const y = run(new ToWavelets({ styleDim: 3 }), f.x, f.w, {
      affineKernel: f.affineKernel,
      affineBias: f.affineBias,
      kernel: f.kernel,
      bias: f.bias,
    });
    expectClose(y, fromFixture(f.y), 1e-5, 1e-6, 'ToWavelets');
    const up = new BlurUpsample().apply(fromFixture(F.firUpsample.x)) as tf.Tensor;
    expectClose(up, fromFixture(F.firUpsample.y), 1e-6, 1e-6, 'BlurUpsample');
  });

  it('initialises as the references: N(0,1) kernels and styleInv, affine bias 1, PyTorch-Linear or N(0,1) affine kernels, zero bias and noise strength', () => {
    const layer = new StyledConv({ filters: 64, styleDim: 64, seed: 3 });
    layer.apply([tf.zeros([1, 4, 4, 64]), tf.zeros([1, 64])]);
    const stats = (name: string): { mean: number; std: number; max: number; min: number } => {
      const v = Array.from((layer.weights.find((w) => shortName(w) === name) as tfl.LayerVariable).read().dataSync());
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      return { mean, std, max: Math.max(...v), min: Math.min(...v) };
    };
    for (const name of ['depthwise', 'pointwise', 'styleInv']) {
      const s = stats(name);
      expect(Math.abs(s.mean), name).toBeLessThan(0.35);
      expect(s.std, name).toBeGreaterThan(0.8);
      expect(s.std, name).toBeLessThan(1.2);
    }
    // nn.Linear: U(±1/√64) = U(±0.125), std 0.125/√3.
    const a = stats('affineKernel');
    expect(a.max).toBeLessThanOrEqual(0.125);
    expect(a.min).toBeGreaterThanOrEqual(-0.125);
    expect(a.std).toBeCloseTo(0.125 / Math.sqrt(3), 2);
    expect(stats('affineBias')).toMatchObject({ min: 1, max: 1 });
    expect(stats('bias')).toMatchObject({ min: 0, max: 0 });
    expect(stats('noiseStrength')).toMatchObject({ min: 0, max: 0 });
    const eq = new ModulatedConv2d({ filters: 8, styleDim: 256, seed: 3 });
    eq.apply([tf.zeros([1, 4, 4, 8]), tf.zeros([1, 256])]);
    const k = (eq.weights.find((w) => shortName(w) === 'affineKernel') as tfl.LayerVariable).read();
    expect(tf.moments(k).variance.dataSync()[0] as number).toBeGreaterThan(0.85);
    // styleInv is a buffer unless asked to train.
    expect(layer.trainableWeights.map(shortName)).not.toContain('styleInv');
    expect(layer.nonTrainableWeights.map(shortName)).toEqual(['styleInv', 'noise']);
    const trained = new ModulatedDWConv2d({ filters: 4, styleDim: 4, styleInvTrainable: true });
    trained.apply([tf.zeros([1, 4, 4, 4]), tf.zeros([1, 4])]);
    expect(trained.trainableWeights.map(shortName)).toContain('styleInv');
  });

  it('gradients of a StyledConv reach its style and every trainable weight (and not the styleInv buffer)', () => {
    const layer = new StyledConv({ filters: 3, styleDim: 4, seed: 9 });
    const x = seededTensor([2, 4, 4, 5], 1);
    const w = seededTensor([2, 4], 2);
    layer.apply([x, w]);
    randomizeModulated(layer, 5);
    setNoise(layer, { seed: 1 });
    const r = seededTensor([2, 4, 4, 3], 3);
    const { value, grads } = tf.variableGrads(() =>
      tf.sum(tf.mul(layer.apply([x, w], { training: true }) as tf.Tensor, r)),
    );
    const names = Object.keys(grads).map((n) => n.split('/').pop());
    expect(names.sort()).toEqual(['affineBias', 'affineKernel', 'bias', 'depthwise', 'noiseStrength', 'pointwise']);
    for (const [name, g] of Object.entries(grads)) {
      const data = g.dataSync();
      expect(data.every(Number.isFinite), name).toBe(true);
      expect(Math.max(...data.map(Math.abs)), name).toBeGreaterThan(1e-4);
    }
    const gw = tf.grad((style: tf.Tensor) => tf.sum(tf.mul(layer.apply([x, style]) as tf.Tensor, r)))(w);
    expect(Math.max(...gw.dataSync().map(Math.abs))).toBeGreaterThan(1e-4);
    tf.dispose([value, ...Object.values(grads), gw]);
  });

  it('costs itself from shapes (both conventions) and counts trainable parameters only', () => {
    const shapes = [
      [2, 6, 6, 8],
      [2, 5],
    ];
    const build = <L extends tfl.layers.Layer>(l: L, x = [2, 6, 6, 8]): L => {
      l.apply([tfl.input({ batchShape: [null, ...x.slice(1)] as number[] }), tfl.input({ shape: [5] })]);
      return l;
    };
    const cost = (
      l: {
        computeCost: (
          s: number[][],
          c: 'exact' | 'torchprofile',
        ) => { macs: number; params: number; outputShape: unknown };
      },
      c: 'exact' | 'torchprofile',
      s = shapes,
    ) => l.computeCost(s, c);
    const affine = 2 * 5 * 8;
    // Dense 3×3, 8 → 6 at 6×6, batch 2.
    const dense = build(new ModulatedConv2d({ filters: 6, styleDim: 5 }));
    const conv = 2 * 36 * 6 * 8 * 9;
    expect(cost(dense, 'exact')).toEqual({
      macs: affine + conv,
      params: 5 * 8 + 8 + 9 * 8 * 6,
      outputShape: [2, 6, 6, 6],
    });
    expect(cost(dense, 'torchprofile').macs).toBe(affine + conv + 2 * 36 * 8 + 2 * 36 * 6);
    // Up-sampling: transposed conv at input (exact) or output 13×13 (torchprofile), + the 4×4 blur at 12×12.
    const up = build(new ModulatedConv2d({ filters: 6, styleDim: 5, upsample: true }));
    expect(cost(up, 'exact').macs).toBe(affine + 2 * 36 * 8 * 6 * 9 + 2 * 144 * 6 * 16);
    expect(cost(up, 'torchprofile').macs).toBe(
      affine + 2 * 169 * 6 * 8 * 9 + 2 * 144 * 6 * 16 + 2 * 36 * 8 + 2 * 144 * 6,
    );
    expect(cost(up, 'exact').outputShape).toEqual([2, 12, 12, 6]);
    // Depthwise 3×3 + pointwise 8 → 7 (active 5 of 7), styleInv not counted.
    const dw = build(new ModulatedDWConv2d({ filters: 7, styleDim: 5 }));
    dw.setActive({ outChannels: 5 });
    expect(cost(dw, 'exact')).toEqual({
      macs: affine + 2 * 36 * 8 * 9 + 2 * 36 * 5 * 8,
      params: 5 * 8 + 8 + 9 * 8 + 8 * 5,
      outputShape: [2, 6, 6, 5],
    });
    // StyledConv: + noise scaling (map 6×6); the leaky ReLU counts 0 (torchprofile 0.0.1) and its gain is 1; params + strength + bias.
    const styled = build(new StyledConv({ filters: 4, styleDim: 5 }));
    const sConv = affine + 2 * 36 * 8 * 9 + 2 * 36 * 4 * 8;
    expect(cost(styled, 'exact')).toEqual({
      macs: sConv,
      params: 5 * 8 + 8 + 9 * 8 + 8 * 4 + 1 + 4,
      outputShape: [2, 6, 6, 4],
    });
    expect(cost(styled, 'torchprofile').macs).toBe(sConv + 2 * 36 * 8 + 2 * 36 * 4 + 36);
    // StyleGAN2's √2 gain after the leaky ReLU is one aten::mul per output element.
    const gained = build(new StyledConv({ filters: 4, styleDim: 5, activationGain: Math.SQRT2 }));
    expect(cost(gained, 'torchprofile').macs).toBe(sConv + 2 * 36 * 8 + 2 * 36 * 4 + 36 + 2 * 36 * 4);
    expect(cost(gained, 'exact').macs).toBe(sConv);
    // Narrower input than built: the affine map and kernels are sliced to 6 channels.
    expect(
      cost(styled, 'exact', [
        [2, 6, 6, 6],
        [2, 5],
      ]).params,
    ).toBe(5 * 6 + 6 + 9 * 6 + 6 * 4 + 1 + 4);
    const head = build(new ToWavelets({ styleDim: 5 }));
    expect(cost(head, 'exact')).toEqual({
      macs: affine + 2 * 36 * 12 * 8,
      params: 5 * 8 + 8 + 8 * 12 + 12,
      outputShape: [2, 6, 6, 12],
    });
    expect(cost(head, 'torchprofile').macs).toBe(affine + 2 * 36 * 12 * 8 + 2 * 36 * 8);
    const fc = new EqualLinear({ units: 3, activation: 'lrelu' });
    fc.apply(tfl.input({ shape: [5] }));
    expect(fc.computeCost([2, 5], 'exact')).toEqual({ macs: 30, params: 18, outputShape: [2, 3] });
    // The default gain √2: one product per output; the leaky ReLU itself 0.
    expect(fc.computeCost([2, 5], 'torchprofile').macs).toBe(30 + 6);
    expect(
      new EqualLinear({ units: 3, activation: 'lrelu', activationGain: 1 }).computeCost([2, 5], 'torchprofile').macs,
    ).toBe(30);
    expect(new BlurUpsample().computeCost([1, 4, 4, 3], 'exact')).toEqual({
      macs: 8 * 8 * 3 * 4,
      params: 0,
      outputShape: [1, 8, 8, 3],
    });
    expect(new BlurUpsample().computeCost([1, 4, 4, 3], 'torchprofile').macs).toBe(8 * 8 * 3 * 16);
    expect(new ConstantInput({ channels: 3 }).computeCost([2, 5], 'exact')).toEqual({
      macs: 0,
      params: 48,
      outputShape: [2, 4, 4, 3],
    });
    expect(new PixelNorm().computeCost([2, 5], 'torchprofile').macs).toBe(20);
  });

  it('saves and loads with fileSystem(): configs, weights, styleInv buffers and fixed noise round-trip', async () => {
    const model = everyLayer();
    for (const l of model.layers) if (l.weights.length > 0) randomizeModulated(l, 11 + l.name.length);
    setNoise(model, { seed: 4 });
    const inputs = [seededTensor([2, 6, 6, 8], 1), seededTensor([2, 5], 2), seededTensor([2, 3, 5], 3)];
    const before = model.predict(inputs) as tf.Tensor[];
    const dir = join(root, 'every-layer');
    await model.save(fileSystem(dir));
    const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
    for (const l of model.layers) expect(loaded.getLayer(l.name).getConfig(), l.name).toEqual(l.getConfig());
    expect(loaded.getLayer('styled').getConfig()['noiseMode']).toBe('fixed');
    const after = loaded.predict(inputs) as tf.Tensor[];
    after.forEach((t, i) => expectClose(t, before[i] as tf.Tensor, 0, 0, `output ${i}`));
    tf.dispose(loaded.predict(inputs));
    await expectNoLeak(() => tf.dispose(loaded.predict(inputs) as tf.Tensor[]));
  });

  it('rejects bad configs and inputs, naming the layer, the field and the value', () => {
    expect(() => new ModulatedConv2d({ name: 'm', filters: 0, styleDim: 4 })).toThrow(
      /m.filters: got 0, expected an integer >= 1/,
    );
    expect(() => new ModulatedConv2d({ name: 'm', filters: 4, styleDim: 4, kernelSize: 4 })).toThrow(
      /m.kernelSize: got 4, expected an odd kernel size/,
    );
    expect(
      () => new ModulatedConv2d({ name: 'm', filters: 4, styleDim: 4, demodulation: 'styleInv' as never }),
    ).toThrow(/m.demodulation: got 'styleInv', expected one of 'style', 'styleinv', 'none'/);
    expect(() => new ModulatedConv2d({ name: 'm', filters: 4, styleDim: 4, affine: 'equal' as never })).toThrow(
      ConfigError,
    );
    expect(() => new StyledConv({ name: 's', filters: 4, styleDim: 4, upsample: true })).toThrow(
      /s.upsample: got true, expected false: only the dense conv/,
    );
    expect(() => new StyledConv({ name: 's', filters: 4, styleDim: 4, noiseMode: 'frozen' as never })).toThrow(
      /s.noiseMode/,
    );
    expect(() => new StyledConv({ name: 's', filters: 4, styleDim: 4, activationGain: 0 })).toThrow(
      /s.activationGain: got 0/,
    );
    const layer = new ModulatedDWConv2d({ name: 'dw', filters: 4, styleDim: 3 });
    expect(() => layer.apply(tf.zeros([1, 4, 4, 2]))).toThrow(/dw inputs: got '1 input\(s\)', expected \[x, style\]/);
    expect(() => layer.apply([tf.zeros([1, 4, 4, 2]), tf.zeros([1, 5])])).toThrow(ShapeError);
    expect(() => layer.apply([tf.zeros([1, 4, 4, 2]), tf.zeros([1, 5])])).toThrow(
      /dw style: got shape \[1,5\], expected \[N, 3\]/,
    );
    layer.apply([tf.zeros([1, 4, 4, 2]), tf.zeros([1, 3])]);
    expect(() => layer.apply([tf.zeros([1, 4, 4, 3]), tf.zeros([1, 3])])).toThrow(
      /dw input: got shape \[1,4,4,3\], expected rank 4 \(NHWC\) with at most 2 channels/,
    );
    expect(() => layer.apply([tf.zeros([2, 4, 4, 2]), tf.zeros([1, 3])])).toThrow(
      /dw style: got shape \[1,3\], expected \[2, 3\] \(one style per sample of x\)/,
    );
    expect(() => layer.setActive({ outChannels: 5 })).toThrow(/dw.outChannels: got 5, expected an integer in \[1, 4\]/);
    expect(() => setNoise(layer, 'random')).not.toThrow();
    const styled = new StyledConv({ name: 's2', filters: 2, styleDim: 3 });
    styled.apply([tf.zeros([1, 4, 4, 2]), tf.zeros([1, 3])]);
    expect(() => setNoise(styled, [tf.zeros([1, 5, 5, 1])])).toThrow(
      /noise for layer 's2': got shape \[1,5,5,1\], expected \[1, 4, 4, 1\]/,
    );
    expect(() => setNoise(styled, [])).toThrow(/noise: got '0 maps', expected 1 maps/);
    expect(() => setNoise(styled, { other: tf.zeros([1, 4, 4, 1]) })).toThrow(
      /noise.other: .*the name of a noise layer/,
    );
    expect(() => new SelectStyle({ index: 3 }).apply(tf.zeros([1, 3, 2]))).toThrow(
      /W\+ styles \[N, numStyles, styleDim\] with numStyles > 3/,
    );
    expect(() => new EqualLinear({ units: 2, lrMul: 0 })).toThrow(/lrMul: got 0/);
  });

  it('noise: random draws differ per call, fixed ones repeat; setNoise switches and getConfig follows', () => {
    const layer = new StyledConv({ filters: 2, styleDim: 3, seed: 1 });
    const inputs = [seededTensor([1, 4, 4, 2], 1), seededTensor([1, 3], 2)];
    layer.apply(inputs);
    setByName(layer, { noiseStrength: [1] });
    const a = layer.apply(inputs) as tf.Tensor;
    const b = layer.apply(inputs) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-3);
    setNoise(layer, { seed: 2 });
    expect(layer.getConfig()['noiseMode']).toBe('fixed');
    expectClose(layer.apply(inputs) as tf.Tensor, layer.apply(inputs) as tf.Tensor, 0, 0, 'fixed noise');
    setNoise(layer, 'random');
    expect(layer.getConfig()['noiseMode']).toBe('random');
    // The same seed draws the same sequence of random maps.
    const other = new StyledConv({ filters: 2, styleDim: 3, seed: 1 });
    other.apply(inputs);
    setByName(other, Object.fromEntries(layer.weights.map((v) => [shortName(v), v.read()])));
    const fresh = new StyledConv({ filters: 2, styleDim: 3, seed: 1 });
    fresh.apply(inputs);
    setByName(fresh, Object.fromEntries(layer.weights.map((v) => [shortName(v), v.read()])));
    expectClose(other.apply(inputs) as tf.Tensor, fresh.apply(inputs) as tf.Tensor, 0, 0, 'seeded random noise');
  });
});
