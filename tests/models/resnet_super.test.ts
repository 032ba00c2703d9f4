import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ConfigError,
  MobileResnetGenerator,
  SuperMobileResnetGenerator,
  countMacs,
  countParams,
  extractSubnet,
  getElasticLayers,
  getSubnet,
  resnetConfigFromString,
  resnetConfigToString,
  setSubnet,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, expectNoLeak } from '../helpers/tensors.js';
import { fillHashedWeights, hashedValues, nameSalt } from './resnet_weights.js';

const IMAGE = [1, 256, 256, 3];

/**
 * GAN Compression's sub-networks: the two exact integers the docs and issues quote, then the
 * README rows (rounded) — reference gan-compression.md §5.2 (the legacy 6-integer form is the
 * paper's CycleGAN model).
 */
const EXACT: [string, number, number][] = [
  ['16_16_32_16_32_32_16_16', 2_546_204_672, 356_867],
  ['32_32_48_32_48_48_16_16', 4_993_843_200, 822_051],
];
const README: [string, string, string][] = [
  ['24_24_24_32_20_16', '2.67', '0.342'],
  ['16_16_24_16_32_64_16_24', '2.64', '0.355'],
  ['24_24_40_56_24_56_16_40', '4.86', '0.703'],
  ['32_32_48_32_32_48_24_24', '5.59', '0.781'],
  ['32_32_48_32_48_32_16_16', '4.68', '0.746'],
];

describeBackends('SuperMobileResnetGenerator and config strings', () => {
  let superG: tfl.LayersModel;
  beforeAll(() => {
    superG = SuperMobileResnetGenerator({ ngf: 64 });
  });
  afterAll(() => superG.dispose());

  it('at full width is MobileResnetGenerator: 18,365,808,640 MACs, 1,987,075 parameters, config 64_64_64_64_64_64_64_64', () => {
    expect(countMacs(superG, IMAGE).total).toBe(18_365_808_640);
    expect(countParams(superG)).toBe(1_987_075);
    expect(resnetConfigToString(getSubnet(superG))).toBe('64_64_64_64_64_64_64_64');
  });

  for (const [config, macs, params] of EXACT) {
    it(`${config} counted on the supernet with options.subnet → ${macs.toLocaleString('en-US')} MACs, ${params.toLocaleString('en-US')} parameters, state unchanged`, () => {
      const before = getSubnet(superG);
      const subnet = resnetConfigFromString(config);
      expect(countMacs(superG, IMAGE, { subnet }).total).toBe(macs);
      expect(countParams(superG, { subnet })).toBe(params);
      expect(getSubnet(superG)).toEqual(before);
    });
  }

  it("reproduces GAN Compression's README sizes of its released sub-networks", () => {
    for (const [config, gmacs, mparams] of README) {
      const subnet = resnetConfigFromString(config);
      expect((countMacs(superG, IMAGE, { subnet }).total / 1e9).toFixed(2), config).toBe(gmacs);
      expect((countParams(superG, { subnet }) / 1e6).toFixed(3), config).toBe(mparams);
    }
    // Fast GAN Compression's CycleGAN: the exact integer quoted in the reference.
    expect(countMacs(superG, IMAGE, { subnet: resnetConfigFromString('16_16_24_16_32_64_16_24') }).total).toBe(
      2_640_576_512,
    );
  });

  it('restores the previous sub-network after counting, also when the subnet is rejected', () => {
    const previous = resnetConfigFromString('32_24_40_16_24_32_16_24');
    setSubnet(superG, previous);
    const before = getSubnet(superG);
    countMacs(superG, IMAGE, { subnet: resnetConfigFromString('16_16_32_16_32_32_16_16') });
    expect(getSubnet(superG)).toEqual(before);
    // 4·c2 = 320 > 256: rejected before anything changes, naming the argument and the layer.
    expect(() => countMacs(superG, IMAGE, { subnet: resnetConfigFromString('16_16_80_16_16_16_16_16') })).toThrow(
      /options.subnet: .*down2_conv.outChannels: got 320/,
    );
    expect(() => countParams(superG, { subnet: { nope: { outChannels: 3 } } })).toThrow(/options.subnet: config.nope/);
    expect(getSubnet(superG)).toEqual(before);
    setSubnet(superG, resnetConfigFromString('64_64_64_64_64_64_64_64'));
  });

  it('config strings round-trip, the legacy 6-integer form is read as 8', () => {
    for (const s of ['16_16_32_16_32_32_16_16', '32_32_48_32_48_48_16_16', '8_16_24_32_40_48_56_64'])
      expect(resnetConfigToString(resnetConfigFromString(s))).toBe(s);
    expect(resnetConfigToString(resnetConfigFromString('24_24_24_32_20_16'))).toBe('24_24_24_32_32_32_20_16');
    const c = resnetConfigFromString('16_16_32_16_32_48_8_24');
    expect(c['stem_conv']).toEqual({ outChannels: 16 });
    expect(c['down1_conv']).toEqual({ outChannels: 32 });
    expect(c['down2_conv']).toEqual({ outChannels: 128 });
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => c[`block${i}_conv1`]?.outChannels)).toEqual([
      64, 64, 64, 128, 128, 128, 192, 192, 192,
    ]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].every((i) => c[`block${i}_conv2`]?.outChannels === 128)).toBe(true);
    expect([c['up1_convt'], c['up2_convt'], c['head_conv']]).toEqual([
      { outChannels: 16 },
      { outChannels: 24 },
      { outChannels: 3 },
    ]);
    expect(Object.keys(c)).toHaveLength(3 + 18 + 3);
    // Fewer blocks: groups of n//3, n//3 and the rest.
    const five = resnetConfigFromString('8_8_8_1_2_3_8_8', { nBlocks: 5 });
    expect([1, 2, 3, 4, 5].map((i) => five[`block${i}_conv1`]?.outChannels)).toEqual([4, 8, 12, 12, 12]);
  });

  it('rejects strings and configs not of that form, naming the offending layer', () => {
    for (const bad of [
      '16_16_32',
      '16_16_32_16_32_32_16_16_8',
      '16-16-32-16-32-32-16-16',
      '0_16_32_16_32_32_16_16',
      '',
      'a_b',
    ]) {
      expect(() => resnetConfigFromString(bad), bad).toThrow(ConfigError);
    }
    const ok = (): Record<string, { outChannels?: number; kernelSize?: number }> =>
      resnetConfigFromString('16_16_32_16_32_32_16_16');
    const with_ = (
      name: string,
      setting: { outChannels?: number; kernelSize?: number } | undefined,
    ): Record<string, { outChannels?: number; kernelSize?: number }> => {
      const c = ok();
      if (setting === undefined) delete c[name];
      else c[name] = setting;
      return c;
    };
    expect(() => resnetConfigToString(with_('block5_conv1', { outChannels: 64 }))).toThrow(
      /config.block5_conv1.outChannels: got 64, expected 128, the hidden width of block4_conv1/,
    );
    expect(() => resnetConfigToString(with_('block2_conv2', { outChannels: 64 }))).toThrow(
      /config.block2_conv2.outChannels: got 64, expected 128, the residual width/,
    );
    expect(() => resnetConfigToString(with_('down1_conv', { outChannels: 31 }))).toThrow(
      /config.down1_conv.outChannels: got 31, expected a multiple of 2/,
    );
    expect(() => resnetConfigToString(with_('up1_convt', undefined))).toThrow(/config.up1_convt: got undefined/);
    expect(() => resnetConfigToString(with_('block10_conv1', { outChannels: 64 }))).toThrow(
      /config.block10_conv1: .*no such layer/,
    );
    expect(() => resnetConfigToString(with_('stem_conv', { outChannels: 16, kernelSize: 5 }))).toThrow(
      /config.stem_conv.kernelSize: got 5, expected 7/,
    );
    expect(() => resnetConfigToString(with_('head_conv', { outChannels: 4 }))).toThrow(
      /config.head_conv.outChannels: got 4, expected 3/,
    );
  });
});

describeBackends('extractSubnet(SuperMobileResnetGenerator) is SubMobileResnetGenerator', () => {
  let superG: tfl.LayersModel;
  beforeAll(() => {
    superG = SuperMobileResnetGenerator({ ngf: 64 });
  });
  afterAll(() => superG.dispose());

  for (const [config, macs, params] of EXACT) {
    it(`${config}: the extracted model counts ${macs.toLocaleString('en-US')} MACs and ${params.toLocaleString('en-US')} parameters, as on the supernet`, () => {
      const subnet = resnetConfigFromString(config);
      const before = getSubnet(superG);
      const sub = extractSubnet(superG, subnet);
      expect(getElasticLayers(sub)).toEqual([]);
      expect(countMacs(sub, IMAGE).total).toBe(macs);
      expect(countMacs(superG, IMAGE, { subnet }).total).toBe(macs);
      expect(countParams(sub)).toBe(params);
      expect(sub.countParams()).toBe(params);
      expect(countParams(superG, { subnet })).toBe(params);
      expect(countMacs(sub, IMAGE, { convention: 'exact' }).total).toBe(
        countMacs(superG, IMAGE, { convention: 'exact', subnet }).total,
      );
      expect(getSubnet(superG)).toEqual(before);
      sub.dispose();
    });
  }
});

describeBackends('extractSubnet of a fully convolutional supernet (unknown input size)', () => {
  it('predicts what the supernet predicts at the sub-network, at any input size', async () => {
    const superG = SuperMobileResnetGenerator({ ngf: 8, nBlocks: 3 });
    fillHashedWeights(superG);
    const subnet = resnetConfigFromString('4_4_6_2_4_8_4_6', { nBlocks: 3 });
    const sub = extractSubnet(superG, subnet);
    expect(sub.inputs[0]?.shape).toEqual([null, null, null, 3]);
    setSubnet(superG, subnet);
    // The second inference call at a setting caches the sliced weights (see docs/elastic-layers.md).
    const warm = tf.zeros([1, 8, 8, 3]);
    tf.dispose([superG.predict(warm), superG.predict(warm), warm]);
    for (const [h, w] of [
      [16, 12],
      [24, 32],
    ] as const) {
      const x = tf.tensor(hashedValues(h * w * 3, nameSalt(`input${h}`), 2), [1, h, w, 3]);
      await expectNoLeak(() => {
        const [a, b] = [superG.predict(x) as tf.Tensor, sub.predict(x) as tf.Tensor];
        expect(b.shape).toEqual([1, h, w, 3]);
        expectClose(b, a, 1e-5);
        tf.dispose([a, b]);
      });
      expect(countMacs(sub, [1, h, w, 3]).total).toBe(countMacs(superG, [1, h, w, 3]).total);
      x.dispose();
    }
    sub.dispose();
    superG.dispose();
  });
});

describeBackends('SuperMobileResnetGenerator computes', () => {
  it('at its largest sub-network, exactly what MobileResnetGenerator computes (same seed)', async () => {
    const superG = SuperMobileResnetGenerator({ ngf: 4, nBlocks: 3, seed: 7 });
    const mobile = MobileResnetGenerator({ ngf: 4, nBlocks: 3, seed: 7 });
    const x = tf.tensor(hashedValues(1 * 16 * 12 * 3, nameSalt('input'), 2), [1, 16, 12, 3]);
    await expectNoLeak(() => {
      const [a, b] = [superG.predict(x) as tf.Tensor, mobile.predict(x) as tf.Tensor];
      expectClose(a, b, 1e-5);
      tf.dispose([a, b]);
    });
    x.dispose();
    superG.dispose();
    mobile.dispose();
  });

  it('at a sub-network, produces the widths the counter reports', () => {
    const superG = SuperMobileResnetGenerator({ ngf: 8, nBlocks: 3 });
    fillHashedWeights(superG);
    const subnet = resnetConfigFromString('4_4_6_2_4_8_4_6', { nBlocks: 3 });
    setSubnet(superG, subnet);
    const names = [
      'stem_relu',
      'down1_relu',
      'down2_relu',
      'block1_relu',
      'block2_relu',
      'block3_relu',
      'block3',
      'up1_relu',
      'up2_relu',
      'head_tanh',
    ];
    const probe = tfl.model({
      inputs: superG.inputs,
      outputs: names.map((n) => superG.getLayer(n).output as tfl.SymbolicTensor),
    });
    const x = tf.zeros([1, 16, 12, 3]);
    const ys = probe.predict(x) as tf.Tensor[];
    const counted = countMacs(superG, [1, 16, 12, 3]).perLayer;
    expect(ys.map((y) => y.shape)).toEqual(names.map((n) => counted.find((l) => l.name === n)?.outputShape));
    expect(ys.map((y) => y.shape[3])).toEqual([4, 8, 24, 8, 16, 32, 24, 8, 6, 3]);
    tf.dispose([x, ...ys]);
    superG.dispose();
  });
});
