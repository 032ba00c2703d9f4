import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AdaINGenerator,
  AdaptiveInstanceNorm,
  ConfigError,
  countMacs,
  countParams,
  extractSubnet,
  fileSystem,
  getSubnet,
  munitConfigFromString,
  munitConfigToString,
  setSubnet,
  sortChannelsByImportance,
  SuperMobileAdaINGenerator,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, seededTensor } from '../helpers/tensors.js';
import { everyNth, fillModel, fixture, fromFixture, hashedInput } from '../layers/conditional/hashed.js';

const ref = fixture();
const root = mkdtempSync(join(tmpdir(), 'gancompress-munit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const IMAGE = [1, 256, 256, 3];
const SMALL = { ngf: 4, styleDim: 4, mlpDim: 8 };

describeBackends('MUNIT sizes (torchprofile, batch 1, style encoder included)', () => {
  it('AdaINGenerator(): 77.30 GMAC and 15.03 M parameters', () => {
    const g = AdaINGenerator();
    const macs = countMacs(g, IMAGE);
    expect(macs.uncounted).toEqual([]);
    expect(macs.total).toBe(ref.sizes['munit_teacher']?.macs);
    expect(countParams(g)).toBe(ref.sizes['munit_teacher']?.params);
    expect(g.countParams()).toBe(countParams(g)); // no buffers
    expect(Number((macs.total / 1e9).toFixed(2))).toBe(77.3);
    expect(Number((countParams(g) / 1e6).toFixed(2))).toBe(15.03);
    g.dispose();
  });

  it("'16_16_16_24_56_16_40_40_32_24': exactly 2,625,309,250 MACs and 1.10 M parameters, on the supernet and on the extracted model", () => {
    const superG = SuperMobileAdaINGenerator();
    const subnet = munitConfigFromString('16_16_16_24_56_16_40_40_32_24');
    expect(countMacs(superG, IMAGE, { subnet }).total).toBe(2_625_309_250);
    const params = countParams(superG, { subnet });
    expect(params).toBe(ref.sizes['munit_16_16_16_24_56_16_40_40_32_24']?.params);
    expect(Number((params / 1e6).toFixed(2))).toBe(1.1);
    const student = extractSubnet(superG, subnet);
    expect(countMacs(student, IMAGE).total).toBe(2_625_309_250);
    expect(countParams(student)).toBe(params);
    expect(student.countParams()).toBe(params);
    // The MLP's rows are selected per AdaIN layer: decoder blocks 1–2 hidden 4·40 = 160, 3–4 4·40, stream 4·24 = 96.
    const adain = (name: string): number[] =>
      student.getLayer(name).weights.map((w) => w.shape[w.shape.length - 1] as number);
    expect(adain('dec_block1_adain1')).toEqual([160, 160, 160, 160]);
    expect(adain('dec_block4_adain2')).toEqual([96, 96, 96, 96]);
    expect(student.getLayer('dec_block1_adain1')).toBeInstanceOf(AdaptiveInstanceNorm);
    student.dispose();
    superG.dispose();
  });
});

describeBackends('MUNIT generators equal the float64 PyTorch fixture', () => {
  it('AdaINGenerator (ngf 4, style 4, MLP 8, 32×32) reconstructing an image with its own style', () => {
    const g = AdaINGenerator(SMALL);
    fillModel(g, ref.scale);
    const image = hashedInput('image', [1, 32, 32, 3]);
    tf.tidy(() => expectClose(everyNth(g.predict(image) as tf.Tensor, 2), fromFixture(ref.munit.teacher), 1e-5));
    image.dispose();
    g.dispose();
  });

  it("SuperMobileAdaINGenerator at '3_2_3_2_3_1_2_4_3_2' equals GAN Compression's sliced sub-generator; the extracted model equals it before and after save/load", async () => {
    const superG = SuperMobileAdaINGenerator(SMALL);
    fillModel(superG, ref.scale);
    const image = hashedInput('image', [1, 32, 32, 3]);
    const subnet = munitConfigFromString(ref.munit.super_subnet.config, { styleDim: 4 });
    setSubnet(superG, subnet);
    const y = superG.predict(image) as tf.Tensor;
    tf.tidy(() => expectClose(everyNth(y, 2), fromFixture(ref.munit.super_subnet.y), 1e-5));
    const before = tf.memory().numTensors;
    const student = extractSubnet(superG, subnet);
    expect(tf.memory().numTensors - before).toBe(student.weights.length);
    tf.tidy(() => expectClose(student.predict(image) as tf.Tensor, y, 1e-5));
    const dir = join(root, 'munit_subnet');
    await student.save(fileSystem(dir));
    const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
    tf.tidy(() => expectClose(loaded.predict(image) as tf.Tensor, y, 1e-5));
    tf.dispose([image, y]);
    for (const m of [superG, student, loaded]) m.dispose();
  });
});

describeBackends('MUNIT generators: structure and options', () => {
  it('with styleInput the model takes [image, style] and has no style encoder; the style changes the output', () => {
    const g = AdaINGenerator({ ...SMALL, styleInput: true, inputSize: [16, 16] });
    expect(g.inputs.map((i) => i.shape)).toEqual([
      [null, 16, 16, 3],
      [null, 4],
    ]);
    expect(g.layers.some((l) => l.name.startsWith('style_'))).toBe(false);
    fillModel(g, 1);
    const image = seededTensor([2, 16, 16, 3], 1);
    const [a, b] = [seededTensor([2, 4], 2), seededTensor([2, 4], 3)];
    tf.tidy(() => {
      const ya = g.predict([image, a]) as tf.Tensor;
      const yb = g.predict([image, b]) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0]).toBeGreaterThan(1e-3);
      expectClose(g.predict([image, a]) as tf.Tensor, ya, 0);
    });
    tf.dispose([image, a, b]);
    g.dispose();
  });

  it('names the content code and the AdaIN layers; the content code has 4·ngf channels at H/4', () => {
    const g = SuperMobileAdaINGenerator({ ngf: 8, mlpDim: 16 });
    const shapes = countMacs(g, [1, 64, 64, 3]).perLayer;
    expect(shapes.find((l) => l.name === 'content_block4')?.outputShape).toEqual([1, 16, 16, 32]);
    const adains = g.layers.filter((l) => l.getClassName() === 'ElasticAdaptiveInstanceNorm').map((l) => l.name);
    expect(adains).toEqual([
      'dec_block1_adain1',
      'dec_block1_adain2',
      'dec_block2_adain1',
      'dec_block2_adain2',
      'dec_block3_adain1',
      'dec_block3_adain2',
      'dec_block4_adain1',
      'dec_block4_adain2',
    ]);
    g.dispose();
  });

  it("zero padding ('zero'): ZeroPadding2D in the teacher, zero-padded elastic convs in the supernet; extraction equals the supernet", () => {
    const teacher = AdaINGenerator({ ...SMALL, padType: 'zero' });
    expect(teacher.getLayer('content_stem_conv_pad').getClassName()).toBe('ZeroPadding2D');
    teacher.dispose();
    const superG = SuperMobileAdaINGenerator({ ...SMALL, padType: 'zero' });
    fillModel(superG, 0.8);
    const subnet = munitConfigFromString('2_3_2_4_1_3_2_2_4_1', { styleDim: 4 });
    const student = extractSubnet(superG, subnet);
    expect(student.layers.some((l) => l.getClassName() === 'ReflectionPad2d')).toBe(false);
    const image = seededTensor([1, 16, 16, 3], 5);
    setSubnet(superG, subnet);
    tf.tidy(() => expectClose(student.predict(image) as tf.Tensor, superG.predict(image) as tf.Tensor, 1e-5));
    image.dispose();
    student.dispose();
    superG.dispose();
  });

  it('sorting channels by importance through the style encoder, content code, AdaIN and LayerNorm keeps the output', () => {
    const superG = SuperMobileAdaINGenerator(SMALL);
    fillModel(superG, 0.8);
    const image = seededTensor([1, 32, 32, 3], 6);
    const before = superG.predict(image) as tf.Tensor;
    const report = sortChannelsByImportance(superG);
    // The residual stream: the content code and every block's second conv, encoder and decoder.
    expect(report.sorted.find((r) => r.layers.includes('content_down2_conv'))?.layers).toHaveLength(9);
    expect(report.sorted).toHaveLength(19);
    expect(report.skipped.map((r) => r.layers)).toEqual([['dec_out_conv']]);
    tf.tidy(() => expectClose(superG.predict(image) as tf.Tensor, before, 2e-5));
    tf.dispose([image, before]);
    superG.dispose();
  });

  it('options are checked, naming them', () => {
    expect(() => AdaINGenerator({ nRes: 3 })).toThrow(/options.nRes: got 3, expected an even integer/);
    expect(() => AdaINGenerator({ padType: 'replicate' as never })).toThrow(/options.padType: got 'replicate'/);
    expect(() => AdaINGenerator({ inputSize: [30, 32] })).toThrow(
      /options.inputSize: got \[30,32\], expected \[height, width\], positive multiples of 4/,
    );
    expect(() => SuperMobileAdaINGenerator({ styleInput: 'yes' as never })).toThrow(
      /options.styleInput: got 'yes', expected true or false/,
    );
    expect(() => AdaINGenerator({ mlp: 3 } as never)).toThrow(/options.mlp: got 3, expected no such option/);
  });
});

describe('munitConfigFromString / munitConfigToString', () => {
  it("'16_16_16_24_56_16_40_40_32_24': style c0, 2c0, 4c0; content c1, 2c2, 4c3; block pairs 4·c; ups 2·c8, c9", () => {
    const s = munitConfigFromString('16_16_16_24_56_16_40_40_32_24');
    expect([1, 2, 3, 4, 5].map((i) => s[`style_conv${i}`]?.outChannels)).toEqual([16, 32, 64, 64, 64]);
    expect(s['style_code']).toEqual({ outChannels: 8 });
    expect(s['content_stem_conv']).toEqual({ outChannels: 16 });
    expect(s['content_down1_conv']).toEqual({ outChannels: 32 });
    expect(s['content_down2_conv']).toEqual({ outChannels: 96 });
    expect([1, 2, 3, 4].map((b) => s[`content_block${b}_conv1`]?.outChannels)).toEqual([224, 224, 64, 64]);
    expect([1, 2, 3, 4].map((b) => s[`dec_block${b}_conv1`]?.outChannels)).toEqual([160, 160, 160, 160]);
    expect([1, 2, 3, 4].map((b) => s[`dec_block${b}_conv2`]?.outChannels)).toEqual([96, 96, 96, 96]);
    expect(s['dec_up1_conv']).toEqual({ outChannels: 64 });
    expect(s['dec_up2_conv']).toEqual({ outChannels: 24 });
    expect(s['dec_out_conv']).toEqual({ outChannels: 3 });
  });

  it('property: any 10 positive integers round-trip through a supernet; other shapes give other lengths', () => {
    const superG = SuperMobileAdaINGenerator({ ngf: 4, styleDim: 2, mlpDim: 4 });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 10, maxLength: 10 }), (c) => {
        const text = c.join('_');
        const config = munitConfigFromString(text, { styleDim: 2 });
        expect(munitConfigToString(config, { styleDim: 2 })).toBe(text);
        setSubnet(superG, config);
        expect(munitConfigToString(getSubnet(superG), { styleDim: 2 })).toBe(text);
      }),
      { seed: 16, numRuns: 60 },
    );
    superG.dispose();
    // 3 downsamplings and 2 blocks: 2 + 2·3 + 2 = 10 integers, the upsamplings 4·c, 2·c, c.
    const deep = munitConfigFromString('1_2_3_4_5_6_7_8_9_10', { nDownsample: 3, nRes: 2 });
    expect(deep['content_down3_conv']).toEqual({ outChannels: 40 });
    expect([1, 2, 3].map((i) => deep[`dec_up${i}_conv`]?.outChannels)).toEqual([32, 18, 10]);
    expect(munitConfigToString(deep, { nDownsample: 3, nRes: 2 })).toBe('1_2_3_4_5_6_7_8_9_10');
  });

  it('a model without a style encoder: c0 is not read, and must be given to write the string', () => {
    const s = munitConfigFromString('16_16_16_24_56_16_40_40_32_24', { styleEncoder: false });
    expect(s['style_conv1']).toBeUndefined();
    expect(() => munitConfigToString(s, { styleEncoder: false })).toThrow(/options.styleWidth: got undefined/);
    expect(munitConfigToString(s, { styleEncoder: false, styleWidth: 16 })).toBe('16_16_16_24_56_16_40_40_32_24');
  });

  it('refuses strings and configs of the wrong form, naming them', () => {
    expect(() => munitConfigFromString('16_16_16_24_56_16_40_40_32')).toThrow(
      /configString: got '16_16_16_24_56_16_40_40_32', expected 10 positive integers .* for 2 downsamplings and 4 blocks\); it has 9/,
    );
    expect(() => munitConfigFromString('16_16_16_24_56_16_40_40_32_24', { nRes: 6 })).toThrow(
      /expected 12 positive integers/,
    );
    expect(() => munitConfigFromString('16_16_16_24_56_16_40_40_32_0')).toThrow(ConfigError);
    const good = munitConfigFromString('16_16_16_24_56_16_40_40_32_24');
    expect(() => munitConfigToString({ ...good, content_block2_conv1: { outChannels: 64 } })).toThrow(
      /config.content_block2_conv1.outChannels: got 64, expected 224, the hidden width of content_block1_conv1/,
    );
    expect(() => munitConfigToString({ ...good, dec_block3_conv2: { outChannels: 64 } })).toThrow(
      /expected 96, the residual width/,
    );
    expect(() => munitConfigToString({ ...good, style_conv4: { outChannels: 32 } })).toThrow(
      /config.style_conv4.outChannels: got 32, expected 64, 4·c0/,
    );
    expect(() => munitConfigToString({ ...good, dec_up1_conv: { outChannels: 63 } })).toThrow(
      /expected a multiple of 2/,
    );
    expect(() => munitConfigToString({ ...good, dec_up1_conv: { outChannels: 64, kernelSize: 3 } })).toThrow(
      /config.dec_up1_conv.kernelSize: got 3, expected 5/,
    );
  });
});
