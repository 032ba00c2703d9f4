import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  BlurUpsample,
  ConstantInput,
  ConvTranspose2d,
  ElasticBatchNorm,
  ElasticConv2dTranspose,
  ElasticDepthwiseConv2d,
  ElasticInstanceNorm,
  ElasticSeparableConv2d,
  EqualLinear,
  FusedModulatedConv2d,
  HaarDWT,
  HaarIDWT,
  IDWTUpsample,
  InstanceNorm,
  ModulatedConv2d,
  ModulatedDWConv2d,
  OnceForAllConv,
  PixelNorm,
  ReflectionPad2d,
  SelectStyle,
  StyledConv,
  ToWavelets,
  countMacs,
  countParams,
  type ElasticLayer,
  type ElasticSetting,
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
 * maximum, counted at batch 2 on a [2, 10, 12, 6] image, a [2, 8] style and [2, 3, 8] W+ styles.
 * E = the OnceForAllConv output [2, 13, 15, 5] (active width 5 of 8, active kernel 3 of 5), so
 * the layers reading it see 5 of the channels they were built for.
 *
 * The modulated layers' counts follow docs/modulated-convs.md: `'exact'` counts the affine map
 * (N·styleDim·Cin) and the convs; `'torchprofile'` adds one per element for the modulation (input
 * size), the demodulation (output size, unless `'none'`), the noise scaling (map size H·W) and the
 * activation gain when it is not 1 (output size); the leaky ReLU itself counts 0 (torchprofile 0.0.1).
 */
function everyLibraryLayer(): { model: tfl.LayersModel; expected: Expected[]; activate: () => void } {
  const x = tfl.input({ shape: [10, 12, 6] });
  const expected: Expected[] = [];
  const outs: ST[] = [];
  const style = tfl.input({ shape: [8] });
  const wplus = tfl.input({ shape: [3, 8] });
  const settings: [ElasticLayer, ElasticSetting][] = [];
  const add = (
    layer: tfl.layers.Layer,
    input: ST | ST[],
    tp: number,
    exact: number,
    params: number,
    outputShape: number[],
    terminal = true,
  ): ST => {
    const y = layer.apply(input) as ST;
    expected.push({ name: layer.name, torchprofile: tp, exact, params, outputShape });
    if (terminal) outs.push(y);
    return y;
  };
  const clamp = add(new Clamp({ name: 'clamp', min: -1, max: 1 }), x, 0, 0, 0, [2, 10, 12, 6], false);
  // [top, bottom, left, right] = [1, 2, 3, 0]: 10 + 3 rows, 12 + 3 columns.
  const P = add(new ReflectionPad2d({ name: 'pad', padding: [1, 2, 3, 0] }), clamp, 0, 0, 0, [2, 13, 15, 6], false);
  const ofa = new OnceForAllConv({ name: 'ofa', filters: 8, kernelSize: 5, kernelSizeChoices: [3, 5], padding: 2 });
  settings.push([ofa, { outChannels: 5, kernelSize: 3 }]);
  // Active kernel 3 with pads 2 − (5 − 3)/2 = 1 keeps 13×15; 5 of 8 filters on 6 inputs.
  const E = add(ofa, P, 2 * 13 * 15 * 5 * (6 * 9), 2 * 13 * 15 * 5 * (6 * 9), 9 * 6 * 5 + 5, [2, 13, 15, 5], false);
  add(new InstanceNorm({ name: 'inorm' }), P, 2 * 13 * 15 * 6, 0, 0, [2, 13, 15, 6]);
  add(new ElasticInstanceNorm({ name: 'einorm', affine: true }), E, 2 * 13 * 15 * 5, 0, 2 * 5, [2, 13, 15, 5]);
  add(new ElasticBatchNorm({ name: 'ebn' }), E, 0, 0, 2 * 5, [2, 13, 15, 5]);
  add(
    new ElasticDepthwiseConv2d({ name: 'edw', kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
    E,
    2 * 13 * 15 * 10 * 9,
    2 * 13 * 15 * 10 * 9,
    9 * 10 + 10,
    [2, 13, 15, 10],
  );
  const sep = new ElasticSeparableConv2d({ name: 'esep', filters: 7, kernelSize: 3, padding: 1, padMode: 'reflect' });
  settings.push([sep, { outChannels: 4 }]);
  // Depthwise 3×3 on 5 channels, instance norm (torchprofile only), pointwise 5 → 4 (active).
  add(
    sep,
    E,
    2 * 13 * 15 * 5 * 9 + 2 * 13 * 15 * 5 + 2 * 13 * 15 * 4 * 5,
    2 * 13 * 15 * 5 * 9 + 2 * 13 * 15 * 4 * 5,
    9 * 5 + 5 + 5 * 4 + 4,
    [2, 13, 15, 4],
  );
  const ect = new ElasticConv2dTranspose({
    name: 'ect',
    filters: 6,
    kernelSize: 3,
    strides: 2,
    padding: 1,
    outputPadding: 1,
  });
  settings.push([ect, { outChannels: 3 }]);
  // Active 3 of 6 outputs on 5 inputs; (13 − 1)·2 − 2 + 3 + 1 = 26, (15 − 1)·2 − 2 + 3 + 1 = 30.
  add(ect, E, 2 * 26 * 30 * 3 * (5 * 9), 2 * 13 * 15 * 5 * (3 * 9), 9 * 5 * 3 + 3, [2, 26, 30, 3]);
  // Static ConvTranspose2d k4 s2 p1: (13 − 1)·2 − 2 + 4 = 26, (15 − 1)·2 − 2 + 4 = 30.
  add(
    new ConvTranspose2d({ name: 'ct', filters: 4, kernelSize: 4, strides: 2, padding: 1 }),
    P,
    2 * 26 * 30 * 4 * (6 * 16),
    2 * 13 * 15 * 6 * (4 * 16),
    16 * 6 * 4 + 4,
    [2, 26, 30, 4],
  );
  // Haar transforms: 4 MACs per output element (each output a 4-term ±½ sum), both conventions.
  const D = add(new HaarDWT({ name: 'dwt' }), clamp, 4 * 2 * 5 * 6 * 24, 4 * 2 * 5 * 6 * 24, 0, [2, 5, 6, 24], false);
  add(new HaarIDWT({ name: 'idwt' }), D, 4 * 2 * 10 * 12 * 6, 4 * 2 * 10 * 12 * 6, 0, [2, 10, 12, 6]);
  // With a style: + the affine map N·styleDim·4C, + one aten::mul per input element (torchprofile).
  const up = new IDWTUpsample({ name: 'idwt_up', styleDim: 8, seed: 1 });
  add(
    up,
    [D, style],
    4 * 2 * 10 * 12 * 6 + 2 * 8 * 24 + 2 * 5 * 6 * 24,
    4 * 2 * 10 * 12 * 6 + 2 * 8 * 24,
    8 * 24 + 24,
    [2, 10, 12, 6],
  );

  // Modulated convs on E: N = 2, styleDim 8, Cin = 5 (the active width of ofa), 3×3 kernels.
  const inE = 2 * 13 * 15 * 5;
  const out = (h: number, w: number, c: number): number => 2 * h * w * c;
  const affine = 2 * 8 * 5;
  const affineParams = 8 * 5 + 5;
  // A leaky ReLU counts 0 under 'torchprofile' (torchprofile 0.0.1 has no leaky_relu handler, like
  // the built-in LeakyReLU rule); a gain ≠ 1 after it is one aten::mul per output element.
  const lrelu = (outputs: number, gain: number): number => (gain === 1 ? 0 : outputs);
  // StyleGAN2's ModulatedConv2d: dense, demodulated per sample; 4 of 6 filters.
  const mc = new ModulatedConv2d({ name: 'mconv', filters: 6, styleDim: 8, seed: 2 });
  settings.push([mc, { outChannels: 4 }]);
  const mcConv = out(13, 15, 4) * 5 * 9;
  add(
    mc,
    [E, style],
    affine + mcConv + inE + out(13, 15, 4),
    affine + mcConv,
    affineParams + 9 * 5 * 4,
    [2, 13, 15, 4],
  );
  // Up-sampling: stride-2 transposed 3×3 (exact: at the input, 13·15 positions × 3 outputs;
  // torchprofile: at its (2·13 + 1) × (2·15 + 1) output, 5 inputs each), then the 4×4 blur on 26×30.
  const mu = new ModulatedConv2d({ name: 'mconv_up', filters: 6, styleDim: 8, upsample: true, seed: 3 });
  settings.push([mu, { outChannels: 3 }]);
  const blur = out(26, 30, 3) * 16;
  add(
    mu,
    [E, style],
    affine + out(27, 31, 3) * 5 * 9 + blur + inE + out(26, 30, 3),
    affine + inE * 3 * 9 + blur,
    affineParams + 9 * 5 * 3,
    [2, 26, 30, 3],
  );
  // MobileStyleGAN's ModulatedDWConv2d: depthwise 3×3 on 5 channels, pointwise 5 → 4; styleInv is a buffer.
  const md = new ModulatedDWConv2d({ name: 'mdwconv', filters: 7, styleDim: 8, seed: 4 });
  settings.push([md, { outChannels: 4 }]);
  const mdConv = inE * 9 + out(13, 15, 4) * 5;
  add(
    md,
    [E, style],
    affine + mdConv + inE + out(13, 15, 4),
    affine + mdConv,
    affineParams + 9 * 5 + 5 * 4,
    [2, 13, 15, 4],
  );
  // StyledConv (MobileStyleGAN's): separable, noise (a 13×15 map), bias, LeakyReLU with gain 1; 5 of 6 filters.
  const sc = new StyledConv({ name: 'styled', filters: 6, styleDim: 8, seed: 5 });
  settings.push([sc, { outChannels: 5 }]);
  const scConv = inE * 9 + out(13, 15, 5) * 5;
  add(
    sc,
    [E, style],
    affine + scConv + inE + out(13, 15, 5) + 13 * 15 + lrelu(out(13, 15, 5), 1),
    affine + scConv,
    affineParams + 9 * 5 + 5 * 5 + 1 + 5,
    [2, 13, 15, 5],
  );
  // StyleGAN2's StyledConv: dense, per-sample demodulation, noise, bias, FusedLeakyReLU (gain √2: one product); 2 of 6 filters.
  const sd = new StyledConv({
    name: 'styled_dense',
    conv: 'dense',
    affine: 'equalized',
    demodulation: 'style',
    activationGain: Math.SQRT2,
    filters: 6,
    styleDim: 8,
    seed: 6,
  });
  settings.push([sd, { outChannels: 2 }]);
  const sdConv = out(13, 15, 2) * 5 * 9;
  add(
    sd,
    [E, style],
    affine + sdConv + inE + out(13, 15, 2) + 13 * 15 + lrelu(out(13, 15, 2), Math.SQRT2),
    affine + sdConv,
    affineParams + 9 * 5 * 2 + 1 + 2,
    [2, 13, 15, 2],
  );
  // ToWavelets: 1×1 to 12 channels, no demodulation, bias; its width is not elastic, its input is (5 of 8).
  const twConv = out(13, 15, 12) * 5;
  add(
    new ToWavelets({ name: 'towavelets', styleDim: 8, seed: 7 }),
    [E, style],
    affine + twConv + inE,
    affine + twConv,
    affineParams + 5 * 12 + 12,
    [2, 13, 15, 12],
  );
  // The fused inference form on the padded image (6 channels): separable, noise, bias, LeakyReLU; no demodulation.
  const inP = 2 * 13 * 15 * 6;
  const fusedConv = inP * 9 + out(13, 15, 4) * 6;
  add(
    new FusedModulatedConv2d({
      name: 'fused',
      conv: 'depthwise',
      filters: 4,
      styleDim: 8,
      noise: true,
      useBias: true,
      activation: 'lrelu',
      seed: 8,
    }),
    [P, style],
    2 * 8 * 6 + fusedConv + inP + 13 * 15 + lrelu(out(13, 15, 4), 1),
    2 * 8 * 6 + fusedConv,
    8 * 6 + 6 + 9 * 6 + 6 * 4 + 1 + 4,
    [2, 13, 15, 4],
  );
  // StyleGAN2's skip up-sampling: ×2 zero insertion and the 4×4 FIR; exact counts the (4/2)² taps that meet a sample.
  add(new BlurUpsample({ name: 'blur_up' }), P, out(26, 30, 6) * 16, out(26, 30, 6) * 4, 0, [2, 26, 30, 6]);
  // The learned constant (4×4×5 parameters), repeated over the style's batch.
  add(new ConstantInput({ name: 'const', channels: 5, seed: 9 }), style, 0, 0, 4 * 4 * 5, [2, 4, 4, 5]);
  // Mapping-network pieces on W+ row 2: pixel norm (torchprofile: the mean and the product, 2 per
  // element), an EqualLinear with the fused leaky ReLU (gain √2: 1 per output), a linear one.
  const row = add(new SelectStyle({ name: 'select', index: 2 }), wplus, 0, 0, 0, [2, 8], false);
  const pn = add(new PixelNorm({ name: 'pixel_norm' }), row, 2 * 2 * 8, 0, 0, [2, 8], false);
  const el = add(
    new EqualLinear({ name: 'mapping0', units: 6, lrMul: 0.01, activation: 'lrelu', seed: 10 }),
    pn,
    2 * 8 * 6 + lrelu(2 * 6, Math.SQRT2),
    2 * 8 * 6,
    8 * 6 + 6,
    [2, 6],
    false,
  );
  add(new EqualLinear({ name: 'mapping1', units: 3, seed: 11 }), el, 2 * 6 * 3, 2 * 6 * 3, 6 * 3 + 3, [2, 3]);
  return {
    model: tfl.model({ inputs: [x, style, wplus], outputs: outs }),
    expected,
    activate: () => settings.forEach(([l, setting]) => l.setActive(setting)),
  };
}

const INPUT = [
  [2, 10, 12, 6],
  [2, 8],
  [2, 3, 8],
];

/** Layers whose output feeds other layers only (not a model output). */
const INNER = ['clamp', 'pad', 'ofa', 'dwt', 'select', 'pixel_norm', 'mapping0'];

describeBackends('countMacs on every library layer type', () => {
  for (const convention of ['torchprofile', 'exact'] as const) {
    it(`matches the hand-derived count of every layer at its active setting (${convention})`, async () => {
      const { model, expected, activate } = everyLibraryLayer();
      activate();
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
    const { model, activate } = everyLibraryLayer();
    activate();
    const xs = INPUT.map((s) => tf.zeros(s));
    const ys = model.predict(xs) as tf.Tensor[];
    const counted = countMacs(model, INPUT).perLayer;
    const terminal = counted.filter((l) => !INNER.includes(l.name));
    expect(ys.map((y) => y.shape)).toEqual(terminal.map((l) => l.outputShape));
    tf.dispose([...xs, ...ys]);
    model.dispose();
  });
});
