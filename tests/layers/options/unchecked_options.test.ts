/**
 * Issue 12, item 5 ("options not checked") for the layers and their helpers: each case below was
 * accepted (or crashed with a TypeError, or printed NaN as null) before the option schema.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { convTransposeOutputLength, ConvTranspose2d, ReflectionPad2d } from '../../../src/layers/common/index.js';
import {
  ElasticBatchNorm,
  ElasticSeparableConv2d,
  kernelTransformPairs,
  OnceForAllConv,
} from '../../../src/layers/elastic/index.js';
import { EqualLinear, ModulatedConv2d, PixelNorm, ToWavelets } from '../../../src/layers/modulated/index.js';
import { mobileSynthesisStyleCount, styleGan2StyleCount } from '../../../src/models/index.js';
import { ConfigError, GanCompressError, ShapeError } from '../../../src/util/index.js';
import { IDWTUpsample } from '../../../src/wavelet/index.js';
import { initBackend } from '../../../src/backend/index.js';
import { CATALOGUE } from './catalogue.js';

const NHWC = (c: number): tfl.SymbolicTensor => tfl.input({ shape: [4, 4, c] });

describe('options that were accepted and ignored or misread', () => {
  it('ElasticBatchNorm momentum must be in [0, 1]', () => {
    expect(() => new ElasticBatchNorm({ name: 'bn', momentum: 2 })).toThrow(
      'bn.momentum: got 2, expected a finite number in [0, 1]',
    );
    expect(() => new ElasticBatchNorm({ name: 'bn', momentum: -0.1 })).toThrow(ConfigError);
    expect(new ElasticBatchNorm({ momentum: 1 }).momentum).toBe(1);
  });

  it('ElasticBatchNorm axis must be the last axis (-1 or rank − 1), not silently ignored', async () => {
    await initBackend('cpu');
    const bn = new ElasticBatchNorm({ name: 'bn', axis: 1 });
    expect(() => bn.apply(NHWC(3))).toThrow('bn.axis: got 1, expected -1 or 3: the last axis of its rank-4 input');
    const last = new ElasticBatchNorm({ name: 'bn3', axis: 3 });
    expect((last.apply(NHWC(3)) as tfl.SymbolicTensor).shape).toEqual([null, 4, 4, 3]);
    expect(last.getConfig()['axis']).toBe(3);
  });

  it("useBias: 'no' is refused instead of turning the bias on", () => {
    expect(() => new OnceForAllConv({ name: 'c', filters: 4, kernelSize: 3, useBias: 'no' as never })).toThrow(
      "c.useBias: got 'no', expected true or false",
    );
    expect(() => new ElasticSeparableConv2d({ name: 's', filters: 4, kernelSize: 3, useBias: 0 as never })).toThrow(
      's.useBias: got 0, expected true or false',
    );
  });

  it('kernelSizeChoices must be strictly increasing: [7, 7] and [7, 3, 5] are refused', () => {
    expect(() => new OnceForAllConv({ name: 'c', filters: 4, kernelSize: 7, kernelSizeChoices: [7, 7] })).toThrow(
      'c.kernelSizeChoices: got [7,7], expected kernel sizes in strictly increasing order (no repeats)',
    );
    expect(() => new OnceForAllConv({ name: 'c', filters: 4, kernelSize: 7, kernelSizeChoices: [7, 3, 5] })).toThrow(
      'c.kernelSizeChoices: got [7,3,5], expected kernel sizes in strictly increasing order',
    );
  });

  it('unknown keys are refused, with a hint when one is close to an option', () => {
    expect(() => new OnceForAllConv({ name: 'c', filters: 4, kernelSize: 3, kernelSzie: 5 } as never)).toThrow(
      /^c\.kernelSzie: got 5, expected an option of this layer \(.*\) or a tf\.layers LayerArgs field \(did you mean 'kernelSize'\?\)$/,
    );
    expect(() => new ElasticBatchNorm({ name: 'bn', moment: 0.9 } as never)).toThrow("(did you mean 'momentum'?)");
    expect(() => new PixelNorm({ name: 'p', eps: 1e-6 } as never)).toThrow(
      /^p\.eps: got 0\.000001, expected an option/,
    );
    // Every layer class refuses an unknown key and names it.
    for (const { cls, config } of CATALOGUE) {
      expect(() => new cls({ ...config, name: 'l', notAnOption: 1 } as never), cls.className).toThrow(
        /^l\.notAnOption: got 1, expected an option of this layer/,
      );
    }
  });

  it('options a layer fixes, or that apply only with another, are refused instead of dropped', () => {
    // ToWavelets is a 1×1 conv: a kernelSize was overwritten without a word.
    expect(() => new ToWavelets({ name: 't', styleDim: 4, kernelSize: 3 } as never)).toThrow(
      't.kernelSize: got 3, expected 1 (this layer fixes it)',
    );
    // ModulatedConv2d has no noise: it was accepted, then lost on save / load.
    expect(() => new ModulatedConv2d({ name: 'm', filters: 4, styleDim: 4, noise: true } as never)).toThrow(
      'm.noise: got true, expected false (this layer fixes it)',
    );
    // Without styleDim, IDWTUpsample has no kernel to initialise.
    expect(() => new IDWTUpsample({ name: 'u', kernelInitializer: 'zeros' })).toThrow(
      "u.kernelInitializer: got 'zeros', expected nothing: it applies only with styleDim set",
    );
  });

  it('non-finite numbers are refused and printed as NaN / Infinity, not null', () => {
    expect(() => new PixelNorm({ name: 'p', epsilon: NaN })).toThrow(
      'p.epsilon: got NaN, expected a finite number > 0',
    );
    expect(() => new EqualLinear({ name: 'fc', units: 2, negativeSlope: Infinity })).toThrow(
      'fc.negativeSlope: got Infinity, expected a finite number',
    );
    expect(() => new ReflectionPad2d({ name: 'pad', padding: [1, NaN, 0, 0] as never })).toThrow(
      'pad.padding: got [1,NaN,0,0], expected a non-negative integer or [top, bottom, left, right] of them',
    );
  });
});

describe('configs that are not objects', () => {
  it('new OnceForAllConv() names the missing options instead of reading properties of undefined', () => {
    expect(() => new (OnceForAllConv as unknown as new () => OnceForAllConv)()).toThrow(
      /^once_for_all_conv_\w+\.kernelSize: got undefined, expected an integer >= 1 \(required\)$/,
    );
    expect(() => new OnceForAllConv(null as never)).toThrow(
      /^once_for_all_conv_\w+ config: got null, expected a config object with required kernelSize, filters; optional /,
    );
  });

  it('every layer class, given no config, null or a number, builds (all options optional) or throws a named ConfigError', () => {
    for (const { cls } of CATALOGUE) {
      for (const config of [undefined, null, 3]) {
        let layer: tfl.layers.Layer | null = null;
        try {
          layer = new cls(config as never);
        } catch (e) {
          expect(e, `${cls.className}(${String(config)})`).toBeInstanceOf(ConfigError);
          expect((e as Error).message).toMatch(/: got (undefined|null|3), expected /);
        }
        if (layer != null) expect(config, cls.className).toBeUndefined();
      }
    }
  });
});

describe('layer-level helpers', () => {
  it('kernelTransformPairs refuses sizes that are not strictly increasing or not of one parity', () => {
    expect(() => kernelTransformPairs([3, 4])).toThrow(
      'choices: got [3,4], expected kernel sizes of one parity (each a centred window of the next)',
    );
    expect(() => kernelTransformPairs([5, 3])).toThrow(
      'choices: got [5,3], expected a non-empty, strictly increasing list of integers >= 1',
    );
    expect(() => kernelTransformPairs([])).toThrow(ConfigError);
    expect(() => kernelTransformPairs([0, 2])).toThrow(ConfigError);
    expect(kernelTransformPairs([3])).toEqual([]);
  });

  it('convTransposeOutputLength refuses fractions and lengths below 1 (it returned 7.5 and −9)', () => {
    // (n − 1)·s − 2p + d·(k − 1) + op + 1 with n 1, k 1, s 1, p 5: −9.
    expect(() => convTransposeOutputLength(1, 1, 1, 5, 0)).toThrow(ShapeError);
    expect(() => convTransposeOutputLength(1, 1, 1, 5, 0)).toThrow(
      'size: got shape [1], expected a length n with (n − 1)·s − 2p + d·(k − 1) + op + 1 >= 1 (here -9: padding 5 is too large)',
    );
    // n 3.75, k 3, s 2, p 1, op 1: 5.5 − 2 + 3 + 1 = 7.5.
    expect(() => convTransposeOutputLength(3.75, 3, 2, 1, 1)).toThrow('size: got 3.75, expected an integer >= 1');
    expect(() => convTransposeOutputLength(4, 3, 1.5, 1, 0)).toThrow('stride: got 1.5, expected an integer >= 1');
    expect(() => convTransposeOutputLength(4, 3, 2, 0.5, 0)).toThrow('padding: got 0.5, expected an integer >= 0');
    expect(() => convTransposeOutputLength(4, 3, 2, 1, 2)).toThrow(
      'outputPadding: got 2, expected an integer in [0, 1]',
    );
    expect(() => convTransposeOutputLength(4, 0, 2, 1, 1)).toThrow('kernel: got 0');
    expect(convTransposeOutputLength(64, 3, 2, 1, 1)).toBe(128);
    expect(convTransposeOutputLength(null, 3, 2, 1, 1)).toBeNull();
  });

  it('a transposed-conv layer refuses an input its padding would leave empty (it reported a negative shape)', () => {
    const up = new ConvTranspose2d({ name: 'up', filters: 2, kernelSize: 1, padding: 5 });
    expect(() => up.computeOutputShape([1, 1, 1, 3])).toThrow(ShapeError);
    expect(() => up.computeOutputShape([1, 1, 1, 3])).toThrow(
      'up input: got shape [1,1,1,3], expected sizes whose transposed-conv output is at least 1',
    );
    expect(up.computeOutputShape([1, 12, 12, 3])).toEqual([1, 2, 2, 2]);
  });

  it('an elastic conv refuses an input its active kernel does not fit (tfjs failed on a negative size)', async () => {
    await initBackend('cpu');
    const conv = new OnceForAllConv({ name: 'c', filters: 2, kernelSize: 5, kernelSizeChoices: [3, 5] });
    const x = tf.zeros([1, 4, 4, 3]);
    const message = 'c input: got shape [1,4,4,3], expected a height and width the 5×5 kernel fits';
    expect(() => conv.apply(x)).toThrow(message);
    expect(() => conv.computeCost([1, 4, 4, 3], 'exact')).toThrow(message);
    // The 3×3 setting fits: (4 − 3) + 1 = 2.
    conv.setActive({ kernelSize: 3 });
    const y = conv.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 2, 2, 2]);
    tf.dispose([x, y]);
    conv.dispose();
  });

  it('the style-count helpers refuse an empty or non-integer channel list (they returned −1 and 0)', () => {
    expect(() => mobileSynthesisStyleCount([])).toThrow('channels: got [], expected a non-empty list of integers >= 1');
    expect(() => styleGan2StyleCount([])).toThrow(ConfigError);
    expect(() => styleGan2StyleCount([512, 0])).toThrow(ConfigError);
    expect(() => mobileSynthesisStyleCount([512, 1.5])).toThrow(GanCompressError);
    expect(mobileSynthesisStyleCount([512])).toBe(2);
    expect(styleGan2StyleCount([512, 512])).toBe(4);
  });
});
