/**
 * Reliability of the reference architectures: the case of issue 12 — a ResNet generator mapped a
 * 30×30 input to 32×32 — and properties over the generators' options and inputs: any options give
 * a ConfigError naming the option, or a model that maps every input whose sides are multiples of
 * 4 to the same size with the declared output channels and refuses any other size with a
 * ShapeError (also after save → load, which gives the same outputs bit for bit); the config
 * strings round-trip; the other architectures refuse junk options by name.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  countMacs,
  countParams,
  fileSystem,
  MappingNetwork,
  MobileResnetGenerator,
  MobileSynthesisNetwork,
  PatchGanDiscriminator,
  resnetConfigFromString,
  resnetConfigToString,
  ResnetGenerator,
  ShapeError,
  StyleGan2SynthesisNetwork,
  SuperMobileResnetGenerator,
  SPADEGenerator,
  MobileSPADEGenerator,
  SuperMobileSPADEGenerator,
  AdaINGenerator,
  SuperMobileAdaINGenerator,
  SuperResidualUpscaler,
  spadeConfigFromString,
  spadeConfigToString,
  munitConfigFromString,
  munitConfigToString,
  styleGan2StyleCount,
  mobileSynthesisStyleCount,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';
import { anyNumber, check, checkAsync, JUNK, probe, probeAsync, Tally } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const tally = new Tally();
afterAll(() => console.log(tally.summary('models')));
const root = mkdtempSync(join(tmpdir(), 'gancompress-reliability-models-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const GENERATORS = { ResnetGenerator, MobileResnetGenerator, SuperMobileResnetGenerator } as const;

/**
 * Two calls, so that elastic layers fill their cache of active weights (made on the second call
 * at one setting, kept until the setting changes or the layer is disposed: not a leak) before a
 * probe counts tensors.
 */
function warmUp(model: tfl.LayersModel, x: tf.Tensor): void {
  for (let i = 0; i < 2; i++) {
    try {
      tf.dispose(model.predict(x));
    } catch {
      return; // refused: the probe will see why
    }
  }
}

describeBackends('models: issue 12 cases', () => {
  it('the ResNet generators refuse a side that is not a multiple of 4 (30×30 came out 32×32), when called and when counted', async () => {
    for (const [name, make] of Object.entries(GENERATORS)) {
      const g = make({ ngf: 2, nBlocks: 1 });
      const x = seededTensor([1, 30, 30, 3], 1);
      expect(() => g.predict(x), name).toThrow(ShapeError);
      expect(() => g.predict(x), name).toThrow(
        /^stem_pad input: got shape \[1,30,30,3\], expected height and width multiples of 4 \(the stride-2 stages and the upsamplings would turn 30×30 into 32×32\)$/,
      );
      expect(() => countMacs(g, [1, 32, 30, 3]), name).toThrow(/^stem_pad input: got shape \[1,32,30,3\]/);
      const ok = seededTensor([1, 32, 28, 3], 2);
      const y = g.predict(ok) as tf.Tensor;
      expect(y.shape).toEqual([1, 32, 28, 3]);
      // the check is part of the saved model
      const dir = join(root, name);
      await g.save(fileSystem(dir));
      const loaded = await tfl.loadLayersModel(fileSystem(dir));
      expect(() => loaded.predict(x), `${name} after load`).toThrow(/^stem_pad input: got shape \[1,30,30,3\]/);
      const z = loaded.predict(ok) as tf.Tensor;
      expect(Array.from(z.dataSync())).toEqual(Array.from(y.dataSync()));
      tf.dispose([x, ok, y, z]);
      g.dispose();
      loaded.dispose();
    }
    // a model built on a fixed size refuses another at build time
    const input = tfl.input({ shape: [30, 30, 3] });
    const g = ResnetGenerator({ ngf: 2, nBlocks: 1 });
    expect(() => g.apply(input)).toThrow(/^stem_pad input: got shape \[,30,30,3\]/);
    g.dispose();
  });
});

const optionValue = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: fc.oneof(anyNumber, JUNK), weight: 1 });

const resnetOptions = fc.record(
  {
    ngf: optionValue(fc.integer({ min: 1, max: 3 })),
    nBlocks: optionValue(fc.integer({ min: 0, max: 3 })),
    inputChannels: optionValue(fc.integer({ min: 1, max: 3 })),
    outputChannels: optionValue(fc.integer({ min: 1, max: 3 })),
    inputSize: optionValue(fc.constantFrom<unknown>(null, [8, 12], [12, 8], [6, 8], [0, 4])),
    seed: optionValue(fc.integer({ min: 0, max: 9 })),
    name: optionValue(fc.constantFrom('g', 'gen_2')),
  },
  { requiredKeys: [] },
);

describeBackends('models: properties', () => {
  it('ResNet generators: named errors for bad options; otherwise same-size outputs with the declared channels for multiples of 4, ShapeErrors for other sizes', () => {
    check(
      fc.property(
        fc.constantFrom(...(Object.keys(GENERATORS) as (keyof typeof GENERATORS)[])),
        resnetOptions,
        fc.tuple(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 13 })),
        (kind, options, [h, w]) => {
          let model: tfl.LayersModel;
          probe(
            tally,
            kind,
            () => {
              // built and disposed inside the probe: a generator's weights are its own
              const g = GENERATORS[kind](options as never);
              g.dispose();
              return g.name;
            },
            () => undefined,
          );
          try {
            model = GENERATORS[kind](options as never);
          } catch {
            return;
          }
          const g = model;
          const c = (options.inputChannels as number | undefined) ?? 3;
          const size = (options.inputSize as [number, number] | null | undefined) ?? null;
          const [ih, iw] = size ?? [h, w];
          const x = seededTensor([1, ih, iw, c], h * 31 + w);
          warmUp(g, x);
          probe(
            tally,
            `${kind} predict`,
            () => g.predict(x) as tf.Tensor,
            (y) => {
              expect(ih % 4 === 0 && iw % 4 === 0, `${ih}×${iw} accepted`).toBe(true);
              expect(y.shape).toEqual([1, ih, iw, (options.outputChannels as number | undefined) ?? 3]);
              y.dispose();
            },
          );
          probe(
            tally,
            'countMacs',
            () => countMacs(g, [1, ih, iw, c]),
            (count) => {
              expect(count.total).toBeGreaterThan(0);
              expect(count.uncounted).toEqual([]);
            },
          );
          probe(
            tally,
            'countParams',
            () => countParams(g),
            (n) => {
              if (kind !== 'SuperMobileResnetGenerator') expect(n).toBe(g.countParams());
            },
          );
          x.dispose();
          g.dispose();
        },
      ),
      40,
    );
  });

  it('save → load gives the same model: same outputs bit for bit, same refusals', async () => {
    await checkAsync(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(GENERATORS) as (keyof typeof GENERATORS)[])),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 1, max: 3 }),
        async (kind, seed, side) => {
          const g = GENERATORS[kind]({ ngf: 2, nBlocks: 1, seed });
          const dir = join(root, `${kind}-${seed}-${side}`);
          // sides of at least 8: at 4 the residual blocks would see 1×1, which reflection pads refuse
          const x = seededTensor([1, 4 * (side + 1), 8, 3], seed);
          await probeAsync(
            tally,
            'fileSystem save → load',
            async () => {
              await g.save(fileSystem(dir));
              return tfl.loadLayersModel(fileSystem(dir));
            },
            (loaded) => {
              const [a, b] = [g.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
              expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
              expect(loaded.layers.map((l) => l.getClassName())).toEqual(g.layers.map((l) => l.getClassName()));
              tf.dispose([a, b]);
              loaded.dispose();
            },
          );
          x.dispose();
          g.dispose();
        },
      ),
      6,
    );
  });

  it('resnetConfigFromString / resnetConfigToString: round trip, or a named error', () => {
    const part = fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 64 }).map(String), weight: 8 },
      fc.constantFrom('0', '-1', '2.5', 'x', ''),
    );
    check(
      fc.property(
        fc.array(part, { minLength: 5, maxLength: 9 }),
        fc.oneof({ arbitrary: fc.integer({ min: 0, max: 9 }), weight: 6 }, anyNumber),
        fc.oneof({ arbitrary: fc.constant('_'), weight: 6 }, fc.constantFrom('-', ' ')),
        (parts, nBlocks, sep) => {
          const text = parts.join(sep);
          probe(
            tally,
            'resnetConfigFromString',
            () => resnetConfigFromString(text, { nBlocks: nBlocks }),
            (config) => {
              probe(
                tally,
                'resnetConfigToString',
                () => resnetConfigToString(config, { nBlocks: nBlocks }),
                (back) => {
                  expect(resnetConfigFromString(back, { nBlocks: nBlocks })).toEqual(config);
                  // with fewer than 3 blocks some of the 8 widths belong to no block and are not kept
                  if (parts.length === 8 && nBlocks >= 3) expect(back).toBe(text);
                },
              );
            },
          );
        },
      ),
      200,
    );
    for (const junk of [null, 3, {}, { nope: 1 }]) {
      probe(tally, 'resnetConfigToString', () => resnetConfigToString(junk as never));
      probe(tally, 'resnetConfigFromString', () => resnetConfigFromString(junk as never));
    }
  });

  it('the SPADE and MUNIT config strings round-trip; the style counts are positive integers; junk named', () => {
    const part = fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 64 }).map(String), weight: 8 },
      fc.constantFrom('0', 'x'),
    );
    const pairs: [string, (s: string) => unknown, (c: never) => string, number][] = [
      ['spadeConfig', (t) => spadeConfigFromString(t), (c) => spadeConfigToString(c), 8],
      ['munitConfig', (t) => munitConfigFromString(t), (c) => munitConfigToString(c), 10],
    ];
    for (const [name, from, to, length] of pairs) {
      check(
        fc.property(fc.array(part, { minLength: length - 1, maxLength: length + 1 }), (parts) => {
          const text = parts.join('_');
          probe(
            tally,
            `${name}FromString`,
            () => from(text),
            (config) => {
              probe(
                tally,
                `${name}ToString`,
                () => to(config as never),
                (back) => expect(from(back)).toEqual(config),
              );
            },
          );
        }),
        60,
      );
      for (const junk of [null, 3, {}]) probe(tally, `${name}ToString`, () => to(junk as never));
    }
    check(
      fc.property(
        fc.oneof(
          { arbitrary: fc.array(fc.integer({ min: 1, max: 512 }), { minLength: 1, maxLength: 9 }), weight: 4 },
          fc.constantFrom<unknown>([], null, [0], [2.5]),
        ),
        (channels) => {
          for (const [name, count] of [
            ['styleGan2StyleCount', styleGan2StyleCount],
            ['mobileSynthesisStyleCount', mobileSynthesisStyleCount],
          ] as const)
            probe(
              tally,
              name,
              () => count(channels as number[]),
              (n) => expect(Number.isInteger(n) && n > 0).toBe(true),
            );
        },
      ),
      60,
    );
  });

  it('the other architectures: junk options are named errors; small valid ones build', () => {
    const builders: [string, (o: unknown) => tfl.LayersModel, fc.Arbitrary<unknown>][] = [
      [
        'PatchGanDiscriminator',
        (o) => PatchGanDiscriminator(o as never),
        fc.record(
          {
            ndf: optionValue(fc.integer({ min: 1, max: 3 })),
            nLayers: optionValue(fc.integer({ min: 0, max: 2 })),
            norm: optionValue(fc.constantFrom('instance', 'batch', 'none')),
            inputChannels: optionValue(fc.integer({ min: 1, max: 3 })),
          },
          { requiredKeys: [] },
        ),
      ],
      [
        'MappingNetwork',
        (o) => MappingNetwork(o as never),
        fc.record(
          {
            styleDim: optionValue(fc.integer({ min: 1, max: 4 })),
            numLayers: optionValue(fc.integer({ min: 1, max: 2 })),
            lrMul: optionValue(fc.constantFrom(0.01, 1)),
          },
          { requiredKeys: [] },
        ),
      ],
      [
        'MobileSynthesisNetwork',
        (o) => MobileSynthesisNetwork(o as never),
        fc.oneof(
          fc.record({
            channels: optionValue(fc.constant([8, 4])),
            styleDim: optionValue(fc.integer({ min: 1, max: 4 })),
          }),
          JUNK,
        ),
      ],
      [
        'StyleGan2SynthesisNetwork',
        (o) => StyleGan2SynthesisNetwork(o as never),
        fc.oneof(
          fc.record({
            channels: optionValue(fc.constant([4, 4])),
            styleDim: optionValue(fc.integer({ min: 1, max: 4 })),
          }),
          JUNK,
        ),
      ],
    ];
    const small = (valid: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> =>
      fc.oneof(
        {
          arbitrary: fc.record(Object.fromEntries(Object.entries(valid).map(([k, a]) => [k, optionValue(a)])), {
            requiredKeys: [],
          }),
          weight: 4,
        },
        JUNK,
      );
    builders.push(
      [
        'SPADEGenerator',
        (o) => SPADEGenerator(o as never),
        small({ ngf: fc.constantFrom(1, 2), labels: fc.constantFrom(2, 3), imageSize: fc.constant([32, 64]) }),
      ],
      [
        'MobileSPADEGenerator',
        (o) => MobileSPADEGenerator(o as never),
        small({ ngf: fc.constantFrom(1, 2), labels: fc.constantFrom(2, 3), imageSize: fc.constant([32, 64]) }),
      ],
      [
        'SuperMobileSPADEGenerator',
        (o) => SuperMobileSPADEGenerator(o as never),
        small({ ngf: fc.constantFrom(1, 2), labels: fc.constantFrom(2, 3), imageSize: fc.constant([32, 64]) }),
      ],
      [
        'AdaINGenerator',
        (o) => AdaINGenerator(o as never),
        small({ ngf: fc.constantFrom(2, 4), mlpDim: fc.constantFrom(4, 8), styleDim: fc.constantFrom(2, 4) }),
      ],
      [
        'SuperMobileAdaINGenerator',
        (o) => SuperMobileAdaINGenerator(o as never),
        small({ ngf: fc.constantFrom(2, 4), mlpDim: fc.constantFrom(4, 8), styleDim: fc.constantFrom(2, 4) }),
      ],
      [
        'SuperResidualUpscaler',
        (o) => SuperResidualUpscaler(o as never),
        small({
          scale: fc.constantFrom(2, 4),
          channels: fc.constantFrom(2, 4),
          hidden: fc.constantFrom(2, 4),
          blocks: fc.constantFrom(0, 1),
        }),
      ],
    );
    for (const [name, build, options] of builders) {
      check(
        fc.property(options, (o) => {
          probe(
            tally,
            name,
            () => {
              const m = build(o);
              const n = m.countParams();
              m.dispose();
              return n;
            },
            (n) => expect(n).toBeGreaterThan(0),
          );
        }),
        12,
      );
    }
  });
});

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.models));
