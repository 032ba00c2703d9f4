import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { fileSystem, ModelFileError } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-fs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function buildModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 5, name: 'dense' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  // Non-trivial BN statistics, so a round trip that dropped non-trainable weights would show.
  const bn = model.getLayer('bn');
  bn.setWeights(
    bn.getWeights().map((w, i) => tf.tidy(() => tf.add(seededTensor(w.shape, 10 + i, 0.5), i === 3 ? 1 : 0))),
  );
  return model;
}

/** The one weights file a save left in `dir`. */
const weightsFileOf = (dir: string): string => readdirSync(dir).find((f) => f.endsWith('.bin')) as string;

let counter = 0;
const freshDir = (): string => join(root, `case-${counter++}`, 'nested', 'model');

describeBackends('fileSystem()', () => {
  it('round-trips Conv2D + BatchNormalization + Dense bit-exactly, creating directories', async () => {
    const model = buildModel();
    const dir = freshDir();
    const result = await model.save(fileSystem(dir));
    expect(result.modelArtifactsInfo.weightDataBytes).toBeGreaterThan(0);

    // The tfjs-node file:// layout: model.json with one manifest group pointing at one weights
    // file, here named by the SHA-256 of its bytes (recorded in full beside the manifest).
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
      gancompressIntegrity: { files: Record<string, string> };
    };
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['modelTopology', 'weightsManifest', 'format', 'generatedBy']),
    );
    expect(json.weightsManifest).toHaveLength(1);
    const weightsFile = weightsFileOf(dir);
    expect(json.weightsManifest[0]?.paths).toEqual([weightsFile]);
    const bytes = readFileSync(join(dir, weightsFile));
    const digest = createHash('sha256').update(bytes).digest('hex');
    expect(weightsFile).toBe(`weights.${digest.slice(0, 16)}.bin`);
    expect(json.gancompressIntegrity.files).toEqual({ [weightsFile]: digest });
    expect(statSync(join(dir, weightsFile)).size).toBe(result.modelArtifactsInfo.weightDataBytes);
    expect(readdirSync(dir).sort()).toEqual(['model.json', weightsFile]);

    const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
    const a = model.getWeights();
    const b = loaded.getWeights();
    expect(b.map((w) => w.shape)).toEqual(a.map((w) => w.shape));
    for (let i = 0; i < a.length; i++) {
      // Bit-exact: compare the raw float32 bytes.
      expect(Buffer.from((b[i] as tf.Tensor).dataSync().buffer)).toEqual(
        Buffer.from((a[i] as tf.Tensor).dataSync().buffer),
      );
    }
    const x = seededTensor([2, 8, 8, 3], 7);
    const ya = model.predict(x) as tf.Tensor;
    const yb = loaded.predict(x) as tf.Tensor;
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
    tf.dispose([x, ya, yb]);
    model.dispose();
    loaded.dispose();
  });

  it('also loads from the directory itself', async () => {
    const model = buildModel();
    const dir = freshDir();
    await model.save(fileSystem(dir));
    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    model.dispose();
    loaded.dispose();
  });

  it('reports a missing model.json, naming the file', async () => {
    const missing = join(root, 'does-not-exist', 'model.json');
    const error = await tfl.loadLayersModel(fileSystem(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).path).toBe(missing);
    expect((error as Error).message).toContain('no such file');
  });

  it('reports a missing weights file, naming it', async () => {
    const model = buildModel();
    const dir = freshDir();
    await model.save(fileSystem(dir));
    const weightsFile = join(dir, weightsFileOf(dir));
    rmSync(weightsFile);
    const error = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toContain(weightsFile);
    expect((error as Error).message).toContain('no such file');
    model.dispose();
  });

  it('reports a truncated weights file with its size and the size expected', async () => {
    const model = buildModel();
    const dir = freshDir();
    const saved = await model.save(fileSystem(dir));
    const full = saved.modelArtifactsInfo.weightDataBytes as number;
    const weightsFile = join(dir, weightsFileOf(dir));
    truncateSync(weightsFile, full - 10);
    const error = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toContain(weightsFile);
    expect((error as Error).message).toContain(`truncated: holds ${full - 10} bytes`);
    expect((error as Error).message).toContain(`needs ${full}`);
    model.dispose();
  });

  it('reports malformed JSON, naming the file', async () => {
    const model = buildModel();
    const dir = freshDir();
    await model.save(fileSystem(dir));
    const jsonPath = join(dir, 'model.json');
    writeFileSync(jsonPath, readFileSync(jsonPath, 'utf8').slice(0, 50));
    const error = await tfl.loadLayersModel(fileSystem(jsonPath)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toMatch(new RegExp(`^${jsonPath.replace(/[/.]/g, '\\$&')}: malformed JSON`));

    writeFileSync(jsonPath, JSON.stringify({ weightsManifest: [] }));
    const noTopology = await tfl.loadLayersModel(fileSystem(jsonPath)).catch((e: unknown) => e);
    expect((noTopology as Error).message).toContain('modelTopology field is missing');
    model.dispose();
  });

  it('refuses to save over a file', async () => {
    const model = buildModel();
    const file = join(root, `plain-file-${counter++}`);
    writeFileSync(file, 'x');
    const error = await model.save(fileSystem(file)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toContain('is not a directory');
    expect(existsSync(join(file, 'model.json'))).toBe(false);
    model.dispose();
  });

  it('rejects an empty path', () => {
    expect(() => fileSystem('')).toThrow(/path: got '', expected a non-empty file system path/);
  });
});
