import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  ConfigError,
  fileSystem,
  fromMobileStyleGanLayout,
  haarDwt,
  HaarDWT,
  haarIdwt,
  HaarIDWT,
  IDWTUpsample,
  isCostedLayer,
  ShapeError,
  toMobileStyleGanLayout,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture } from '../helpers/fixtures.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { disposeWeights } from '../helpers/weights.js';
import { fixture } from './reference.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-wavelet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An IDWTUpsample holding the fixture's MobileStyleGAN weights (interleaved layout). */
function msgUpsampler(channelLayout: 'interleaved' | 'bandmajor'): IDWTUpsample {
  const f = fixture.idwtUpsample;
  const layer = new IDWTUpsample({ styleDim: f.style.shape[1], channelLayout });
  layer.build([f.x.shape, f.style.shape]);
  const kernel = fromFixture(f.kernel);
  const bias = fromFixture(f.bias);
  const weights =
    channelLayout === 'interleaved'
      ? [kernel, bias]
      : [fromMobileStyleGanLayout(kernel), fromMobileStyleGanLayout(bias)];
  layer.setWeights(weights);
  tf.dispose([kernel, bias, ...weights]);
  return layer;
}

function buildModel(): tfl.LayersModel {
  const image = tfl.input({ shape: [8, 8, 3], name: 'image' });
  const style = tfl.input({ shape: [6], name: 'style' });
  const coeffs = new HaarDWT({ name: 'dwt', channelLayout: 'interleaved' }).apply(image) as tfl.SymbolicTensor;
  const features = tfl.layers
    .conv2d({ filters: 16, kernelSize: 1, name: 'mix', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) })
    .apply(coeffs) as tfl.SymbolicTensor;
  const up = new IDWTUpsample({
    styleDim: 6,
    channelLayout: 'interleaved',
    seed: 3,
    name: 'up',
    biasInitializer: 'randomNormal',
  }).apply([features, style]) as tfl.SymbolicTensor;
  const more = tfl.layers
    .conv2d({ filters: 8, kernelSize: 1, name: 'head', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) })
    .apply(up) as tfl.SymbolicTensor;
  const rgb = new HaarIDWT({ name: 'idwt' }).apply(more) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [image, style], outputs: rgb });
}

it('HaarDWT, HaarIDWT and IDWTUpsample are costed layers with 4 MACs per transform output', () => {
  const dwt = new HaarDWT();
  const idwt = new HaarIDWT();
  expect([dwt, idwt, new IDWTUpsample()].every(isCostedLayer)).toBe(true);
  for (const convention of ['torchprofile', 'exact'] as const) {
    expect(dwt.computeCost([1, 64, 64, 3], convention)).toEqual({
      macs: 4 * 32 * 32 * 12,
      params: 0,
      outputShape: [1, 32, 32, 12],
    });
    expect(idwt.computeCost([2, 16, 16, 12], convention)).toEqual({
      macs: 4 * 2 * 32 * 32 * 3,
      params: 0,
      outputShape: [2, 32, 32, 3],
    });
  }
  expect(Number.isNaN(dwt.computeCost([null, 8, 8, 3], 'exact').macs)).toBe(true);
  // MobileStyleGAN block0: 512 channels at 4×4 → 128 at 8×8, modulated by a 512-d style.
  const up = new IDWTUpsample({ styleDim: 512 });
  const idwtMacs = 4 * 8 * 8 * 128;
  const affine = 512 * 512;
  expect(
    up.computeCost(
      [
        [1, 4, 4, 512],
        [1, 512],
      ],
      'torchprofile',
    ),
  ).toEqual({ macs: idwtMacs + affine + 4 * 4 * 512, params: 262_656, outputShape: [1, 8, 8, 128] });
  expect(
    up.computeCost(
      [
        [1, 4, 4, 512],
        [1, 512],
      ],
      'exact',
    ),
  ).toEqual({ macs: idwtMacs + affine, params: 262_656, outputShape: [1, 8, 8, 128] });
  // Type check (tsc): the convention is required, as the CostedLayer protocol declares it — no silent default.
  const shapes: number[][] = [
    [1, 4, 4, 512],
    [1, 512],
  ];
  // @ts-expect-error computeCost takes (inputShape, convention)
  void (() => up.computeCost(shapes));
  // The reference's "up-modulation 262,656" parameters per block, and its "IDWT 0.074 GMAC":
  // seven upsamplers (128@8²…128@128², 64@256², 32@512²) and the final 12 → 3 image IDWT at 1024².
  const ups: [number, number][] = [
    [4, 512],
    [8, 512],
    [16, 512],
    [32, 512],
    [64, 512],
    [128, 256],
    [256, 128],
  ];
  const total =
    ups.reduce((s, [r, c]) => s + new HaarIDWT().computeCost([1, r, r, c], 'torchprofile').macs, 0) +
    idwt.computeCost([1, 512, 512, 12], 'torchprofile').macs;
  expect(total).toBe(74_088_448);
});

describeBackends('wavelet layers', () => {
  it('IDWTUpsample with MobileStyleGAN weights and layout equals its reference (torch conv_transpose IDWT)', () => {
    const f = fixture.idwtUpsample;
    const x = fromFixture(f.x);
    const style = fromFixture(f.style);
    const expected = fromFixture(f.y);
    const interleaved = msgUpsampler('interleaved');
    const y = interleaved.apply([x, style]) as tf.Tensor;
    expect(y.shape).toEqual([2, 6, 8, 3]);
    expectClose(y, expected, 1e-5, 0, 'interleaved');
    // the same weights and input converted to band-major give the same image
    const bandmajor = msgUpsampler('bandmajor');
    const xb = fromMobileStyleGanLayout(x);
    const yb = bandmajor.apply([xb, style]) as tf.Tensor;
    expectClose(yb, expected, 1e-5, 0, 'band-major');
    tf.dispose([x, style, expected, y, xb, yb]);
    disposeWeights(interleaved);
    disposeWeights(bandmajor);
  });

  it('without a style IDWTUpsample and HaarIDWT are the IDWT; HaarDWT is the DWT in either layout', () => {
    const x = seededTensor([2, 4, 6, 3], 1) as tf.Tensor4D;
    const y = haarDwt(x);
    const outs = [
      new HaarDWT().apply(x) as tf.Tensor,
      new HaarDWT({ channelLayout: 'interleaved' }).apply(x) as tf.Tensor,
      new IDWTUpsample().apply(y) as tf.Tensor,
      new HaarIDWT().apply(y) as tf.Tensor,
    ];
    const msg = toMobileStyleGanLayout(y);
    expect(Array.from((outs[0] as tf.Tensor).dataSync())).toEqual(Array.from(y.dataSync()));
    expect(Array.from((outs[1] as tf.Tensor).dataSync())).toEqual(Array.from(msg.dataSync()));
    const back = new HaarIDWT({ channelLayout: 'interleaved' }).apply(msg) as tf.Tensor;
    const expected = haarIdwt(y);
    for (const t of [outs[2], outs[3], back])
      expect(Array.from((t as tf.Tensor).dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, y, ...outs, msg, back, expected]);
  });

  it('a model with all three layers declares the real shapes and round-trips through save/load', async () => {
    const model = buildModel();
    expect(model.outputs[0]?.shape).toEqual([null, 16, 16, 2]);
    expect(model.getLayer('dwt').outputShape).toEqual([null, 4, 4, 12]);
    expect(model.getLayer('up').outputShape).toEqual([null, 8, 8, 4]);
    expect(model.getLayer('up').weights.map((w) => w.originalName)).toEqual(['up/kernel', 'up/bias']);
    await model.save(fileSystem(join(root, 'm1')));
    const loaded = await tfl.loadLayersModel(fileSystem(join(root, 'm1', 'model.json')));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([
      'InputLayer',
      'HaarDWT',
      'Conv2D',
      'InputLayer',
      'IDWTUpsample',
      'Conv2D',
      'HaarIDWT',
    ]);
    for (const name of ['dwt', 'up', 'idwt'])
      expect(loaded.getLayer(name).getConfig()).toEqual(model.getLayer(name).getConfig());
    expect(loaded.getLayer('up').getConfig()['channelLayout']).toBe('interleaved');
    const inputs = [seededTensor([2, 8, 8, 3], 4), seededTensor([2, 6], 5)];
    const a = model.predict(inputs) as tf.Tensor;
    const b = loaded.predict(inputs) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([...inputs, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('IDWTUpsample initialises the bias to 1 and the kernel like PyTorch Linear, reproducibly from its seed', () => {
    const make = (seed: number): tf.Tensor[] => {
      const l = new IDWTUpsample({ styleDim: 300, seed });
      l.build([
        [null, 2, 2, 64],
        [null, 300],
      ]);
      return l.getWeights();
    };
    const [a, b, c] = [make(7), make(7), make(8)];
    const [kernel, bias] = a as [tf.Tensor, tf.Tensor];
    expect(kernel.shape).toEqual([300, 64]);
    expect(Array.from(bias.dataSync())).toEqual(new Array(64).fill(1));
    expect(Array.from(kernel.dataSync())).toEqual(Array.from((b[0] as tf.Tensor).dataSync()));
    expect(Array.from(kernel.dataSync())).not.toEqual(Array.from((c[0] as tf.Tensor).dataSync()));
    // U(−1/√300, 1/√300): max |k| below the bound, variance 1/(3·300)
    const v = kernel.dataSync();
    const bound = 1 / Math.sqrt(300);
    expect(Math.max(...Array.from(v, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(v, Math.abs))).toBeGreaterThan(0.95 * bound);
    const variance = Array.from(v).reduce((s, k) => s + k * k, 0) / v.length;
    expect(variance).toBeGreaterThan(0.9 / 900);
    expect(variance).toBeLessThan(1.1 / 900);
    tf.dispose([...a, ...b, ...c]);
  });

  it('IDWTUpsample takes named initializers: a zero kernel leaves m = bias = 1, a plain IDWT', () => {
    const layer = new IDWTUpsample({ styleDim: 3, kernelInitializer: 'zeros' });
    const x = seededTensor([2, 2, 3, 8], 13) as tf.Tensor4D;
    const style = seededTensor([2, 3], 14);
    const y = layer.apply([x, style]) as tf.Tensor;
    const expected = haarIdwt(x);
    expectClose(y, expected, 1e-6, 0, 'zero kernel');
    expect(() => new IDWTUpsample({ styleDim: 3, kernelInitializer: 'nope', name: 'u' })).toThrow(
      "u.kernelInitializer: got 'nope', expected an initializer",
    );
    tf.dispose([x, style, y, expected]);
    disposeWeights(layer);
  });

  it('gradients reach x, the style and both weights (finite differences through the layer)', () => {
    const layer = new IDWTUpsample({ styleDim: 3, seed: 1, biasInitializer: 'randomNormal' });
    const x = seededTensor([2, 2, 3, 8], 6);
    const style = seededTensor([2, 3], 7);
    layer.build([x.shape, style.shape]);
    const r = seededTensor([2, 4, 6, 2], 8);
    checkGradient((p) => tf.sum(tf.mul(tf.sin(layer.apply([p, style]) as tf.Tensor), r)), x, 1e-2, 1e-3, 'x');
    checkGradient((p) => tf.sum(tf.mul(tf.sin(layer.apply([x, p]) as tf.Tensor), r)), style, 1e-2, 1e-3, 'style');
    const { grads } = tf.variableGrads(() =>
      tf.sum<tf.Scalar>(tf.mul(tf.sin(layer.apply([x, style]) as tf.Tensor), r)),
    );
    const names = Object.keys(grads).sort();
    expect(names).toHaveLength(2);
    for (const g of Object.values(grads))
      expect(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0] as number)).toBeGreaterThan(1e-3);
    tf.dispose([x, style, r, ...Object.values(grads)]);
    disposeWeights(layer);
  });

  it('layers leave no tensors behind', async () => {
    const up = msgUpsampler('interleaved');
    const x = fromFixture(fixture.idwtUpsample.x);
    const style = fromFixture(fixture.idwtUpsample.style);
    const dwt = new HaarDWT({ channelLayout: 'interleaved' });
    const idwt = new HaarIDWT({ channelLayout: 'interleaved' });
    const image = tf.zeros([1, 4, 4, 2]);
    await expectNoLeak(() => {
      tf.dispose([up.apply([x, style]) as tf.Tensor, idwt.apply(x) as tf.Tensor, dwt.apply(image) as tf.Tensor]);
    });
    tf.dispose([x, style, image]);
    disposeWeights(up);
  });

  it('reject bad configs and inputs, naming the layer, the value and the expectation', () => {
    expect(() => new HaarDWT({ channelLayout: 'band_major' as 'bandmajor', name: 'd' })).toThrow(
      "d.channelLayout: got 'band_major', expected one of 'bandmajor', 'interleaved'",
    );
    expect(() => new IDWTUpsample({ styleDim: 0, name: 'u' })).toThrow('u.styleDim: got 0, expected an integer >= 1');
    expect(() => new HaarDWT({ name: 'd' }).computeOutputShape([null, 7, 8, 3])).toThrow(
      'd input: got shape [,7,8,3], expected NHWC with even height and width',
    );
    expect(() => new HaarIDWT({ name: 'i' }).computeOutputShape([null, 4, 4, 6])).toThrow(ShapeError);
    const styled = new IDWTUpsample({ styleDim: 4, name: 'u' });
    expect(() => styled.computeOutputShape([null, 4, 4, 8])).toThrow(
      "u inputs: got '1 input(s)', expected [x, style] (styleDim is set)",
    );
    expect(() =>
      styled.computeOutputShape([
        [null, 4, 4, 8],
        [null, 5],
      ]),
    ).toThrow('u style: got shape [,5], expected [N, 4]');
    expect(() =>
      new IDWTUpsample().computeOutputShape([
        [null, 4, 4, 8],
        [null, 4],
      ]),
    ).toThrow(ConfigError);
    const x = tf.zeros([1, 2, 2, 8]);
    const style = tf.zeros([1, 4]);
    const y = styled.apply([x, style]) as tf.Tensor;
    const wide = tf.zeros([1, 2, 2, 12]);
    expect(() => styled.apply([wide, style])).toThrow('u x: got shape [1,2,2,12], expected [1, h, w, 8]');
    tf.dispose([x, style, y, wide]);
    disposeWeights(styled);
  });
});
