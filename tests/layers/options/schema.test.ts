import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  normalInitializer,
  option,
  optionSchema,
  reseeded,
  serializeInitializer,
  type Initializer,
} from '../../../src/layers/core/index.js';
import { PixelNorm } from '../../../src/layers/modulated/index.js';
import { ConfigError } from '../../../src/util/index.js';
import { describeBackends } from '../../helpers/backends.js';

/** The values `init` draws for `shape` (the tensor is freed). */
function draw(init: Initializer, shape: number[]): number[] {
  const t = init.apply(shape);
  const values = Array.from(t.dataSync());
  t.dispose();
  return values;
}

const schema = optionSchema({
  filters: option.int({ min: 1 }),
  depthMultiplier: option.int({ min: 1, default: 1 }),
  fanIn: option.number({ positive: true, optional: true }),
  useBias: option.bool(true),
  norm: option.oneOf(['instance', 'none'] as const, 'instance'),
  sizes: option.intList({ min: 1, minLength: 1, increasing: true, default: (r) => [r['filters'] as number] }),
  strides: option.intPair({ min: 1, default: 1 }),
  kernelInitializer: option.initializer({ default: 'glorotUniform' }),
  pointwiseInitializer: option.initializer({ default: normalInitializer(1), seedOffset: 2 }),
  // Declared last but resolved first: the initializers above read it.
  seed: option.seed(),
});

describe('OptionSchema.parse', () => {
  it('resolves defaults (undefined and null alike), including defaults computed from earlier options', () => {
    const v = schema.parse('conv', { filters: 4, depthMultiplier: null, seed: undefined });
    expect(v.filters).toBe(4);
    expect(v.depthMultiplier).toBe(1);
    expect(v.fanIn).toBeUndefined();
    expect(v.useBias).toBe(true);
    expect(v.norm).toBe('instance');
    expect(v.sizes).toEqual([4]);
    expect(v.strides).toEqual([1, 1]);
    expect(v.seed).toBeUndefined();
  });

  it('checks type and range of every given option, naming layer.option, the value and what was expected', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{}, 'conv.filters: got undefined, expected an integer >= 1 (required)'],
      [{ filters: 0 }, 'conv.filters: got 0, expected an integer >= 1'],
      [{ filters: 2.5 }, 'conv.filters: got 2.5, expected an integer >= 1'],
      [{ filters: '4' }, "conv.filters: got '4', expected an integer >= 1"],
      [{ filters: 4, fanIn: NaN }, 'conv.fanIn: got NaN, expected a finite number > 0'],
      [{ filters: 4, fanIn: Infinity }, 'conv.fanIn: got Infinity, expected a finite number > 0'],
      [{ filters: 4, useBias: 'no' }, "conv.useBias: got 'no', expected true or false"],
      [{ filters: 4, useBias: 1 }, 'conv.useBias: got 1, expected true or false'],
      [{ filters: 4, norm: 'batch' }, "conv.norm: got 'batch', expected one of 'instance', 'none'"],
      [{ filters: 4, sizes: [3, 3] }, 'conv.sizes: got [3,3], expected a non-empty, strictly increasing list'],
      [{ filters: 4, strides: [1, 0] }, 'conv.strides: got [1,0], expected an integer >= 1 or a pair [h, w] of them'],
      [{ filters: 4, seed: 1.5 }, 'conv.seed: got 1.5, expected an integer with |seed| <='],
      [{ filters: 4, seed: 2 ** 60 }, 'conv.seed: got 1152921504606847000, expected an integer'],
      [{ filters: 4, kernelInitializer: 'glorot' }, "conv.kernelInitializer: got 'glorot', expected an initializer"],
    ];
    for (const [config, message] of bad) {
      expect(() => schema.parse('conv', config), JSON.stringify(config)).toThrow(ConfigError);
      expect(() => schema.parse('conv', config), JSON.stringify(config)).toThrow(message);
    }
  });

  it('refuses unknown keys with a did-you-mean hint, lets LayerArgs and customObjects through, skips undefined ones', () => {
    expect(() => schema.parse('conv', { filters: 4, filter: 3 })).toThrow(
      /^conv\.filter: got 3, expected an option of this layer \(filters, .*\) or a tf\.layers LayerArgs field \(did you mean 'filters'\?\)$/,
    );
    expect(() => schema.parse('conv', { filters: 4, usebias: false })).toThrow("(did you mean 'useBias'?)");
    expect(() => schema.parse('conv', { filters: 4, axis: 1 })).toThrow(/conv\.axis: got 1, expected an option/);
    const passThrough = {
      filters: 4,
      name: 'c',
      trainable: false,
      inputShape: [8, 8, 3],
      batchInputShape: [null, 8, 8, 3],
      batchSize: 2,
      dtype: 'float32',
      weights: [],
      inputDType: 'float32',
      customObjects: {},
      notAnOption: undefined,
    };
    expect(schema.parse('c', passThrough).filters).toBe(4);
    expect(() => schema.parse('c', { filters: 4, name: 7 })).toThrow('c.name: got 7, expected a string');
    expect(() => schema.parse('c', { filters: 4, trainable: 'yes' })).toThrow("c.trainable: got 'yes'");
  });

  it('refuses a config that is not an object, listing the required and optional options', () => {
    for (const config of [null, 5, 'filters', [4]]) {
      expect(() => schema.parse('conv', config)).toThrow(
        /^conv config: got .*, expected a config object with required filters; optional depthMultiplier, /,
      );
    }
  });

  it('runs checks across options after every option, with the names of the options', () => {
    const range = optionSchema({ min: option.number(), max: option.number() }).check(({ min, max }, argument) => {
      if (!(max > min)) throw new ConfigError(argument('max'), max, `a number > min (${min})`);
    });
    expect(range.parse('clip', { min: -1, max: 1 })).toEqual({ min: -1, max: 1 });
    expect(() => range.parse('clip', { min: 1, max: 1 })).toThrow('clip.max: got 1, expected a number > min (1)');
    // Extending a schema keeps its checks.
    const extended = optionSchema({ gain: option.number({ default: 1 }) }).extend(range);
    expect(() => extended.parse('clip', { min: 2, max: 0 })).toThrow('clip.max: got 0');
  });

  it('appliesWhen: an option given where it means nothing is refused, and not written', () => {
    const s = optionSchema({
      styleDim: option.int({ min: 1, optional: true }),
      biasInitializer: option.initializer({
        default: 'ones',
        appliesWhen: { test: (r) => r['styleDim'] != null, description: 'with styleDim set' },
      }),
    });
    expect(() => s.parse('up', { biasInitializer: 'zeros' })).toThrow(
      "up.biasInitializer: got 'zeros', expected nothing: it applies only with styleDim set",
    );
    expect(s.config(s.parse('up', {}))).toEqual({});
    expect(s.config(s.parse('up', { styleDim: 3 }))).toEqual({
      styleDim: 3,
      biasInitializer: { className: 'Ones', config: {} },
    });
  });

  it('withDefaults, fixed and internal options: what a subclass changes of its base', () => {
    const base = optionSchema({
      conv: option.oneOf(['dense', 'depthwise'] as const, 'dense'),
      fanIn: option.number({ positive: true, optional: true }),
      affineKernelInitializer: option.initializer({ default: 'zeros' }),
    });
    const sub = base.withDefaults({ conv: 'depthwise' });
    expect(sub.parse('l', {}).conv).toBe('depthwise');
    expect(base.parse('l', {}).conv).toBe('dense');
    const fused = base.restrict({
      fixed: { fanIn: option.fixed<number | undefined>(1, { write: true }), conv: option.fixed('dense') },
      internal: ['affineKernelInitializer'],
    });
    const v = fused.parse('f', { fanIn: 1, conv: 'dense' });
    expect(v.fanIn).toBe(1);
    expect(() => fused.parse('f', { fanIn: 2 })).toThrow('f.fanIn: got 2, expected 1 (this layer fixes it)');
    expect(() => fused.parse('f', { conv: 'depthwise' })).toThrow("f.conv: got 'depthwise', expected 'dense'");
    expect(() => fused.parse('f', { affineKernelInitializer: 'ones' })).toThrow(
      "f.affineKernelInitializer: got 'ones', expected nothing: the layer fixes this option",
    );
    // fanIn is written (write: true); the fixed conv and the internal initializer are not.
    expect(fused.config(v)).toEqual({ fanIn: 1 });
  });
});

describeBackends('initializer options', () => {
  it('draw names and defaults from seed + seedOffset, as the same tfjs initializers do', () => {
    const v = schema.parse('conv', { filters: 4, seed: 7, kernelInitializer: 'heNormal' });
    expect(draw(v.kernelInitializer, [3, 5])).toEqual(draw(tfl.initializers.heNormal({ seed: 7 }), [3, 5]));
    const normal = tfl.initializers.randomNormal({ mean: 0, stddev: 1, seed: 9 });
    expect(draw(v.pointwiseInitializer, [4, 4])).toEqual(draw(normal, [4, 4]));
    const named = schema.parse('conv', { filters: 4, seed: 7, pointwiseInitializer: 'glorotUniform' });
    expect(draw(named.pointwiseInitializer, [2, 6])).toEqual(draw(tfl.initializers.glorotUniform({ seed: 9 }), [2, 6]));
  });

  it('objects keep their own seed; { className, config } deserializes; both write { className, config }', () => {
    const own = tfl.initializers.truncatedNormal({ seed: 3, stddev: 2 });
    const v = schema.parse('conv', { filters: 4, seed: 100, kernelInitializer: own });
    expect(v.kernelInitializer).toBe(own);
    const written = schema.config(v)['kernelInitializer'];
    expect(written).toEqual({ className: 'TruncatedNormal', config: { mean: 0, stddev: 2, seed: 3 } });
    const again = schema.parse('conv', { filters: 4, kernelInitializer: written });
    expect(draw(again.kernelInitializer, [5, 5])).toEqual(draw(own, [5, 5]));
  });

  it('refuses unregistered class names, classes that are not initializers and configs tfjs refuses', () => {
    const cases: [unknown, string][] = [
      [{ className: 'NoSuchInit', config: {} }, 'with a registered className'],
      [{ className: 'Sequential', config: {} }, '{"className":"Sequential","config":{}}, expected an initializer'],
      [{ className: 'VarianceScaling', config: { scale: -1 } }, 'tfjs refused it'],
      [{ className: PixelNorm.className, config: {} }, '(PixelNorm is not one)'],
      [{ className: 'Ones', config: 3 }, 'whose config is an object'],
      [42, 'expected an initializer'],
      [tf.serialization.SerializationMap.getMap(), 'expected an initializer'],
    ];
    for (const [spec, message] of cases) {
      expect(() => schema.parse('conv', { filters: 4, kernelInitializer: spec }), message).toThrow(ConfigError);
      expect(() => schema.parse('conv', { filters: 4, kernelInitializer: spec }), message).toThrow(message);
    }
  });

  it('reseeded moves a seeded initializer to the next seeds and leaves constants alone', () => {
    const he = tfl.initializers.heNormal({ seed: 8 });
    expect(draw(reseeded(he, 1), [3, 3])).toEqual(draw(tfl.initializers.heNormal({ seed: 9 }), [3, 3]));
    // tfjs writes its named variance-scaling initializers under their base class.
    expect(serializeInitializer(reseeded(he, 1))).toEqual({
      className: 'VarianceScaling',
      config: { scale: 2, mode: 'fanIn', distribution: 'normal', seed: 9 },
    });
    const ones = tfl.initializers.ones();
    expect(reseeded(ones, 1)).toBe(ones);
    const unseeded = tfl.initializers.randomNormal({});
    expect(reseeded(unseeded, 1)).toBe(unseeded);
  });
});

describe('OptionSchema.config', () => {
  it('writes every option in schema order, pairs and lists as arrays, unset optional ones left out', () => {
    const v = schema.parse('conv', { filters: 2, sizes: [1, 2], strides: 2, seed: 5 });
    const config = schema.config(v);
    expect(Object.keys(config)).toEqual([
      'filters',
      'depthMultiplier',
      'useBias',
      'norm',
      'sizes',
      'strides',
      'kernelInitializer',
      'pointwiseInitializer',
      'seed',
    ]);
    expect(config['strides']).toEqual([2, 2]);
    expect(config['kernelInitializer']).toEqual({
      className: 'VarianceScaling',
      config: { scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: 5 },
    });
    expect(config['pointwiseInitializer']).toEqual({
      className: 'RandomNormal',
      config: { mean: 0, stddev: 1, seed: 7 },
    });
    // What config() writes parses back to the same config.
    expect(schema.config(schema.parse('conv', JSON.parse(JSON.stringify(config))))).toEqual(config);
  });
});
