import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  countMacs,
  countParams,
  getSubnet,
  initBackend,
  macsCost,
  OnceForAllConv,
  paramsCost,
  Random,
  recalibrateBatchNorm,
  resnetConfigFromString,
  SearchSpace,
  setSubnet,
  subnetEvaluator,
  SuperMobileResnetGenerator,
  type SubnetConfig,
} from '../../../src/index.js';
import { buildSupernet } from '../supernet.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('macsCost', () => {
  it("reproduces GAN Compression's MACs for its config strings (ngf 64, 256²)", () => {
    const model = SuperMobileResnetGenerator({ ngf: 64 });
    const space = SearchSpace.fromConfigStrings(Array(8).fill([64, 56, 48, 40, 32, 24, 16]), resnetConfigFromString);
    const macs = macsCost(model, [1, 256, 256, 3], { space });
    // Published: the full MobileResnetGenerator is 18.37 GMACs; 16_16_32_16_32_32_16_16 is GAN Compression's
    // searched CycleGAN student (2.55 GMACs, the number countMacs and the README quote).
    expect(macs(space.decode(space.largest()))).toBe(18365808640);
    expect(macs(resnetConfigFromString('16_16_32_16_32_32_16_16'))).toBe(2546204672);
    model.dispose();
  });

  it('equals countMacs at every config, in and outside its space, with no tensor created', () => {
    const model = SuperMobileResnetGenerator({ ngf: 16 });
    const space = SearchSpace.fromModel(model);
    const before = tf.memory().numTensors;
    const macs = macsCost(model, [1, 32, 32, 3], { space });
    const exact = macsCost(model, [1, 32, 32, 3], { space, convention: 'exact' });
    const rng = new Random(2);
    for (let i = 0; i < 40; i++) {
      const config = space.sample(rng);
      expect(macs(config)).toBe(countMacs(model, [1, 32, 32, 3], { subnet: config }).total);
      expect(exact(config)).toBe(countMacs(model, [1, 32, 32, 3], { subnet: config, convention: 'exact' }).total);
    }
    // Not a point of the space (7 is not a multiple of 8): counted directly.
    const odd: SubnetConfig = { ...space.decode(space.largest()), stem_conv: { outChannels: 7, kernelSize: 7 } };
    expect(macs(odd)).toBe(countMacs(model, [1, 32, 32, 3], { subnet: odd }).total);
    expect(tf.memory().numTensors).toBe(before);
    // The supernet is left as it was.
    expect(getSubnet(model)).toEqual(space.decode(space.largest()));
    model.dispose();
  });

  it('refuses a model with layers countMacs cannot count, naming them', () => {
    class Mystery extends tfl.layers.Layer {
      static readonly className = 'TestMystery';
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.relu(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs);
      }
    }
    const input = tfl.input({ shape: [4, 4, 3] });
    const a = new OnceForAllConv({ name: 'a', filters: 16, kernelSize: 1 }).apply(input) as tfl.SymbolicTensor;
    const m = new Mystery({ name: 'mystery' }).apply(a) as tfl.SymbolicTensor;
    const b = new OnceForAllConv({ name: 'b', filters: 3, kernelSize: 1 }).apply(m) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: b });
    expect(() => macsCost(model, [1, 4, 4, 3])).toThrow(/countMacs cannot count layers 'mystery'/);
    expect(() => macsCost(model, [1, 5, 4, 3])).toThrow(/^inputShape: got shape \[1,5,4,3\]/);
    model.dispose();
  });
});

describe('paramsCost', () => {
  it('equals countParams, and the published size of the searched CycleGAN student', () => {
    const model = SuperMobileResnetGenerator({ ngf: 64 });
    const params = paramsCost(model);
    expect(params(resnetConfigFromString('16_16_32_16_32_32_16_16'))).toBe(356867);
    expect(params(resnetConfigFromString('64_64_64_64_64_64_64_64'))).toBe(1987075); // MobileResnetGenerator
    const space = SearchSpace.fromModel(model);
    const rng = new Random(4);
    for (let i = 0; i < 5; i++) {
      const config = space.sample(rng);
      expect(params(config)).toBe(countParams(model, { subnet: config }));
    }
    model.dispose();
  });
});

describe('subnetEvaluator', () => {
  const score = (m: tfl.LayersModel, x: tf.Tensor): number =>
    tf.tidy(() => tf.mean(tf.square(m.predict(x) as tf.Tensor)).dataSync()[0] as number);

  it('re-calibrates ElasticBatchNorm statistics before scoring, then restores the model exactly', async () => {
    const model = buildSupernet(3);
    const twin = buildSupernet(3);
    const space = SearchSpace.fromModel(model, { choices: { multipleOf: 2 } });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 5);
    const batches = [
      tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 6),
      tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 7),
    ];
    const statistics = (m: tfl.LayersModel): number[][] =>
      m.layers.flatMap((l) =>
        l.weights.filter((w) => /moving_/.test(w.originalName)).map((w) => [...w.read().dataSync()]),
      );
    const before = { subnet: getSubnet(model), stats: statistics(model) };
    const evaluate = subnetEvaluator(model, (m) => score(m, x), { calibration: batches });
    const tensors = tf.memory().numTensors;
    const config = space.sample(new Random(1));
    const got = await evaluate(config);
    expect(tf.memory().numTensors).toBe(tensors);
    // The same steps by hand on an identical model.
    setSubnet(twin, config);
    await recalibrateBatchNorm(twin, batches);
    expect(got).toBe(score(twin, x));
    // …which differs from scoring with the supernet's own statistics.
    const uncalibrated = buildSupernet(3);
    setSubnet(uncalibrated, config);
    expect(got).not.toBeCloseTo(score(uncalibrated, x), 6);
    expect(getSubnet(model)).toEqual(before.subnet);
    expect(statistics(model)).toEqual(before.stats);
    tf.dispose([x, ...batches]);
    [model, twin, uncalibrated].forEach((m) => m.dispose());
  });

  it('needs calibration batches for a model with ElasticBatchNorm, and nothing else for one without', async () => {
    const model = buildSupernet();
    expect(() => subnetEvaluator(model, () => 0)).toThrow(
      /^options\.calibration: got undefined, expected calibration batches: model 'supernet' has ElasticBatchNorm layers \('stem_bn', 'bn2'\)/,
    );
    expect(() => subnetEvaluator(model, 3 as never)).toThrow(/^score: got 3/);
    const generator = SuperMobileResnetGenerator({ ngf: 8 });
    const x = tf.randomNormal([1, 16, 16, 3], 0, 1, 'float32', 1);
    const config = resnetConfigFromString('8_4_4_4_8_4_4_8');
    const evaluate = subnetEvaluator(generator, (m, c) => (expect(c).toEqual(config), score(m, x)));
    setSubnet(generator, config);
    const expected = score(generator, x);
    setSubnet(generator, resnetConfigFromString('8_8_8_8_8_8_8_8'));
    const active = getSubnet(generator);
    expect(await evaluate(config)).toBe(expected);
    expect(getSubnet(generator)).toEqual(active);
    x.dispose();
    model.dispose();
    generator.dispose();
  });

  it('restores the model when the score throws', async () => {
    const model = buildSupernet();
    const batch = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2);
    const space = SearchSpace.fromModel(model, { choices: { multipleOf: 2 } });
    const evaluate = subnetEvaluator(
      model,
      () => {
        throw new ConfigError('score', 'boom', 'no throw');
      },
      { calibration: batch },
    );
    const before = getSubnet(model);
    const tensors = tf.memory().numTensors;
    await expect(evaluate(space.decode(space.smallest()))).rejects.toThrow(/score: got 'boom'/);
    expect(getSubnet(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    batch.dispose();
    model.dispose();
  });
});
