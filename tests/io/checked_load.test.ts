/**
 * Loads refuse any disagreement between a model.json's weights manifest and its topology, and
 * files modified after saving, with a ModelFileError naming the file and the weight — and leave
 * tf.memory().numTensors as it was, also when the failure is one tfjs-layers itself would hit
 * while building the model. Files are written here without our saver ("foreign" files in the
 * tfjs-node layout), so each check is exercised on its own; every loaded model is compared bit
 * for bit with the one saved.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fileSystem, ModelFileError } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { buildModel, capture, fingerprint, tryLoad, writeForeign, type Captured } from './models.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-checked-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (): string => join(root, `case-${counter++}`);

type Spec = tf.io.WeightsManifestEntry;
/** The byte range of each weight in the captured weight data (all float32 here). */
function ranges(specs: readonly Spec[]): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  let at = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1) * 4;
    out.set(s.name, [at, at + n]);
    at += n;
  }
  return out;
}

/** Loads `jsonPath` expecting a ModelFileError; checks it names the file and leaked nothing. */
async function refused(jsonPath: string, ...mentions: (string | RegExp)[]): Promise<ModelFileError> {
  const before = tf.memory().numTensors;
  const variablesBefore = Object.keys(tf.engine().registeredVariables).length;
  const result = await tryLoad(jsonPath, fileSystem);
  if (!(result instanceof Error)) {
    result.dispose();
    throw new Error(`${jsonPath} loaded; expected a ModelFileError mentioning ${mentions.join(', ')}`);
  }
  expect(result, result.message).toBeInstanceOf(ModelFileError);
  expect(result.message).toContain(jsonPath);
  for (const m of mentions) {
    if (typeof m === 'string') expect(result.message).toContain(m);
    else expect(result.message).toMatch(m);
  }
  expect(tf.memory().numTensors - before, `tensors leaked by: ${result.message}`).toBe(0);
  expect(Object.keys(tf.engine().registeredVariables).length - variablesBefore, 'variables leaked').toBe(0);
  return result as ModelFileError;
}

describeBackends('loading checks the manifest against the topology', () => {
  let model: tfl.LayersModel;
  let saved: Captured;
  let reference: Buffer;
  beforeAll(async () => {
    model = buildModel(3);
    saved = await capture(model);
    reference = fingerprint(model);
  });
  afterAll(() => model.dispose());

  const specs = (): Spec[] => saved.specs.map((s) => ({ ...s, shape: [...s.shape] }));
  const rename = (list: Spec[], from: string, to: string): Spec[] =>
    list.map((s) => (s.name === from ? { ...s, name: to } : s));

  it('loads the unmodified foreign file bit-exactly (the baseline every case below departs from)', async () => {
    const path = writeForeign(fresh(), saved.topology, specs(), saved.data);
    const before = tf.memory().numTensors;
    const loaded = await tfl.loadLayersModel(fileSystem(path));
    expect(fingerprint(loaded).equals(reference)).toBe(true);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a model.json without weightsManifest when the topology has weights (tfjs would use random ones)', async () => {
    const path = writeForeign(fresh(), saved.topology, null, new Uint8Array(0));
    const e = await refused(path, 'has no weightsManifest', 'its topology has 8 weights', 'conv/kernel');
    expect(e.path).toBe(path);
    const empty = writeForeign(fresh(), saved.topology, [], new Uint8Array(0));
    await refused(empty, 'its weightsManifest lists no weights', 'random weights');
  });

  it('refuses a transposed Dense kernel whose byte count is right', async () => {
    const list = specs().map((s) => (s.name === 'dense/kernel' ? { ...s, shape: [5, 256] } : s));
    const path = writeForeign(fresh(), saved.topology, list, saved.data);
    await refused(path, "weight 'dense/kernel' has shape [5,256]", 'has shape [256,5]', 'transposed');
  });

  it('refuses a conv kernel reshaped to another layout of the same size', async () => {
    const list = specs().map((s) => (s.name === 'conv/kernel' ? { ...s, shape: [3, 3, 4, 3] } : s));
    await refused(writeForeign(fresh(), saved.topology, list, saved.data), "'conv/kernel'", '[3,3,3,4]');
  });

  it('refuses names swapped between two weights of one shape (gamma and beta)', async () => {
    const list = rename(rename(rename(specs(), 'bn/gamma', 'tmp'), 'bn/beta', 'bn/gamma'), 'tmp', 'bn/beta');
    await refused(writeForeign(fresh(), saved.topology, list, saved.data), "'bn/gamma' after 'bn/beta'", 'swapped');
  });

  /** The manifest and bytes with the entries in another order, each weight's bytes moving along. */
  const reordered = (order: string[]): [Spec[], Uint8Array] => {
    const r = ranges(saved.specs);
    const bySpec = new Map(specs().map((s) => [s.name, s]));
    const parts = order.map((n) => saved.data.subarray(...(r.get(n) as [number, number])));
    return [order.map((n) => bySpec.get(n) as Spec), new Uint8Array(Buffer.concat(parts))];
  };

  it("accepts the converter's order (layers sorted by name, each in its own order) bit-exactly", async () => {
    const layerOf = (n: string): string => n.split('/')[0] as string;
    const names = saved.specs.map((s) => s.name);
    const sorted = [...names].sort(
      (x, y) => layerOf(x).localeCompare(layerOf(y)) || names.indexOf(x) - names.indexOf(y),
    );
    expect(sorted.slice(0, 4)).toEqual(['bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance']);
    const [list, data] = reordered(sorted);
    const loaded = await tfl.loadLayersModel(fileSystem(writeForeign(fresh(), saved.topology, list, data)));
    expect(fingerprint(loaded).equals(reference)).toBe(true);
    loaded.dispose();
  });

  it("refuses a layer's weights out of the layer's order, even with their bytes moved along", async () => {
    const names = saved.specs.map((s) => s.name);
    const [list, data] = reordered(['conv/bias', 'conv/kernel', ...names.slice(2)]);
    await refused(writeForeign(fresh(), saved.topology, list, data), "'conv/kernel' after 'conv/bias'");
  });

  it('refuses names swapped between weights of different shapes', async () => {
    const list = rename(rename(rename(specs(), 'conv/bias', 'tmp'), 'dense/bias', 'conv/bias'), 'tmp', 'dense/bias');
    await refused(writeForeign(fresh(), saved.topology, list, saved.data), "'dense/bias' has shape [4]", '[5]');
  });

  it('refuses int32 and float64 dtypes, naming the weight', async () => {
    const int32 = specs().map((s) => (s.name === 'bn/moving_mean' ? { ...s, dtype: 'int32' as const } : s));
    await refused(writeForeign(fresh(), saved.topology, int32, saved.data), "'bn/moving_mean' has dtype 'int32'");
    // float64, stored as 8 bytes per value: the right byte count for that dtype.
    const r = ranges(saved.specs).get('dense/bias') as [number, number];
    const f64 = new Uint8Array(saved.data.length + (r[1] - r[0]));
    f64.set(saved.data.subarray(0, r[0]));
    f64.set(new Uint8Array(Float64Array.from(new Float32Array(saved.data.slice(r[0], r[1]).buffer)).buffer), r[0]);
    f64.set(saved.data.subarray(r[1]), r[0] + 2 * (r[1] - r[0]));
    const list = specs().map((s) => (s.name === 'dense/bias' ? { ...s, dtype: 'float64' as 'float32' } : s));
    await refused(writeForeign(fresh(), saved.topology, list, f64), "'dense/bias'", "'float64'", 'float32');
  });

  it('refuses a missing entry and an extra one, naming them', async () => {
    const r = ranges(saved.specs).get('bn/moving_variance') as [number, number];
    const missing = specs().filter((s) => s.name !== 'bn/moving_variance');
    const trimmed = new Uint8Array([...saved.data.subarray(0, r[0]), ...saved.data.subarray(r[1])]);
    await refused(writeForeign(fresh(), saved.topology, missing, trimmed), 'no entry for 1 of', 'bn/moving_variance');

    const extra = [...specs(), { name: 'extra/kernel', shape: [2], dtype: 'float32' as const }];
    const longer = new Uint8Array([...saved.data, 0, 0, 128, 63, 0, 0, 0, 64]);
    await refused(
      writeForeign(fresh(), saved.topology, extra, longer),
      "'extra/kernel'",
      'not a weight of its topology',
    );

    const typo = rename(specs(), 'conv/kernel', 'conv/kernal');
    await refused(writeForeign(fresh(), saved.topology, typo, saved.data), "'conv/kernal'", 'conv/kernel');
  });

  it('refuses a weight listed twice', async () => {
    const r = ranges(saved.specs).get('conv/bias') as [number, number];
    const twice = [...specs(), { name: 'conv/bias', shape: [4], dtype: 'float32' as const }];
    const data = new Uint8Array([...saved.data, ...saved.data.subarray(r[0], r[1])]);
    await refused(writeForeign(fresh(), saved.topology, twice, data), "'conv/bias' is listed twice");
  });

  it('refuses byte counts that disagree with the manifest (truncated, too long)', async () => {
    await refused(writeForeign(fresh(), saved.topology, specs(), saved.data.subarray(0, 100)), 'truncated: holds 100');
    const longer = new Uint8Array([...saved.data, 1, 2, 3, 4]);
    await refused(writeForeign(fresh(), saved.topology, specs(), longer), 'more than the');
  });

  it('refuses malformed manifest entries (negative, fractional or missing shape; no name; no dtype)', async () => {
    const bad: [Partial<Spec>, string][] = [
      [{ shape: [-256, -5] }, 'has shape [-256,-5]'],
      [{ shape: [2.5, 512] }, 'has shape [2.5,512]'],
      [{ shape: undefined }, 'has shape undefined'],
      [{ name: '' }, 'has no name'],
      [{ dtype: undefined }, 'has dtype undefined'],
    ];
    for (const [change, message] of bad) {
      const list = specs().map<Spec>((s) => (s.name === 'dense/kernel' ? { ...s, ...change } : s));
      await refused(writeForeign(fresh(), saved.topology, list, saved.data), message);
    }
  });

  it('refuses topologies tfjs-layers fails to build, without the leak tfjs itself would have', async () => {
    type Layers = { name: string; class_name: string; config: Record<string, unknown>; inbound_nodes: unknown[][][] }[];
    const edits: [string, (t: { config: { layers: Layers; output_layers: unknown[][] } }) => void, string][] = [
      ['an output naming no layer', (t) => void ((t.config.output_layers[0] as unknown[])[0] = 'nope'), "'nope'"],
      [
        'an input shape of the wrong rank',
        (t) => void ((t.config.layers[0] as Layers[0]).config['batch_input_shape'] = [null, 8, 8]),
        'cannot build',
      ],
      ['an unknown layer class', (t) => void ((t.config.layers[4] as Layers[0]).class_name = 'Nope'), 'Unknown layer'],
      // tfjs-layers loops forever on these two (it re-queues the call on every pass).
      [
        'a call reading a layer that does not exist',
        (t) => void (((t.config.layers[4] as Layers[0]).inbound_nodes[0] as unknown[][])[0] = ['nope', 0, 0, {}]),
        "reads layer 'nope'",
      ],
      [
        'a cycle',
        (t) => void (((t.config.layers[1] as Layers[0]).inbound_nodes[0] as unknown[][])[0] = ['dense', 0, 0, {}]),
        'never created',
      ],
    ];
    for (const [what, edit, message] of edits) {
      const topology = structuredClone(saved.topology) as Parameters<(typeof edits)[0][1]>[0];
      edit(topology);
      const e = await refused(writeForeign(fresh(), topology, specs(), saved.data), message);
      expect(e.message, what).toContain('modelTopology');
    }
  });
});

describeBackends('loading checks the digests fileSystem() records', () => {
  it('refuses a model.json or weights file changed after saving, and loads the untouched one bit-exactly', async () => {
    const model = buildModel(4);
    const reference = fingerprint(model);
    const dir = fresh();
    await model.save(fileSystem(dir));
    model.dispose();
    const jsonPath = join(dir, 'model.json');
    const weightsFile = readdirSync(dir).find((f) => f.endsWith('.bin')) as string;
    const original = { json: readFileSync(jsonPath, 'utf8'), weights: readFileSync(join(dir, weightsFile)) };

    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    expect(fingerprint(loaded).equals(reference)).toBe(true);
    loaded.dispose();

    // One float of the weights: a different model of the same shape, which only a digest can tell.
    const flipped = Buffer.from(original.weights);
    flipped[40] = (flipped[40] as number) ^ 0x01;
    writeFileSync(join(dir, weightsFile), flipped);
    await refused(jsonPath, weightsFile, 'does not match the SHA-256 digest');
    writeFileSync(join(dir, weightsFile), original.weights);

    // A hyper-parameter of the topology: the batch norm's epsilon.
    const json = JSON.parse(original.json) as { modelTopology: { config: { layers: { config: object }[] } } };
    Object.assign(json.modelTopology.config.layers[2]?.config ?? {}, { epsilon: 0.5 });
    writeFileSync(jsonPath, JSON.stringify(json));
    await refused(jsonPath, 'does not match the SHA-256 digest recorded when it was saved');
  });
});
