/**
 * Reliability of the sub-network API (src/graph): the case of issue 12 — `setSubnet` could
 * narrow the head conv of a generator declared `[…, 3]` so that it output 2 channels — and
 * properties over random sub-network configs (widths 0 … max + 1, kernel sizes offered or not,
 * unknown fields and layers, junk): `setSubnet` either activates the config — the model then
 * runs, every output keeps its declared shape, `getSubnet` reports the config — or throws a
 * ConfigError and changes nothing; `checkSubnet` agrees with it; `withSubnet` restores the
 * previous setting after `fn`, also when `fn` throws; `maxSubnet` / `minSubnet` give configs
 * `setSubnet` accepts.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  checkSubnet,
  ConfigError,
  getElasticLayers,
  getSubnet,
  maxSubnet,
  minSubnet,
  OnceForAllConv,
  Random,
  resnetConfigFromString,
  setSubnet,
  SuperMobileResnetGenerator,
  withSubnet,
  type SubnetConfig,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';
import { buildSupernet, ELASTIC_NAMES, randomConfig } from '../nas/supernet.js';
import { check, JUNK, probe, Tally } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const tally = new Tally();
afterAll(() => console.log(tally.summary('graph')));

type ST = tfl.SymbolicTensor;

describeBackends(
  'graph: issue 12 cases',
  () => {
    it('setSubnet refuses to narrow the head of a generator declared [..., 3] (it output 2 channels), changing nothing', () => {
      const g = SuperMobileResnetGenerator({ ngf: 4, nBlocks: 3 });
      const before = getSubnet(g);
      expect(() => setSubnet(g, { head_conv: { outChannels: 2 } })).toThrow(ConfigError);
      expect(() => setSubnet(g, { stem_conv: { outChannels: 2 }, head_conv: { outChannels: 2 } })).toThrow(
        'head_conv.outChannels: got 2, expected 3, the width of model output 0: a model output keeps the width the model declares for it',
      );
      expect(getSubnet(g)).toEqual(before);
      expect(() => checkSubnet(g, { head_conv: { outChannels: 2 } })).toThrow(/^head_conv\.outChannels: got 2/);
      // the reference config strings still apply (they keep the head at the image channels)
      setSubnet(g, resnetConfigFromString('2_2_4_2_4_4_2_2', { nBlocks: 3 }));
      const x = seededTensor([1, 8, 8, 3], 1);
      const y = g.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([1, 8, 8, 3]);
      tf.dispose([x, y]);
      g.dispose();
    });

    it('a model built to let an output vary — a tapped inner feature map, read by later layers too — may narrow it', () => {
      const x = tfl.input({ shape: [4, 4, 2] });
      const features = new OnceForAllConv({ name: 'features', filters: 6, kernelSize: 3, padding: 'same' }).apply(
        x,
      ) as ST;
      const image = new OnceForAllConv({ name: 'image', filters: 3, kernelSize: 1 }).apply(features) as ST;
      const model = tfl.model({ inputs: x, outputs: [image, features] });
      setSubnet(model, { features: { outChannels: 4 } });
      const input = seededTensor([1, 4, 4, 2], 2);
      const [y, f] = model.predict(input) as tf.Tensor[];
      expect([y?.shape, f?.shape]).toEqual([
        [1, 4, 4, 3],
        [1, 4, 4, 4],
      ]);
      expect(() => setSubnet(model, { image: { outChannels: 2 } })).toThrow(/^image\.outChannels: got 2, expected 3/);
      tf.dispose([input, y, f] as tf.Tensor[]);
      model.dispose();
    });

    it('every graph function refuses a non-model with a ConfigError naming `model` (was "Cannot read properties of null")', () => {
      for (const junk of [null, undefined, 3, {}, { layers: [] }]) {
        expect(() => setSubnet(junk as never, {})).toThrow(/^model: got .*, expected a tf\.LayersModel/);
        expect(() => getSubnet(junk as never)).toThrow(/^model: got/);
        expect(() => maxSubnet(junk as never)).toThrow(/^model: got/);
        expect(() => minSubnet(junk as never, {})).toThrow(/^model: got/);
        expect(() => getElasticLayers(junk as never)).toThrow(/^model: got/);
        expect(() => withSubnet(junk as never, {}, () => 1)).toThrow(/^model: got/);
      }
    });
  },
  ['cpu'],
);

/** A width as a config might give it: mostly in range, sometimes 0, above the maximum, fractional or junk. */
const widthArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 12 }), weight: 8 },
  { arbitrary: fc.constantFrom<unknown>(0, 13, 2.5, -1, NaN, '4', null), weight: 1 },
);
const settingArb = fc.oneof(
  {
    arbitrary: fc.record(
      { outChannels: widthArb, kernelSize: fc.constantFrom<unknown>(1, 3, 5, 7, 4) },
      { requiredKeys: [] },
    ),
    weight: 8,
  },
  { arbitrary: fc.oneof(JUNK, fc.constant({ width: 3 })), weight: 1 },
);
const configArb = (names: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
  fc.dictionary(
    fc.oneof({ arbitrary: fc.constantFrom(...names), weight: 9 }, fc.constantFrom('nope', 'Stem')),
    settingArb,
    {
      maxKeys: 5,
    },
  );

/** Configs the supernet accepts (its tied widths equal), to reach the success path often. */
const validConfigArb = fc
  .integer({ min: 1, max: 10_000 })
  .map((seed) => randomConfig(new Random(seed)) as Record<string, unknown>);

describeBackends(
  'graph: properties',
  () => {
    let net: tfl.LayersModel;
    let x: tf.Tensor;
    beforeAll(() => {
      net = buildSupernet(3);
      x = seededTensor([1, 8, 8, 3], 5);
    });
    afterAll(() => {
      net.dispose();
      x.dispose();
    });

    it('setSubnet / checkSubnet: a config is applied whole (the outputs keep their declared shapes) or refused whole', () => {
      const declared = net.outputs.map((o) => o.shape.slice(1));
      check(
        fc.property(fc.oneof(configArb(ELASTIC_NAMES), validConfigArb), (config) => {
          const before = getSubnet(net);
          const checked = (() => {
            try {
              checkSubnet(net, config as SubnetConfig);
              return true;
            } catch {
              return false;
            }
          })();
          const outcome = probe(
            tally,
            'setSubnet',
            () => setSubnet(net, config as SubnetConfig),
            () => undefined,
            { mayFree: true }, // a new setting frees the cached active weights of the old one
          );
          expect(outcome === 'ok', 'checkSubnet agrees with setSubnet').toBe(checked);
          if (outcome === 'refused') {
            expect(getSubnet(net), 'a refused config changes nothing').toEqual(before);
            return;
          }
          const after = getSubnet(net);
          for (const [name, setting] of Object.entries(config as SubnetConfig))
            for (const [field, value] of Object.entries(setting))
              if (value !== undefined) expect(after[name]?.[field as 'outChannels']).toBe(value);
          // elastic layers cache their active weights from the second call at a setting on (kept
          // until the setting changes or the layer is disposed): fill the cache before counting
          tf.dispose([net.predict(x), net.predict(x)]);
          probe(
            tally,
            'LayersModel.predict at a sub-network',
            () => net.predict(x) as tf.Tensor,
            (y) => {
              expect(y.shape.slice(1)).toEqual(declared[0]);
              y.dispose();
            },
          );
          probe(
            tally,
            'getSubnet',
            () => getSubnet(net),
            (s) => expect(s).toEqual(after),
          );
        }),
        120,
      );
      setSubnet(net, maxSubnet(net));
    });

    it('withSubnet restores the previous setting after fn, when fn throws, and when the config is refused', async () => {
      await fc.assert(
        fc.asyncProperty(
          configArb(ELASTIC_NAMES),
          fc.constantFrom('value', 'throw', 'promise', 'reject'),
          async (config, kind) => {
            const before = getSubnet(net);
            const fn = (): unknown => {
              if (kind === 'throw') throw new Error('user code');
              if (kind === 'promise') return Promise.resolve(7);
              if (kind === 'reject') return Promise.reject(new Error('user code'));
              return 7;
            };
            let result: unknown;
            try {
              result = await withSubnet(net, config as SubnetConfig, fn);
            } catch (e) {
              result = e;
            }
            expect(getSubnet(net)).toEqual(before);
            if (result instanceof Error && result.message !== 'user code') expect(result).toBeInstanceOf(ConfigError);
            tally.record('withSubnet', result instanceof ConfigError ? 'refused' : 'ok');
          },
        ),
        { seed: 1207, numRuns: 80 },
      );
    });

    it('maxSubnet / minSubnet give configs setSubnet accepts; junk choices are named', () => {
      check(
        fc.property(
          fc.dictionary(
            fc.constantFrom(...ELASTIC_NAMES, 'nope'),
            fc.oneof(
              fc.record(
                {
                  outChannels: fc.array(widthArb, { maxLength: 3 }),
                  kernelSize: fc.array(fc.constantFrom<unknown>(1, 3, 5, 2), { maxLength: 2 }),
                },
                { requiredKeys: [] },
              ),
              JUNK,
            ),
            { maxKeys: 4 },
          ),
          (choices) => {
            const before = getSubnet(net);
            probe(
              tally,
              'minSubnet',
              () => minSubnet(net, choices as never),
              (config) => {
                expect(() => checkSubnet(net, config)).not.toThrow();
              },
            );
            probe(
              tally,
              'maxSubnet',
              () => maxSubnet(net),
              (config) => expect(() => checkSubnet(net, config)).not.toThrow(),
            );
            expect(getSubnet(net)).toEqual(before);
          },
        ),
        80,
      );
      probe(
        tally,
        'getElasticLayers',
        () => getElasticLayers(net),
        (layers) => expect(layers.map((l) => l.name)).toEqual(ELASTIC_NAMES),
      );
      for (const junk of [null, 3, 'x', [1]]) probe(tally, 'checkSubnet', () => checkSubnet(net, junk as never));
    });
  },
  ['cpu'],
);

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.graph));
