import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import { expect, it } from 'vitest';
import {
  BlurUpsample,
  ConvTranspose2d,
  HaarDWT,
  HaarIDWT,
  IDWTUpsample,
  InstanceNorm,
  MappingNetwork,
  MobileSynthesisNetwork,
  ReflectionPad2d,
  SuperMobileResnetGenerator,
  exportOnnx,
  extractSubnet,
  fuseDemodulation,
  resnetConfigFromString,
  setNoise,
} from '../../src/index.js';
import { Clamp } from '../../src/models/resnet/clamp.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, seededTensor } from '../helpers/tensors.js';
import { randomizeWeights } from '../helpers/weights.js';
import { fillWeights } from './models.js';

type ST = tfl.SymbolicTensor;

/**
 * Runs `model` in tfjs and its ONNX export in onnxruntime-node on the same inputs and compares
 * every output within `atol`. Returns the session's input and output names.
 */
async function expectSameAsOnnx(
  model: tfl.LayersModel,
  inputs: tf.Tensor[],
  opset?: number,
  atol = 1e-4,
): Promise<{ inputNames: readonly string[]; outputNames: readonly string[] }> {
  const before = tf.memory().numTensors;
  const bytes = exportOnnx(model, { inputShape: inputs.map((t) => t.shape), ...(opset == null ? {} : { opset }) });
  expect(tf.memory().numTensors, 'exportOnnx leaks no tensor').toBe(before);
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => {
    const t = inputs[i] as tf.Tensor;
    feeds[name] = new ort.Tensor('float32', t.dataSync() as Float32Array, t.shape);
  });
  const results = await session.run(feeds);
  const expected = model.predict(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs);
  const outs = Array.isArray(expected) ? expected : [expected];
  expect(session.outputNames.length).toBe(outs.length);
  session.outputNames.forEach((name, i) => {
    const r = results[name] as ort.Tensor;
    const e = outs[i] as tf.Tensor;
    expect([...r.dims], `${name} shape`).toEqual(e.shape);
    expectClose(r.data as Float32Array, e, atol, 0, `${name} (opset ${opset ?? 17})`);
  });
  tf.dispose(outs);
  const names = { inputNames: [...session.inputNames], outputNames: [...session.outputNames] };
  await session.release();
  return names;
}

describeBackends('exportOnnx: onnxruntime-node computes what tfjs computes', () => {
  it("GAN Compression's 16_16_32_16_32_32_16_16 student extracted from a supernet (NHWC in and out)", async () => {
    const superG = SuperMobileResnetGenerator({ ngf: 32, seed: 4 });
    const student = extractSubnet(superG, resnetConfigFromString('16_16_32_16_32_32_16_16'));
    randomizeWeights(student, 3, 0.3);
    const x = seededTensor([1, 32, 32, 3], 5);
    const names = await expectSameAsOnnx(student, [x]);
    expect(names.inputNames).toEqual(['super_mobile_resnet_generator_input']);
    expect(names.outputNames).toEqual(['head_tanh']);
    tf.dispose(x);
    superG.dispose();
    student.dispose();
  });

  it('a fused MobileSynthesisNetwork (W and W+ styles, fixed noise), every output of the pyramid', async () => {
    for (const styleMode of ['w', 'wplus'] as const) {
      const g = MobileSynthesisNetwork({ channels: [16, 16, 8], styleDim: 8, styleMode, seed: 3 });
      fillWeights(g);
      setNoise(g, { seed: 2 });
      const fused = fuseDemodulation(g);
      const style = seededTensor(styleMode === 'w' ? [2, 8] : [2, 8, 8], 9);
      const names = await expectSameAsOnnx(fused, [style]);
      expect(names.outputNames).toEqual(['image', 'stem_towavelets', 'block0_towavelets', 'block1_towavelets']);
      tf.dispose(style);
      g.dispose();
      fused.dispose();
    }
  });

  it("StyleGAN2's mapping network (PixelNorm's ReduceMean in both opset forms)", async () => {
    const m = MappingNetwork({ styleDim: 16, numLayers: 3, seed: 1 });
    const z = seededTensor([3, 16], 2);
    for (const opset of [13, 17, 18, 21]) await expectSameAsOnnx(m, [z], opset);
    tf.dispose(z);
    m.dispose();
  });

  it('an arbitrary conv model of tfjs built-in layers and the library static layers, two inputs and three outputs', async () => {
    const image = tfl.input({ shape: [12, 12, 3], name: 'image' });
    const code = tfl.input({ shape: [6, 6, 8], name: 'code' });
    const a = (l: tfl.layers.Layer, x: ST | ST[]): ST => l.apply(x) as ST;
    let x = a(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), image);
    x = a(tfl.layers.batchNormalization({}), x);
    const dw = a(
      tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'elu' }),
      x,
    );
    const sep = a(tfl.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', dilationRate: 2 }), x);
    let y = a(tfl.layers.concatenate({}), [a(tfl.layers.leakyReLU({ alpha: 0.1 }), dw), sep, code]);
    y = a(new ReflectionPad2d({ padding: [1, 2, 0, 1] }), y);
    y = a(new InstanceNorm({ affine: true }), y);
    y = a(
      tfl.layers.cropping2D({
        cropping: [
          [1, 2],
          [0, 1],
        ],
      }),
      y,
    );
    y = a(tfl.layers.conv2d({ filters: 12, kernelSize: 1, activation: 'tanh' }), y);
    const up = a(new HaarIDWT({ channelLayout: 'interleaved' }), y); // [12, 12, 3]
    const back = a(new HaarDWT(), up); // band-major [6, 6, 12]
    const upsampled = a(new IDWTUpsample({ channelLayout: 'bandmajor' }), back);
    const merged = a(tfl.layers.add({}), [
      upsampled,
      a(
        tfl.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
        a(tfl.layers.averagePooling2d({ poolSize: 2 }), image),
      ),
    ]);
    let z = a(tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), back);
    z = a(new ConvTranspose2d({ filters: 5, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 }), z);
    z = a(new Clamp({ min: -0.5, max: 0.5 }), z);
    z = a(
      tfl.layers.conv2dTranspose({ filters: 3, kernelSize: 2, strides: 3, padding: 'valid', activation: 'sigmoid' }),
      a(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), z),
    );
    z = a(
      tfl.layers.zeroPadding2d({
        padding: [
          [1, 0],
          [2, 1],
        ],
      }),
      a(tfl.layers.upSampling2d({ size: [1, 2] }), z),
    );
    let v = a(tfl.layers.globalAveragePooling2d({}), back);
    v = a(tfl.layers.dense({ units: 6, activation: 'relu6' }), v);
    v = a(tfl.layers.dense({ units: 4, activation: 'softmax' }), a(tfl.layers.reshape({ targetShape: [2, 3] }), v));
    v = a(tfl.layers.flatten({}), v);
    const model = tfl.model({ inputs: [image, code], outputs: [merged, z, v], name: 'zoo' });
    randomizeWeights(model, 11, 0.5);
    const inputs = [seededTensor([2, 12, 12, 3], 1), seededTensor([2, 6, 6, 8], 2)];
    const names = await expectSameAsOnnx(model, inputs);
    expect(names.inputNames).toEqual(['image', 'code']);
    await expectSameAsOnnx(model, inputs, 13);
    tf.dispose(inputs);
    model.dispose();
  });
});

describeBackends('exportOnnx: property', () => {
  /** One random layer of a sequential conv stack (with the channel count it leaves). */
  const layerArb = fc.oneof(
    fc.record({
      kind: fc.constant('conv' as const),
      filters: fc.integer({ min: 1, max: 4 }),
      kernel: fc.constantFrom(1, 2, 3),
      strides: fc.constantFrom(1, 2),
      padding: fc.constantFrom('same', 'valid'),
      activation: fc.constantFrom('linear', 'relu', 'tanh', 'sigmoid', 'elu'),
    }),
    fc.record({
      kind: fc.constant('depthwise' as const),
      multiplier: fc.integer({ min: 1, max: 2 }),
      kernel: fc.constantFrom(1, 3),
      padding: fc.constantFrom('same', 'valid'),
    }),
    fc.record({
      kind: fc.constant('transpose' as const),
      filters: fc.integer({ min: 1, max: 3 }),
      kernel: fc.constantFrom(1, 2, 3),
      strides: fc.constantFrom(1, 2, 3),
      padding: fc.constantFrom('same', 'valid'),
    }),
    fc.record({
      kind: fc.constant('torchTranspose' as const),
      filters: fc.integer({ min: 1, max: 3 }),
      padding: fc.constantFrom(0, 1),
      outputPadding: fc.constantFrom(0, 1),
    }),
    fc.record({
      kind: fc.constant('pad' as const),
      t: fc.nat(2),
      b: fc.nat(2),
      l: fc.nat(2),
      r: fc.nat(2),
      reflect: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('norm' as const), batch: fc.boolean() }),
    fc.record({ kind: fc.constant('up' as const), bilinear: fc.boolean() }),
  );

  it('any stack of convertible layers runs in onnxruntime as in tfjs (within 1e-4)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(layerArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 6, max: 10 }),
        fc.integer({ min: 1, max: 3 }),
        async (specs, size, channels) => {
          const input = tfl.input({ shape: [size, size, channels] });
          let x: ST = input;
          for (const s of specs) {
            const [, h, w] = x.shape as [null, number, number, number];
            let layer: tfl.layers.Layer;
            if (s.kind === 'conv') {
              if (s.padding === 'valid' && Math.min(h, w) < s.kernel) continue;
              layer = tfl.layers.conv2d({
                filters: s.filters,
                kernelSize: s.kernel,
                strides: s.strides,
                padding: s.padding,
                activation: s.activation,
              });
            } else if (s.kind === 'depthwise') {
              if (s.padding === 'valid' && Math.min(h, w) < s.kernel) continue;
              layer = tfl.layers.depthwiseConv2d({
                kernelSize: s.kernel,
                depthMultiplier: s.multiplier,
                padding: s.padding,
              });
            } else if (s.kind === 'transpose') {
              if (h * s.strides > 40) continue;
              layer = tfl.layers.conv2dTranspose({
                filters: s.filters,
                kernelSize: s.kernel,
                strides: s.strides,
                padding: s.padding,
              });
            } else if (s.kind === 'torchTranspose') {
              if (h > 20) continue;
              layer = new ConvTranspose2d({
                filters: s.filters,
                kernelSize: 3,
                strides: 2,
                padding: s.padding,
                outputPadding: s.outputPadding,
              });
            } else if (s.kind === 'pad') {
              if (s.reflect && Math.min(h, w) <= Math.max(s.t, s.b, s.l, s.r)) continue;
              layer = s.reflect
                ? new ReflectionPad2d({ padding: [s.t, s.b, s.l, s.r] })
                : tfl.layers.zeroPadding2d({
                    padding: [
                      [s.t, s.b],
                      [s.l, s.r],
                    ],
                  });
            } else if (s.kind === 'norm') {
              layer = s.batch ? tfl.layers.batchNormalization({}) : new InstanceNorm({ affine: true });
            } else {
              if (h > 20) continue;
              layer = tfl.layers.upSampling2d({ size: [2, 2], interpolation: s.bilinear ? 'bilinear' : 'nearest' });
            }
            x = layer.apply(x) as ST;
          }
          const model = tfl.model({ inputs: input, outputs: x });
          randomizeWeights(model, size + channels, 0.5);
          const sample = seededTensor([1, size, size, channels], size * channels);
          await expectSameAsOnnx(model, [sample]);
          tf.dispose(sample);
          model.dispose();
        },
      ),
      { seed: 21, numRuns: 25 },
    );
  });
});

describeBackends('exportOnnx: refusals name the layers and what to do', () => {
  it('refuses elastic layers (extractSubnet first), unfused modulated convs (fuseDemodulation first) and random noise', () => {
    const superG = SuperMobileResnetGenerator({ ngf: 8 });
    expect(() => exportOnnx(superG, { inputShape: [1, 16, 16, 3] })).toThrow(
      /'stem_conv' \(OnceForAllConv: an elastic layer: export extractSubnet\(model, config\)/,
    );
    const g = MobileSynthesisNetwork({ channels: [8, 8], styleDim: 4 });
    expect(() => exportOnnx(g)).toThrow(/'stem_conv' \(StyledConv: a modulated conv: export fuseDemodulation\(model\)/);
    const fused = fuseDemodulation(g);
    expect(() => exportOnnx(fused)).toThrow(/random noise: fix it with setNoise\(model, \{ seed \}\)/);
    superG.dispose();
    g.dispose();
    fused.dispose();
  });

  it('refuses layers it cannot convert, naming them, and bad options', () => {
    const x = tfl.input({ shape: [4, 4, 3] });
    const blurred = new BlurUpsample({ name: 'blur' }).apply(x) as ST;
    const model = tfl.model({ inputs: x, outputs: blurred });
    expect(() => exportOnnx(model)).toThrow(/'blur' \(BlurUpsample: no ONNX conversion/);
    const plain = tfl.sequential({
      layers: [tfl.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [null, null, 3] })],
    });
    expect(() => exportOnnx(plain)).toThrow(/pass options\.inputShape/);
    expect(() => exportOnnx(plain, { inputShape: [1, 8, 8, 4] })).toThrow(/options\.inputShape: got \[1,8,8,4\]/);
    expect(() => exportOnnx(plain, { inputShape: [1, 8, 8, 3], opset: 12 })).toThrow(
      /options\.opset: got 12, expected an integer in \[13, 21\]/,
    );
    expect(() => exportOnnx(plain, { inputShape: [1, 8, 8, 3], dynamic: true } as never)).toThrow(/options\.dynamic/);
    model.dispose();
    plain.dispose();
  });
});
