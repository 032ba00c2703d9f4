import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeBackends } from '../../helpers/backends.js';
import { CATALOGUE } from './catalogue.js';
import { GanCompressError } from '../../../src/util/index.js';
import { disposeWeights } from '../../helpers/weights.js';
import { seededTensor } from '../../helpers/tensors.js';
import type { CatalogueEntry } from './catalogue.js';

/** The fixed seed of every option property test (fast-check prints it, and the path, on failure). */
export const PROPERTY_SEED = 20240512;

/** Values no option takes as they are: non-finite, negative, fractional, huge, wrong types. */
export const JUNK = fc.constantFrom<unknown>(
  NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  0.5,
  2.5,
  1e300,
  -1e300,
  2 ** 60,
  '3',
  'no',
  true,
  false,
  null,
  [],
  {},
  [1, 2, 3],
  { className: 'NoSuchThing', config: {} },
);

const INITIALIZERS = fc.constantFrom<unknown>(
  'zeros',
  'ones',
  'glorotUniform',
  'heNormal',
  'leCunUniform',
  'pytorchLinear',
  { className: 'Ones', config: {} },
  { className: 'RandomNormal', config: { mean: 0, stddev: 1, seed: 3 } },
  'glorot',
);

const small = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });
const real = (min: number, max: number): fc.Arbitrary<number> => fc.double({ min, max, noNaN: true });
const pair = (min: number, max: number): fc.Arbitrary<unknown> =>
  fc.oneof(small(min, max), fc.tuple(small(min, max), small(min, max)));

/**
 * Plausible values of every option name the library uses — in range, at the edges and just
 * outside — written from what each option means, not read from the schemas.
 */
const DOMAIN: Record<string, fc.Arbitrary<unknown>> = {
  filters: small(0, 6),
  units: small(0, 6),
  channels: small(0, 6),
  styleDim: small(0, 6),
  kernelSize: fc.oneof(
    { arbitrary: small(0, 7), weight: 4 },
    { arbitrary: fc.tuple(small(1, 3), small(1, 3)), weight: 1 },
  ),
  kernelSizeChoices: fc.constantFrom<unknown>([1], [3], [1, 3], [3, 5], [1, 3, 5], [3, 3], [5, 3], [2, 4], [], 3),
  strides: pair(0, 2),
  dilationRate: pair(0, 2),
  padding: fc.oneof(
    fc.constantFrom<unknown>('same', 'valid', 'full'),
    small(-1, 3),
    fc.tuple(small(0, 2), small(0, 2)),
    fc.tuple(small(0, 2), small(0, 2), small(0, 2), small(0, 2)),
  ),
  outputPadding: pair(0, 2),
  padMode: fc.constantFrom<unknown>('zeros', 'reflect', 'edge'),
  depthMultiplier: small(0, 3),
  norm: fc.constantFrom<unknown>('instance', 'none', 'batch'),
  epsilon: fc.oneof(real(1e-8, 1e-2), fc.constant(0), fc.constant(-1e-5)),
  momentum: fc.oneof(real(0, 1), fc.constant(2), fc.constant(-0.5)),
  axis: fc.constantFrom<unknown>(-1, 3, 1, 0, -2),
  center: fc.boolean(),
  scale: fc.boolean(),
  affine: fc.constantFrom<unknown>(true, false, 'equalized', 'linear', 'plain'),
  useBias: fc.boolean(),
  styleInvTrainable: fc.boolean(),
  noise: fc.boolean(),
  upsample: fc.boolean(),
  conv: fc.constantFrom<unknown>('dense', 'depthwise', 'separable'),
  demodulation: fc.constantFrom<unknown>('style', 'styleinv', 'none', 'batch'),
  fanIn: fc.oneof(real(0.5, 100), fc.constant(0), fc.constant(-3)),
  noiseMode: fc.constantFrom<unknown>('random', 'fixed', 'off'),
  activation: fc.constantFrom<unknown>('lrelu', 'linear', 'relu'),
  negativeSlope: real(-1, 1),
  activationGain: fc.oneof(real(0.1, 3), fc.constant(0)),
  lrMul: fc.oneof(real(0.01, 2), fc.constant(0)),
  biasInit: real(-1, 1),
  size: small(0, 4),
  index: small(-1, 4),
  kernel: fc.oneof(fc.array(small(0, 3), { minLength: 1, maxLength: 4 }), fc.constant([1, -1])),
  channelLayout: fc.constantFrom<unknown>('bandmajor', 'interleaved', 'planar'),
  min: real(-2, 2),
  max: real(-2, 2),
  seed: fc.oneof(small(-1000, 1000), fc.constant(1.5)),
  trainable: fc.oneof(fc.boolean(), fc.constant<unknown>('yes')),
};

/** Keys that are options of no layer: typos of real ones, tfjs options the library does not take. */
const FOREIGN = ['kernelSzie', 'filter', 'usebias', 'activityRegularizer', 'kernelRegularizer', 'dataFormat'];

function valueFor(key: string): fc.Arbitrary<unknown> {
  const domain = initializerKey(key) ? INITIALIZERS : (DOMAIN[key] ?? small(0, 3));
  return fc.oneof({ arbitrary: domain, weight: 8 }, { arbitrary: JUNK, weight: 1 });
}

function initializerKey(key: string): boolean {
  return key.endsWith('Initializer');
}

/**
 * Configs for `entry`: its small valid config with up to `maxKeys` options (of the class, of
 * other classes and foreign ones) set to generated values — valid, edge and invalid ones.
 */
export function configs(
  entry: CatalogueEntry,
  otherKeys: readonly string[],
  maxKeys = 4,
): fc.Arbitrary<Record<string, unknown>> {
  const keys = [...new Set([...entry.cls.options.keys, 'trainable'])];
  const own = fc.constantFrom(...keys);
  const pick = fc.oneof(
    { arbitrary: own, weight: 20 },
    { arbitrary: fc.constantFrom(...otherKeys), weight: 1 },
    { arbitrary: fc.constantFrom(...FOREIGN), weight: 1 },
  );
  return fc
    .uniqueArray(pick, { maxLength: maxKeys })
    .chain((chosen) =>
      fc
        .tuple(...chosen.map((k) => valueFor(k)))
        .map((values) => ({ ...entry.config, ...Object.fromEntries(chosen.map((k, i) => [k, values[i]])) })),
    );
}

let serial = 0;

/** What one generated config led to. */
export type Outcome = 'refused' | 'ran' | 'refused-input';

/**
 * The property every layer class satisfies for any config: construction either throws a
 * `GanCompressError` whose message names the layer and one of the given keys (or the config),
 * or gives a layer whose `getConfig` survives JSON and `fromConfig` unchanged and which runs
 * on a small input with the shape `computeOutputShape` promised (or refuses that input with a
 * `GanCompressError`). No tensor is left behind either way.
 */
export function checkConfig(entry: CatalogueEntry, config: Record<string, unknown>, name: string): Outcome {
  const before = tf.memory().numTensors;
  let layer: tfl.layers.Layer;
  try {
    layer = new entry.cls({ ...config, name } as never);
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(GanCompressError);
    const message = (e as Error).message;
    const named =
      message.startsWith(`${name} config: got `) ||
      Object.keys(config).some((k) => message.startsWith(`${name}.${k}: got `));
    expect(named, message).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    return 'refused';
  }
  const written = JSON.parse(JSON.stringify(layer.getConfig())) as Record<string, unknown>;
  const reloaded = entry.cls.fromConfig(entry.cls, JSON.parse(JSON.stringify(written)) as tf.serialization.ConfigDict);
  expect(JSON.parse(JSON.stringify(reloaded.getConfig()))).toEqual(written);
  const shapes = entry.inputsFor?.(written) ?? entry.inputs;
  const inputs = shapes.map((s, i) => seededTensor(s, 31 + i));
  let outcome: Outcome = 'ran';
  try {
    const expected = layer.computeOutputShape(shapes.length === 1 ? (shapes[0] as number[]) : shapes);
    const y = tf.tidy(() => layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs) as tf.Tensor);
    expect(y.shape).toEqual(expected);
    y.dispose();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(GanCompressError);
    expect((e as Error).message.startsWith(name), (e as Error).message).toBe(true);
    outcome = 'refused-input';
  }
  tf.dispose(inputs);
  try {
    layer.dispose(); // the weights, and an elastic layer's cached active weights
  } catch {
    disposeWeights(layer); // built but never applied successfully
  }
  expect(tf.memory().numTensors, `${name}: tensors left`).toBe(before);
  return outcome;
}

/**
 * Runs {@link checkConfig} over `runs` generated configs of every entry and returns how often
 * each outcome happened (so a test can check the generator reaches both valid and invalid configs).
 */
export function checkEntries(
  entries: readonly CatalogueEntry[],
  otherKeys: readonly string[],
  runs: number,
): Map<string, Record<Outcome, number>> {
  const counts = new Map<string, Record<Outcome, number>>();
  for (const entry of entries) {
    const tally: Record<Outcome, number> = { refused: 0, ran: 0, 'refused-input': 0 };
    fc.assert(
      fc.property(configs(entry, otherKeys), (config) => {
        tally[checkConfig(entry, config, `p${(serial += 1)}`)]++;
      }),
      { seed: PROPERTY_SEED, numRuns: runs },
    );
    counts.set(entry.cls.className, tally);
  }
  return counts;
}

/** Every option name of the catalogue's classes (to try one class's options on another). */
export function allOptionKeys(entries: readonly CatalogueEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => e.cls.options.keys))];
}

/**
 * The property suite of one family of layer classes, on each test backend: `runs` generated
 * configs per class, each either refused with a named `GanCompressError` or giving a layer that
 * round-trips its config and runs; both sides must be reached several times.
 */
export function propertySuite(family: string, classNames: readonly string[], runs = 100): void {
  describeBackends(`${family}: any config gives a working layer or a named GanCompressError`, () => {
    it(`${runs} configs per class: construct, round-trip the config, run on a small input; no tensor left behind`, () => {
      const entries = CATALOGUE.filter((e) => classNames.includes(e.cls.className));
      expect(entries.map((e) => e.cls.className)).toEqual(classNames);
      const counts = checkEntries(entries, allOptionKeys(CATALOGUE), runs);
      console.log(`${family}: ${JSON.stringify(Object.fromEntries(counts))}`);
      for (const [name, tally] of counts) {
        expect(tally.ran, `${name} ran`).toBeGreaterThanOrEqual(runs / 10);
        expect(tally.refused, `${name} refused`).toBeGreaterThanOrEqual(runs / 10);
      }
    });
  });
}
