/**
 * Reliability of src/nas: the cases of issue 12 for `recalibrateBatchNorm` — its running sums
 * leaked when a batch or the model threw, a NaN batch wrote NaN statistics, an empty batch list
 * was accepted — and properties over the module's public functions: recalibration either writes
 * finite statistics or throws a named error leaving them as they were; `extractSubnet` gives a
 * model that computes what the supernet computes at the config; `sortChannelsByImportance` does
 * not change what the model computes; `fuseDemodulation`, the search space, the samplers, the
 * searches and the cost models give results within their contracts or named errors — and no
 * call leaves a tensor behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AnycostSampler,
  ConfigError,
  evolutionSearch,
  exhaustiveSearch,
  extractSubnet,
  fuseDemodulation,
  getSubnet,
  latencyCost,
  macsCost,
  maxSubnet,
  paramsCost,
  ProgressiveShrinking,
  Random,
  randomSearch,
  recalibrateBatchNorm,
  SandwichSampler,
  SearchSpace,
  setSubnet,
  sortChannelsByImportance,
  subnetEvaluator,
  UniformSampler,
  type SubnetConfig,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { maxAbsDiff, seededTensor } from '../helpers/tensors.js';
import { buildSupernet, randomConfig } from '../nas/supernet.js';
import { anyNumber, check, checkAsync, clearCaches, JUNK, probe, probeAsync, Tally, tensorOf } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const tally = new Tally();
afterAll(() => console.log(tally.summary('nas')));

/** The running statistics of every batch norm, read back (to check that a refusal changed none). */
function statistics(model: tfl.LayersModel): number[][] {
  return model.weights
    .filter((w) => /moving_(mean|variance)$/.test(w.originalName))
    .map((w) => Array.from(w.read().dataSync()));
}

describeBackends('nas: issue 12 cases', () => {
  let net: tfl.LayersModel;
  beforeAll(() => {
    net = buildSupernet(4);
  });
  afterAll(() => net.dispose());

  it('recalibrateBatchNorm leaks nothing and writes nothing when a later batch or the model throws', async () => {
    const before = statistics(net);
    const good = seededTensor([2, 8, 8, 3], 1);
    const wrong = seededTensor([2, 8, 8, 5], 2); // the model refuses 5 channels
    // counted with the elastic layers' caches of active weights cleared (see clearCaches)
    const tensors = (): number => {
      clearCaches(net);
      return tf.memory().numTensors;
    };
    let count = tensors();
    await expect(recalibrateBatchNorm(net, [good, wrong])).rejects.toThrow();
    expect(tensors() - count, 'running sums left behind after the model threw').toBe(0);
    function* failing(): Generator<tf.Tensor> {
      yield good;
      throw new Error('the data source failed');
    }
    count = tensors();
    await expect(recalibrateBatchNorm(net, failing)).rejects.toThrow('the data source failed');
    expect(tensors() - count, 'running sums left behind after the batches threw').toBe(0);
    expect(statistics(net)).toEqual(before);
    tf.dispose([good, wrong]);
  });

  it('recalibrateBatchNorm refuses a batch with a NaN or ±Infinity, naming it and the index of the first one (it wrote NaN statistics)', async () => {
    const before = statistics(net);
    const good = seededTensor([2, 8, 8, 3], 1);
    const bad = tf.tidy(() => {
      const v = seededTensor([3, 8, 8, 3], 3).dataSync().slice();
      v[1 * 192 + 5 * 24 + 2 * 3 + 1] = NaN; // [1][5][2][1]
      return tf.tensor(v, [3, 8, 8, 3]);
    });
    const tensors = (): number => {
      clearCaches(net);
      return tf.memory().numTensors;
    };
    const count = tensors();
    await expect(recalibrateBatchNorm(net, [good, bad])).rejects.toThrow(ConfigError);
    await expect(recalibrateBatchNorm(net, [good, bad])).rejects.toThrow(
      /^batches\[1\]\[1\]\[5\]\[2\]\[1\]: got NaN, expected a finite value$/,
    );
    expect(tensors()).toBe(count);
    expect(statistics(net)).toEqual(before);
    tf.dispose([good, bad]);
  });

  it('recalibrateBatchNorm refuses no batches at all, and a batch of no samples', async () => {
    const before = statistics(net);
    await expect(recalibrateBatchNorm(net, [])).rejects.toThrow(/^batches: got \[\], expected at least one batch/);
    await expect(recalibrateBatchNorm(net, () => [][Symbol.iterator]())).rejects.toThrow(
      /^batches: .*at least one batch/,
    );
    const empty = tf.zeros([0, 8, 8, 3]);
    await expect(recalibrateBatchNorm(net, empty)).rejects.toThrow(
      /^batches\[0\]: got 'a tensor of shape \[0,8,8,3\]', expected a batch of at least one sample/,
    );
    empty.dispose();
    await expect(recalibrateBatchNorm(null as never, [])).rejects.toThrow(/^model: got null/);
    await expect(recalibrateBatchNorm(net, [], { disposeBatch: true } as never)).rejects.toThrow(
      /did you mean 'disposeBatches'/,
    );
    expect(statistics(net)).toEqual(before);
  });
});

describeBackends('nas: properties', () => {
  let net: tfl.LayersModel;
  let x: tf.Tensor;
  beforeAll(() => {
    net = buildSupernet(5);
    x = seededTensor([2, 8, 8, 3], 9);
  });
  afterAll(() => {
    net.dispose();
    x.dispose();
  });

  it('recalibrateBatchNorm: finite statistics for finite batches, a named error (statistics untouched) otherwise', async () => {
    const batchArb = fc.record({
      n: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 6 }, fc.constant(0)),
      channels: fc.oneof({ arbitrary: fc.constant(3), weight: 6 }, fc.constant(2)),
      special: fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, fc.constantFrom(NaN, Infinity, -Infinity)),
    });
    await checkAsync(
      fc.asyncProperty(fc.array(batchArb, { maxLength: 3 }), fc.boolean(), async (specs, asIterable) => {
        const batches = specs.map((s, i) => {
          const t = seededTensor([s.n, 8, 8, s.channels], 20 + i);
          if (s.special == null || s.n === 0) return t;
          const v = t.dataSync().slice();
          v[v.length - 1] = s.special;
          t.dispose();
          return tf.tensor(v, t.shape);
        });
        const before = statistics(net);
        const source = asIterable ? () => batches[Symbol.iterator]() : batches;
        const outcome = await probeAsync(
          tally,
          'recalibrateBatchNorm',
          () => recalibrateBatchNorm(net, source),
          (report) => {
            expect(report.batches).toBe(specs.length);
            expect(report.samples).toBe(specs.reduce((s, b) => s + b.n, 0));
            expect(statistics(net).every((w) => w.every((v) => Number.isFinite(v)))).toBe(true);
          },
          { settle: () => clearCaches(net) },
        );
        if (outcome === 'refused') expect(statistics(net)).toEqual(before);
        tf.dispose(batches);
      }),
      30,
    );
  });

  it('extractSubnet: the extracted model computes what the supernet computes at the config; bad configs are named', () => {
    check(
      fc.property(
        fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 10_000 }).map((s) => randomConfig(new Random(s))), weight: 4 },
          fc.constantFrom<unknown>({ head: { outChannels: 2 } }, { stem: { outChannels: 0 } }, null, 3, { nope: {} }),
        ),
        (config) => {
          const before = getSubnet(net);
          probe(
            tally,
            'extractSubnet',
            () => {
              const sub = extractSubnet(net, config as SubnetConfig);
              try {
                return sub.predict(x) as tf.Tensor;
              } finally {
                sub.dispose();
              }
            },
            (y) => {
              setSubnet(net, config as SubnetConfig);
              const expected = net.predict(x) as tf.Tensor;
              setSubnet(net, before);
              expect(maxAbsDiff(y, expected)).toBeLessThanOrEqual(1e-5);
              tf.dispose([y, expected]);
            },
            { settle: () => clearCaches(net) },
          );
          expect(getSubnet(net)).toEqual(before);
        },
      ),
      12,
    );
  });

  it('sortChannelsByImportance: the model computes the same after sorting; bad groups are named', () => {
    check(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.oneof(
          { arbitrary: fc.constant<unknown>([]), weight: 3 },
          fc.constantFrom<unknown>([['stem', 'conv3']], [['nope']], 'stem', [3]),
        ),
        fc.oneof(
          {
            arbitrary: fc.constantFrom<unknown>({}, { importance: 'producer' }, { importance: 'consumer' }),
            weight: 3,
          },
          fc.constantFrom<unknown>(null, { importance: 'l2' }, { order: 1 }),
        ),
        (seed, groups, options) => {
          const model = buildSupernet(seed);
          const before = model.predict(x) as tf.Tensor;
          probe(
            tally,
            'sortChannelsByImportance',
            () => sortChannelsByImportance(model, groups as never, options as never),
            () => {
              const after = model.predict(x) as tf.Tensor;
              expect(maxAbsDiff(after, before)).toBeLessThanOrEqual(1e-4);
              after.dispose();
            },
          );
          before.dispose();
          model.dispose();
        },
      ),
      8,
    );
  });

  it('fuseDemodulation on a model without modulated convs is an equal copy; junk is named', () => {
    probe(
      tally,
      'fuseDemodulation',
      () => {
        const fused = fuseDemodulation(net);
        try {
          return fused.predict(x) as tf.Tensor;
        } finally {
          if (fused !== net) fused.dispose();
        }
      },
      (y) => {
        const expected = net.predict(x) as tf.Tensor;
        expect(maxAbsDiff(y, expected)).toBeLessThanOrEqual(1e-5);
        tf.dispose([y, expected]);
      },
    );
    for (const junk of [null, 3, {}, [net]]) probe(tally, 'fuseDemodulation', () => fuseDemodulation(junk as never));
  });

  it('SearchSpace and the samplers: every config they give is accepted by the model; junk is named', () => {
    const space = SearchSpace.fromModel(net);
    check(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.oneof(
          { arbitrary: fc.constant<unknown>({}), weight: 4 },
          fc.record({ seed: fc.oneof(fc.integer({ min: 0, max: 9 }), anyNumber, JUNK) }, { requiredKeys: [] }),
          JUNK,
        ),
        fc.oneof(
          {
            arbitrary: fc.array(fc.integer({ min: 0, max: 1 }), {
              minLength: space.dimensions.length,
              maxLength: space.dimensions.length,
            }),
            weight: 4,
          },
          fc.array(fc.oneof(fc.integer({ min: -1, max: 4 }), anyNumber), { maxLength: space.dimensions.length + 1 }),
        ),
        (seed, options, indices) => {
          probe(
            tally,
            'SearchSpace.sample',
            () => space.sample(new Random(seed)),
            (config) => expect(() => setSubnet(net, config)).not.toThrow(),
          );
          probe(
            tally,
            'SearchSpace.decode',
            () => space.decode(indices),
            (config) => {
              expect(space.encode(config)).toEqual(indices);
              expect(space.contains(config)).toBe(true);
            },
          );
          probe(
            tally,
            'SearchSpace.fromJSON',
            () => SearchSpace.fromJSON(JSON.parse(JSON.stringify(space)) as unknown),
            (copy) => {
              expect(copy.toJSON()).toEqual(space.toJSON());
            },
          );
          const samplers: [string, () => { next(step: number): SubnetConfig }][] = [
            ['UniformSampler', () => new UniformSampler(space, options as never)],
            ['SandwichSampler', () => new SandwichSampler(space, options as never)],
            ['AnycostSampler', () => new AnycostSampler(space, options as never)],
            [
              'ProgressiveShrinking',
              () =>
                new ProgressiveShrinking(space, {
                  ...(options as object),
                  phases: ProgressiveShrinking.ofaPhases(space, { stepsPerPhase: 2 }),
                }),
            ],
          ];
          for (const [name, make] of samplers) {
            probe(
              tally,
              name,
              () => make().next(seed % 7),
              (config) => {
                expect(() => setSubnet(net, config)).not.toThrow();
              },
            );
          }
          setSubnet(net, maxSubnet(net));
        },
      ),
      40,
    );
    for (const junk of [null, 3, 'x', { dimensions: 1 }]) {
      probe(tally, 'SearchSpace.fromJSON', () => SearchSpace.fromJSON(junk));
      probe(tally, 'SearchSpace.fromModel', () => SearchSpace.fromModel(junk as never));
    }
  });

  it('searches and cost models: the best record is in the history, within the budget; junk options are named', async () => {
    const space = SearchSpace.fromModel(net);
    const macs = macsCost(net, [1, 8, 8, 3], { space });
    const params = paramsCost(net);
    const evaluate = (config: SubnetConfig): number => macs(config) / 1e6 - params(config) / 1e4;
    await checkAsync(
      fc.asyncProperty(
        fc.constantFrom('random', 'evolution', 'exhaustive'),
        fc.record(
          {
            budget: fc.oneof({ arbitrary: fc.integer({ min: 250_000, max: 400_000 }), weight: 4 }, anyNumber),
            seed: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 9 }), weight: 4 }, anyNumber),
            samples: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 6 }), weight: 4 }, anyNumber),
          },
          { requiredKeys: ['samples'] },
        ),
        async (kind, o) => {
          const common = { space, evaluate, cost: macs, ...(o.budget === undefined ? {} : { budget: o.budget }) };
          const run = (): Promise<{ best: { score: number; cost?: number }; history: { score: number }[] }> =>
            kind === 'random'
              ? randomSearch({
                  ...common,
                  ...(o.samples === undefined ? {} : { samples: o.samples }),
                  ...(o.seed === undefined ? {} : { seed: o.seed }),
                } as never)
              : kind === 'evolution'
                ? evolutionSearch({
                    ...common,
                    population: 4,
                    generations: 2,
                    ...(o.seed === undefined ? {} : { seed: o.seed }),
                  })
                : exhaustiveSearch({ ...common, maxSize: 64 });
          await probeAsync(tally, `${kind}Search`, run, (result) => {
            expect(result.history.map((r) => r.score)).toContain(result.best.score);
            if (typeof o.budget === 'number' && result.best.cost !== undefined)
              expect(result.best.cost).toBeLessThanOrEqual(o.budget);
          });
        },
      ),
      24,
    );
    for (const junk of [null, 3, {}, { space: 1, evaluate }]) {
      await probeAsync(tally, 'randomSearch', () => randomSearch(junk as never));
      await probeAsync(tally, 'evolutionSearch', () => evolutionSearch(junk as never));
      await probeAsync(tally, 'exhaustiveSearch', () => exhaustiveSearch(junk as never));
      probe(tally, 'macsCost', () => macsCost(net, junk as never));
      probe(tally, 'subnetEvaluator', () => subnetEvaluator(net, junk as never));
      await probeAsync(tally, 'latencyCost', () => latencyCost(junk as never, junk as never));
    }
    probe(tally, 'paramsCost', () => paramsCost(null as never));
  });

  it('values a user may pass for tensors in recalibration batches: tensors, arrays of them, or named errors', async () => {
    for (const junk of [null, 3, 'x', [3], [[null]], { a: 1 }]) {
      await probeAsync(tally, 'recalibrateBatchNorm', () => recalibrateBatchNorm(net, junk as never));
    }
    const t = tensorOf([1, 8, 8, 3], [0.5]);
    await probeAsync(tally, 'recalibrateBatchNorm', () =>
      recalibrateBatchNorm(net, t, { disposeBatches: 'yes' } as never),
    );
    t.dispose();
  });
});

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.nas));
