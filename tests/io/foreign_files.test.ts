/**
 * The load checks accept real files other tools wrote: the Python converter's ESRGAN models of
 * @upscalerjs (layers sorted by name, weights sharded over several files, no digests). Each loads
 * bit-exactly: every weight equals the bytes read straight from the shards here, by the manifest.
 * esrgan-thick needs the package's custom layers; before they are registered it is refused with
 * tfjs's own words, leaking nothing.
 */
import * as tfUnion from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { fileSystem, initBackend, ModelFileError } from '../../src/index.js';

const require = createRequire(import.meta.url);

const MODELS = ['esrgan-slim', 'esrgan-medium', 'esrgan-thick'].map((pkg) =>
  fileURLToPath(new URL(`../../node_modules/@upscalerjs/${pkg}/models/x2/model.json`, import.meta.url)),
);

interface ConverterJson {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

/** name → float32 bytes, read from the shards without tfjs. */
function weightsFromShards(jsonPath: string): Map<string, Buffer> {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ConverterJson;
  const dir = jsonPath.slice(0, jsonPath.lastIndexOf('/') + 1);
  const out = new Map<string, Buffer>();
  for (const group of json.weightsManifest) {
    const data = Buffer.concat(group.paths.map((p) => readFileSync(dir + p)));
    let at = 0;
    for (const w of group.weights) {
      expect(w.dtype).toBe('float32');
      const n = w.shape.reduce((a, b) => a * b, 1) * 4;
      out.set(w.name, data.subarray(at, at + n));
      at += n;
    }
    expect(at).toBe(data.length);
  }
  return out;
}

describe("the Python converter's files (@upscalerjs ESRGAN, x2)", () => {
  beforeAll(() => initBackend('cpu'));
  it('esrgan-thick is refused until its custom layers are registered, leaking nothing', async () => {
    const thick = MODELS[2] as string;
    const before = tf.memory().numTensors;
    const variables = Object.keys(tf.engine().registeredVariables).length;
    const error = await tfl.loadLayersModel(fileSystem(thick)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toContain(
      `${thick}: tfjs-layers cannot build its modelTopology: Unknown layer: MultiplyBeta`,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(tf.engine().registeredVariables)).toHaveLength(variables);
    // The package registers MultiplyBeta and PixelShuffle through its model definition's setup(tf).
    const shared = require(
      thick.replace(/models\/x2\/model\.json$/, 'dist/cjs/packages/shared/src/esrgan/esrgan.js'),
    ) as {
      getESRGANModelDefinition(args: object): { setup(tf: unknown): void };
    };
    shared
      .getESRGANModelDefinition({
        scale: 2,
        name: '@upscalerjs/esrgan-thick',
        version: '1.0.0',
        meta: { architecture: 'rrdn' },
      })
      .setup(tfUnion);
  });

  for (const jsonPath of MODELS) {
    it(`${jsonPath.split('@upscalerjs/')[1]} loads bit-exactly`, async () => {
      const expected = weightsFromShards(jsonPath);
      const before = tf.memory().numTensors;
      const model = await tfl.loadLayersModel(fileSystem(jsonPath));
      expect(model.weights).toHaveLength(expected.size);
      for (const w of model.weights) {
        const bytes = Buffer.from(w.read().dataSync().buffer.slice(0));
        expect(bytes.equals(expected.get(w.originalName) as Buffer), w.originalName).toBe(true);
      }
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
