/**
 * Property-based tests of fileSystem() (fast-check, fixed seeds, bounded runs; a failure prints
 * its seed and the shrunk case):
 * - random small models (tfjs Conv2D / DepthwiseConv2D / Dense / BatchNormalization and this
 *   library's InstanceNorm, ReflectionPad2d, ConvTranspose2d, OnceForAllConv, ElasticBatchNorm,
 *   HaarDWT) save → load with the same weights and outputs, bit for bit, and the load check's
 *   build of the topology finds exactly the weights the model has;
 * - random byte corruptions of a saved model.json or weights file load the same model or throw a
 *   ModelFileError — never another model, never another error, never a leaked tensor;
 * - random edits of the manifest of a foreign file (no digests) do the same, except the one edit
 *   the checks cannot see without digests: names swapped between same-shaped weights of two
 *   different layers (counted and reported).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fastBuild } from '../../src/io/topology_weights.js';
import {
  ConvTranspose2d,
  ElasticBatchNorm,
  fileSystem,
  HaarDWT,
  InstanceNorm,
  ModelFileError,
  OnceForAllConv,
  ReflectionPad2d,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';
import { buildModel, capture, fingerprint, writeForeign, type Captured } from './models.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-props-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (): string => join(root, `case-${counter++}`);

type Step =
  | { kind: 'conv'; filters: number; kernel: 1 | 3; bias: boolean; activation: 'linear' | 'relu' | 'tanh' }
  | { kind: 'depthwise'; kernel: 1 | 3 }
  | { kind: 'dense'; units: number }
  | { kind: 'batchNorm' }
  | { kind: 'instanceNorm'; affine: boolean }
  | { kind: 'reflectionPad'; pad: 1 | 2 }
  | { kind: 'convTranspose'; filters: number }
  | { kind: 'onceForAll'; filters: number; kernel: 3 | 5 }
  | { kind: 'elasticBatchNorm' }
  | { kind: 'haarDwt' };

const width = fc.integer({ min: 1, max: 5 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('conv' as const),
    filters: width,
    kernel: fc.constantFrom(1 as const, 3 as const),
    bias: fc.boolean(),
    activation: fc.constantFrom('linear' as const, 'relu' as const, 'tanh' as const),
  }),
  fc.record({ kind: fc.constant('depthwise' as const), kernel: fc.constantFrom(1 as const, 3 as const) }),
  fc.record({ kind: fc.constant('dense' as const), units: width }),
  fc.record({ kind: fc.constant('batchNorm' as const) }),
  fc.record({ kind: fc.constant('instanceNorm' as const), affine: fc.boolean() }),
  fc.record({ kind: fc.constant('reflectionPad' as const), pad: fc.constantFrom(1 as const, 2 as const) }),
  fc.record({ kind: fc.constant('convTranspose' as const), filters: width }),
  fc.record({
    kind: fc.constant('onceForAll' as const),
    filters: width,
    kernel: fc.constantFrom(3 as const, 5 as const),
  }),
  fc.record({ kind: fc.constant('elasticBatchNorm' as const) }),
  fc.record({ kind: fc.constant('haarDwt' as const) }),
);
const planArb = fc.record({
  channels: fc.integer({ min: 1, max: 3 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 5 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});
type Plan = { channels: number; steps: Step[]; seed: number };

/** Builds the plan's model (input 8×8×channels) with every weight seeded; returns it and its input shape. */
function buildPlan(plan: Plan): { model: tfl.LayersModel; inputShape: number[] } {
  const inputShape = [8, 8, plan.channels];
  const input = tfl.input({ shape: inputShape });
  let x = input;
  let size = 8;
  plan.steps.forEach((s, i) => {
    const name = `${s.kind}_${i}`;
    let layer: tfl.layers.Layer | null;
    switch (s.kind) {
      case 'conv':
        layer = tfl.layers.conv2d({
          name,
          filters: s.filters,
          kernelSize: s.kernel,
          padding: 'same',
          useBias: s.bias,
          activation: s.activation,
        });
        break;
      case 'depthwise':
        layer = tfl.layers.depthwiseConv2d({ name, kernelSize: s.kernel, padding: 'same' });
        break;
      case 'dense':
        layer = tfl.layers.dense({ name, units: s.units });
        break;
      case 'batchNorm':
        layer = tfl.layers.batchNormalization({ name });
        break;
      case 'instanceNorm':
        layer = new InstanceNorm({ name, affine: s.affine });
        break;
      case 'reflectionPad':
        // Keeps the images small: at most 8 + 2·2 per side in total.
        layer = size + 2 * s.pad <= 12 ? new ReflectionPad2d({ name, padding: s.pad }) : null;
        if (layer != null) size += 2 * s.pad;
        break;
      case 'convTranspose':
        layer = new ConvTranspose2d({ name, filters: s.filters, kernelSize: 3, strides: 1, padding: 1 });
        break;
      case 'onceForAll':
        layer = new OnceForAllConv({
          name,
          filters: s.filters,
          kernelSize: s.kernel,
          kernelSizeChoices: s.kernel === 5 ? [3, 5] : [3],
          padding: 'same',
        });
        break;
      case 'elasticBatchNorm':
        layer = new ElasticBatchNorm({ name });
        break;
      case 'haarDwt':
        layer = size % 2 === 0 && size >= 4 ? new HaarDWT({ name }) : null;
        if (layer != null) size /= 2;
        break;
    }
    if (layer != null) x = layer.apply(x) as tfl.SymbolicTensor;
  });
  const model = tfl.model({ inputs: input, outputs: x });
  const values = model.weights.map((w, i) =>
    tf.tidy(() => {
      const r = seededTensor(w.shape as number[], plan.seed + 7919 * i, 0.5);
      return w.originalName.endsWith('variance') ? tf.add(tf.abs(r), 0.5) : r;
    }),
  );
  model.setWeights(values);
  tf.dispose(values);
  return { model, inputShape };
}

/** Loads expecting the same model (fingerprint) or a ModelFileError; returns which, having checked for leaks. */
async function sameOrRefused(path: string, reference: Buffer): Promise<'same' | 'refused' | 'different'> {
  const tensors = tf.memory().numTensors;
  const variables = Object.keys(tf.engine().registeredVariables).length;
  let outcome: 'same' | 'refused' | 'different';
  try {
    const model = await tfl.loadLayersModel(fileSystem(path));
    outcome = fingerprint(model).equals(reference) ? 'same' : 'different';
    model.dispose();
  } catch (e) {
    if (!(e instanceof ModelFileError)) throw new Error(`not a ModelFileError: ${String(e)}`, { cause: e });
    outcome = 'refused';
  }
  expect(tf.memory().numTensors - tensors, 'tensors leaked').toBe(0);
  expect(Object.keys(tf.engine().registeredVariables).length - variables, 'variables leaked').toBe(0);
  return outcome;
}

describeBackends('fileSystem() properties', (backend) => {
  it('random small models save → load bit-exactly, and the load check builds exactly their weights', async () => {
    let weights = 0;
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        const { model, inputShape } = buildPlan(plan);
        plan.steps.forEach((s) => kinds.add(s.kind));
        const dir = fresh();
        await model.save(fileSystem(dir));
        const before = tf.memory().numTensors;
        const loaded = await tfl.loadLayersModel(fileSystem(dir));
        expect(fingerprint(loaded, inputShape).equals(fingerprint(model, inputShape))).toBe(true);
        expect(loaded.weights.map((w) => [w.originalName, w.shape, w.dtype])).toEqual(
          model.weights.map((w) => [w.originalName, w.shape, w.dtype]),
        );
        // The check's fast build (a copy of tfjs's deserialize step) sees what tfjs builds.
        const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { modelTopology: object };
        const skeleton = fastBuild(structuredClone(json.modelTopology));
        expect(skeleton.weights.map((w) => [w.originalName, w.shape, w.dtype])).toEqual(
          model.weights.map((w) => [w.originalName, w.shape, w.dtype]),
        );
        skeleton.dispose();
        loaded.dispose();
        expect(tf.memory().numTensors).toBe(before);
        weights += model.weights.length;
        model.dispose();
      }),
      { seed: 1207, numRuns: 25 },
    );
    expect([...kinds].sort(), 'every kind of layer drawn').toHaveLength(10);
    console.info(`properties [${backend}]: 25 random models, ${weights} weights round-tripped bit-exactly`);
  });

  corruptionProperties(backend);
});

type Corruption =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'digit'; at: number; value: number };

const corruptionArb: fc.Arbitrary<{ file: 'json' | 'weights'; op: Corruption }> = fc.record({
  file: fc.constantFrom('json' as const, 'weights' as const),
  op: fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    // A digit of model.json for another: the JSON stays valid, only the digest can tell.
    fc.record({ kind: fc.constant('digit' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 9 }) }),
  ),
});

function corrupt(bytes: Buffer, op: Corruption): Buffer {
  const n = Math.max(bytes.length, 1);
  const b = Buffer.from(bytes);
  switch (op.kind) {
    case 'flip':
      b[op.at % n] = ((b[op.at % n] ?? 0) ^ (1 << op.bit)) & 0xff;
      return b;
    case 'set':
      b[op.at % n] = op.value;
      return b;
    case 'truncate':
      return b.subarray(0, op.at % n);
    case 'insert':
      return Buffer.concat([b.subarray(0, op.at % n), Buffer.of(op.value), b.subarray(op.at % n)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, op.at % n), b.subarray((op.at % n) + op.length)]);
    case 'append':
      return Buffer.concat([b, op.bytes]);
    case 'digit': {
      const digits = [...b.keys()].filter((i) => (b[i] as number) >= 48 && (b[i] as number) <= 57);
      if (digits.length > 0) b[digits[op.at % digits.length] as number] = 48 + op.value;
      return b;
    }
  }
}

type Edit =
  | { kind: 'swapNames'; i: number; j: number }
  | { kind: 'reverseShape'; i: number }
  | { kind: 'dtype'; i: number; dtype: 'int32' | 'float64' | 'bool' }
  | { kind: 'drop'; i: number }
  | { kind: 'duplicate'; i: number }
  | { kind: 'rename'; i: number; name: string }
  | { kind: 'move'; i: number; j: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('swapNames' as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ kind: fc.constant('reverseShape' as const), i: fc.nat() }),
  fc.record({
    kind: fc.constant('dtype' as const),
    i: fc.nat(),
    dtype: fc.constantFrom('int32' as const, 'float64' as const, 'bool' as const),
  }),
  fc.record({ kind: fc.constant('drop' as const), i: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), i: fc.nat() }),
  fc.record({
    kind: fc.constant('rename' as const),
    i: fc.nat(),
    name: fc.constantFrom('conv/kernal', 'dense', 'x/y/z', 'bn/gamma_1'),
  }),
  // An entry moved elsewhere together with its bytes: fine for tfjs whenever each layer keeps its order.
  fc.record({ kind: fc.constant('move' as const), i: fc.nat(), j: fc.nat() }),
);

/** Applies a manifest edit to captured artifacts (bytes follow where the edit moves or drops them). */
function edited(saved: Captured, edit: Edit): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  const entries = saved.specs.map((s, k) => {
    const start = saved.specs.slice(0, k).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1) * 4, 0);
    const bytes = saved.data.subarray(start, start + s.shape.reduce((x, y) => x * y, 1) * 4);
    const spec: tf.io.WeightsManifestEntry = { ...s, shape: [...s.shape] };
    return { spec, bytes };
  });
  const n = entries.length;
  const at = (k: number) => entries[k % n] as (typeof entries)[0];
  switch (edit.kind) {
    case 'swapNames': {
      const [a, b] = [at(edit.i), at(edit.j)];
      [a.spec.name, b.spec.name] = [b.spec.name, a.spec.name];
      break;
    }
    case 'reverseShape':
      at(edit.i).spec.shape.reverse();
      break;
    case 'dtype':
      at(edit.i).spec.dtype = edit.dtype as 'int32';
      break;
    case 'drop':
      entries.splice(edit.i % n, 1);
      break;
    case 'duplicate':
      entries.push({ spec: { ...at(edit.i).spec }, bytes: at(edit.i).bytes });
      break;
    case 'rename':
      at(edit.i).spec.name = edit.name;
      break;
    case 'move': {
      const [moved] = entries.splice(edit.i % n, 1);
      entries.splice(edit.j % n, 0, moved as (typeof entries)[0]);
      break;
    }
  }
  return { specs: entries.map((e) => e.spec), data: new Uint8Array(Buffer.concat(entries.map((e) => e.bytes))) };
}

/** Whether `edit` swaps the names of two same-shaped, same-dtype weights of different layers. */
function crossLayerSameShapeSwap(saved: Captured, edit: Edit): boolean {
  if (edit.kind !== 'swapNames') return false;
  const n = saved.specs.length;
  const a = saved.specs[edit.i % n] as tf.io.WeightsManifestEntry;
  const b = saved.specs[edit.j % n] as tf.io.WeightsManifestEntry;
  return (
    a !== b &&
    a.dtype === b.dtype &&
    a.shape.join(',') === b.shape.join(',') &&
    a.name.split('/')[0] !== b.name.split('/')[0]
  );
}

function corruptionProperties(backend: string): void {
  let saved: Captured;
  let reference: Buffer;
  let original: { json: Buffer; weights: Buffer; weightsName: string };
  beforeAll(async () => {
    const model = buildModel(9);
    reference = fingerprint(model);
    saved = await capture(model);
    const dir = fresh();
    await model.save(fileSystem(dir));
    const weightsName = readdirSync(dir).find((f) => f.endsWith('.bin')) as string;
    original = {
      json: readFileSync(join(dir, 'model.json')),
      weights: readFileSync(join(dir, weightsName)),
      weightsName,
    };
    model.dispose();
  });

  it('random byte corruptions of a saved model load the same model or throw a ModelFileError, leaking nothing', async () => {
    const tally = { same: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(corruptionArb, async ({ file, op }) => {
        if (op.kind === 'digit' && file === 'weights') op = { kind: 'flip', at: op.at, bit: op.value % 8 };
        const dir = fresh();
        mkdirSync(dir);
        writeFileSync(join(dir, 'model.json'), file === 'json' ? corrupt(original.json, op) : original.json);
        const weights = file === 'weights' ? corrupt(original.weights, op) : original.weights;
        writeFileSync(join(dir, original.weightsName), weights);
        const outcome = await sameOrRefused(dir, reference);
        expect(outcome, `${file} ${JSON.stringify(op)}`).not.toBe('different');
        tally[outcome as 'same' | 'refused']++;
      }),
      { seed: 4711, numRuns: 150 },
    );
    console.info(
      `properties [${backend}]: 150 byte corruptions: ${tally.refused} refused, ${tally.same} loaded the same model, 0 another model`,
    );
    expect(tally.refused).toBeGreaterThan(100);
  });

  it('random manifest edits of a foreign file are refused or harmless, but for cross-layer same-shape name swaps', async () => {
    const tally = { same: 0, refused: 0, undetectable: 0 };
    await fc.assert(
      fc.asyncProperty(editArb, async (edit) => {
        const { specs, data } = edited(saved, edit);
        const outcome = await sameOrRefused(writeForeign(fresh(), saved.topology, specs, data), reference);
        if (outcome === 'different') {
          // The one edit the checks cannot tell from a real file without digests.
          expect(crossLayerSameShapeSwap(saved, edit), JSON.stringify(edit)).toBe(true);
          tally.undetectable++;
        } else tally[outcome]++;
      }),
      { seed: 2718, numRuns: 150 },
    );
    console.info(
      `properties [${backend}]: 150 manifest edits of a foreign file: ${tally.refused} refused, ${tally.same} harmless, ` +
        `${tally.undetectable} cross-layer same-shape name swaps loaded (no digests to catch them)`,
    );
  });
}
