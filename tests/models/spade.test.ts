import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  countMacs,
  extractSubnet,
  fileSystem,
  getSubnet,
  maxSubnet,
  MobileSPADEGenerator,
  recalibrateBatchNorm,
  setSubnet,
  sortChannelsByImportance,
  SPADEGenerator,
  spadeConfigFromString,
  spadeConfigToString,
  SuperMobileSPADEGenerator,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';
import { everyNth, fillModel, fixture, fromFixture, hashedInput } from '../layers/conditional/hashed.js';

const ref = fixture();
const root = mkdtempSync(join(tmpdir(), 'gancompress-spade-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeBackends('SPADE generators equal the float64 PyTorch fixture', () => {
  it("SPADEGenerator ('more' mode, 64×64, latent 1×1, ngf 2, 3 labels)", async () => {
    const g = SPADEGenerator({ ngf: 2, labels: 3, imageSize: [64, 64], upsampling: 'more' });
    fillModel(g, ref.scale);
    const seg = hashedInput('segmap', [1, 64, 64, 3]);
    await expectNoLeak(() =>
      tf.tidy(() =>
        expectClose(everyNth(g.predict(seg) as tf.Tensor, 4), fromFixture(ref.generators.spade_more), 1e-5),
      ),
    );
    seg.dispose();
    g.dispose();
  });

  it("MobileSPADEGenerator ('normal' mode, 64×64, latent 2×2)", () => {
    const g = MobileSPADEGenerator({ ngf: 2, labels: 3, imageSize: [64, 64], upsampling: 'normal' });
    fillModel(g, ref.scale);
    const seg = hashedInput('segmap', [1, 64, 64, 3]);
    tf.tidy(() =>
      expectClose(everyNth(g.predict(seg) as tf.Tensor, 4), fromFixture(ref.generators.mobile_normal), 1e-5),
    );
    seg.dispose();
    g.dispose();
  });

  it("SuperMobileSPADEGenerator (ngf 4) at '3_2_4_3_2_3_4_2' equals GAN Compression's sliced sub-generator, and its extraction equals it before and after save/load", async () => {
    const superG = SuperMobileSPADEGenerator({ ngf: 4, labels: 3, imageSize: [64, 64], upsampling: 'normal' });
    fillModel(superG, ref.scale);
    const seg = hashedInput('segmap', [1, 64, 64, 3]);
    const subnet = spadeConfigFromString(ref.generators.super_subnet.config);
    setSubnet(superG, subnet);
    const expected = fromFixture(ref.generators.super_subnet.y);
    const y = superG.predict(seg) as tf.Tensor;
    tf.tidy(() => expectClose(everyNth(y, 4), expected, 1e-5));
    // Extraction creates the student's weights and nothing else.
    const before = tf.memory().numTensors;
    const student = extractSubnet(superG, subnet);
    expect(tf.memory().numTensors - before).toBe(student.weights.length);
    tf.tidy(() => expectClose(student.predict(seg) as tf.Tensor, y, 1e-5));
    const dir = join(root, 'super_subnet');
    await student.save(fileSystem(dir));
    const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
    tf.tidy(() => expectClose(loaded.predict(seg) as tf.Tensor, y, 1e-5));
    expect(countMacs(loaded, [1, 64, 64, 3]).total).toBe(countMacs(superG, [1, 64, 64, 3]).total);
    tf.dispose([seg, expected, y]);
    for (const m of [superG, student, loaded]) m.dispose();
  });
});

describeBackends('SPADE generators: structure, defaults and supernet', () => {
  it("the supernet's largest sub-network computes what MobileSPADEGenerator computes with the same seed and ngf", () => {
    const options = {
      ngf: 2,
      labels: 3,
      imageSize: [32, 64] as [number, number],
      upsampling: 'normal' as const,
      seed: 5,
    };
    const mobile = MobileSPADEGenerator(options);
    const superG = SuperMobileSPADEGenerator(options);
    setSubnet(superG, maxSubnet(superG));
    expect(spadeConfigToString(getSubnet(superG))).toBe('2_2_2_2_2_2_2_2');
    const seg = seededTensor([2, 32, 64, 3], 9);
    tf.tidy(() => expectClose(superG.predict(seg) as tf.Tensor, mobile.predict(seg) as tf.Tensor, 1e-5));
    seg.dispose();
    mobile.dispose();
    superG.dispose();
  });

  it('sorting channels by importance re-orders every block of the supernet (residual streams tied) and keeps its output', () => {
    const superG = SuperMobileSPADEGenerator({ ngf: 4, labels: 3, imageSize: [64, 64], upsampling: 'normal' });
    fillModel(superG, 0.4);
    const seg = seededTensor([1, 64, 64, 3], 4);
    const before = superG.predict(seg) as tf.Tensor;
    const report = sortChannelsByImportance(superG);
    expect(report.sorted.map((r) => r.layers.join('+'))).toContain(
      'fc+head_0_conv_1+G_middle_0_conv_1+G_middle_1_conv_1',
    );
    expect(report.sorted.map((r) => r.layers.join('+'))).toContain('up_0_conv_s+up_0_conv_1');
    expect(report.sorted).toHaveLength(12);
    expect(report.skipped.map((r) => r.layers)).toEqual([['conv_img']]);
    // Re-ordered sums round differently in float32; through seven blocks that reaches ~5e-5 here
    // (with larger weights the activations grow and so does the rounding, so the outputs saturate).
    tf.tidy(() => expectClose(superG.predict(seg) as tf.Tensor, before, 2e-4));
    tf.dispose([seg, before]);
    superG.dispose();
  });

  it("GAN Compression's calibration: recalibrateBatchNorm at a sub-network finds every parameter-free batch norm; inference then equals the batch-statistics forward", async () => {
    const superG = SuperMobileSPADEGenerator({ ngf: 4, labels: 3, imageSize: [64, 64], upsampling: 'normal' });
    fillModel(superG, 0.4);
    const seg = seededTensor([2, 64, 64, 3], 8);
    setSubnet(superG, spadeConfigFromString('2_3_4_1_2_3_4_2'));
    const report = await recalibrateBatchNorm(superG, seg);
    // Three SPADEs per block with a learned shortcut, two otherwise: 3·2 + 4·3.
    expect(report.layers).toHaveLength(18);
    expect(report.layers.find((l) => l.name === 'head_0_norm_1_bn')?.channels).toBe(16 * 3);
    tf.tidy(() => {
      const inference = superG.predict(seg) as tf.Tensor;
      const batchStatistics = superG.apply(seg, { training: true }) as tf.Tensor;
      expectClose(inference, batchStatistics, 1e-5);
    });
    seg.dispose();
    superG.dispose();
  });

  it("the data sets fix labels, image size and mode: Cityscapes [256, 512, 36] 'more' (latent 4×8), COCO-Stuff [256, 256, 184] 'normal' (latent 8×8)", () => {
    for (const [dataset, shape, latent] of [
      ['cityscapes', [null, 256, 512, 36], [null, 4, 8, 36]],
      ['coco-stuff', [null, 256, 256, 184], [null, 8, 8, 184]],
    ] as const) {
      const g = SPADEGenerator({ ngf: 1, dataset });
      expect(g.inputs[0]?.shape).toEqual(shape);
      expect(g.getLayer('fc_resize').outputShape).toEqual(latent);
      expect(g.outputs[0]?.shape).toEqual([null, shape[1], shape[2], 3]);
      // GAN Compression's distillation points: head_0 and G_middle_1 (16·ngf), up_1 (4·ngf).
      expect(g.getLayer('head_0').outputShape).toEqual([null, latent[1], latent[2], 16]);
      expect((g.getLayer('G_middle_1').outputShape as number[])[3]).toBe(16);
      expect((g.getLayer('up_1').outputShape as number[])[3]).toBe(4);
      g.dispose();
    }
    const most = SPADEGenerator({ ngf: 2, labels: 3, imageSize: [128, 128], upsampling: 'most' });
    expect(most.getLayer('up_4').outputShape).toEqual([null, 128, 128, 1]);
    expect(most.getLayer('fc_resize').outputShape).toEqual([null, 1, 1, 3]);
    most.dispose();
  });

  it('a segmentation map whose label count or size does not fit is refused, naming the input and both shapes', () => {
    const g = MobileSPADEGenerator({ ngf: 1, labels: 3, imageSize: [32, 32], upsampling: 'normal' });
    const labels = tf.zeros([1, 32, 32, 4]);
    const size = tf.zeros([1, 64, 32, 3]);
    expect(() => g.predict(labels)).toThrow(
      /mobile_spade_generator_segmap to have shape \[null,32,32,3\] but got array with shape \[1,32,32,4\]/,
    );
    expect(() => g.predict(size)).toThrow(/to have shape \[null,32,32,3\] but got array with shape \[1,64,32,3\]/);
    // The layers check what reaches them too (a map fed past the model's input check).
    const spadeLayer = g.getLayer('head_0_norm_0');
    expect(() => spadeLayer.apply([tf.zeros([1, 1, 1, 16]), labels])).toThrow(
      /head_0_norm_0 segmap: got shape \[1,32,32,4\], expected \[1, H, W, 3\]/,
    );
    tf.dispose([labels, size]);
    g.dispose();
  });

  it('options are checked, naming them', () => {
    expect(() => SPADEGenerator({ ngf: 0 })).toThrow(/options.ngf: got 0/);
    expect(() => SPADEGenerator({ dataset: 'ade20k' as never })).toThrow(/options.dataset: got 'ade20k'/);
    expect(() => SPADEGenerator({ imageSize: [256, 500] })).toThrow(
      /options.imageSize: got \[256,500\], expected \[height, width\], positive multiples of 64/,
    );
    expect(() => SPADEGenerator({ upsampling: 'normal', imageSize: [48, 32] })).toThrow(/multiples of 32/);
    expect(() => SPADEGenerator({ upsampling: 'most', ngf: 3, imageSize: [128, 128] })).toThrow(
      /options.ngf: got 3, expected an even integer/,
    );
    expect(() => SuperMobileSPADEGenerator({ upsampling: 'most', imageSize: [128, 128] })).toThrow(
      /options.upsampling: got 'most'/,
    );
    expect(() => MobileSPADEGenerator({ label: 3 } as never)).toThrow(/options.label: got 3, expected no such option/);
    expect(() => MobileSPADEGenerator({ paramFreeNorm: 'group' as never })).toThrow(ConfigError);
  });
});

describe('spadeConfigFromString / spadeConfigToString', () => {
  it("'32_32_48_32_32_32_32_24': fc 16·c0, middle blocks 16·c back to 16·c0, up blocks 8, 4, 2, 1·c, every SPADE 2·c", () => {
    const s = spadeConfigFromString('32_32_48_32_32_32_32_24');
    expect(s['fc']).toEqual({ outChannels: 512 });
    expect(s['G_middle_0_conv_0']).toEqual({ outChannels: 768 });
    expect(s['G_middle_0_conv_1']).toEqual({ outChannels: 512 });
    expect(s['G_middle_0_norm_1']).toEqual({ outChannels: 96 });
    expect(s['up_0_conv_s']).toEqual({ outChannels: 256 });
    expect(s['up_2_norm_s']).toEqual({ outChannels: 64 });
    expect(s['up_3_conv_1']).toEqual({ outChannels: 24 });
    expect(s['conv_img']).toEqual({ outChannels: 3 });
    expect(Object.keys(s)).toHaveLength(1 + 3 * 4 + 4 * 6 + 1);
  });

  it('property: any 8 positive integers round-trip, and a supernet accepts them when they fit its ngf', () => {
    const superG = SuperMobileSPADEGenerator({ ngf: 4, labels: 2, imageSize: [32, 32], upsampling: 'normal' });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 8, maxLength: 8 }), (c) => {
        const text = c.join('_');
        const config = spadeConfigFromString(text);
        expect(spadeConfigToString(config)).toBe(text);
        setSubnet(superG, config);
        expect(spadeConfigToString(getSubnet(superG))).toBe(text);
      }),
      { seed: 16, numRuns: 60 },
    );
    superG.dispose();
  });

  it('refuses strings and configs of the wrong form, naming them', () => {
    expect(() => spadeConfigFromString('32_32_48_32_32_32_32')).toThrow(
      /configString: got '32_32_48_32_32_32_32', expected 8 positive integers .*; it has 7/,
    );
    expect(() => spadeConfigFromString('32_32_48_32_32_32_32_24_8')).toThrow(/it has 9/);
    expect(() => spadeConfigFromString('32_0_48_32_32_32_32_24')).toThrow(ConfigError);
    expect(() => spadeConfigFromString('a_b')).toThrow(/configString: got 'a_b'/);
    const good = spadeConfigFromString('32_32_48_32_32_32_32_24');
    expect(() => spadeConfigToString({ ...good, head_0_conv_1: { outChannels: 256 } })).toThrow(
      /config.head_0_conv_1.outChannels: got 256, expected 512, the residual width 16·c0 of fc/,
    );
    expect(() => spadeConfigToString({ ...good, up_1_norm_0: { outChannels: 10 } })).toThrow(
      /config.up_1_norm_0.outChannels: got 10, expected 64/,
    );
    expect(() => spadeConfigToString({ ...good, fc: { outChannels: 500 } })).toThrow(
      /config.fc.outChannels: got 500, expected a multiple of 16/,
    );
    const { up_3_conv_s: _dropped, ...missing } = good;
    expect(() => spadeConfigToString(missing)).toThrow(/config.up_3_conv_s: got undefined/);
    expect(() => spadeConfigToString({ ...good, extra: { outChannels: 1 } })).toThrow(/config.extra: .* no such layer/);
  });
});
