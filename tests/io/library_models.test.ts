/**
 * The load check builds each topology once before tfjs does, and frees what it built (tensors made
 * in the layers' build() included). Whole library models — the elastic ResNet generator, the
 * MobileStyleGAN synthesis network with its modulated convs, noise and IDWT upsamplers, and the
 * same network with demodulation fused — must still save → load with the same weights and outputs,
 * bit for bit, with no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  fileSystem,
  fuseDemodulation,
  MobileSynthesisNetwork,
  setNoise,
  SuperMobileResnetGenerator,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';

const root = mkdtempSync(join(tmpdir(), 'gancompress-library-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** Weight bytes, then output bytes for seeded inputs of the model's input shapes (batch 1; free sizes 16). */
function fingerprint(model: tfl.LayersModel): Buffer {
  const parts = model.getWeights().map((w) => Buffer.from(w.dataSync().buffer.slice(0)));
  const inputs = model.inputs.map((input, i) => seededTensor([1, ...input.shape.slice(1).map((d) => d ?? 16)], 77 + i));
  const predicted = model.predict(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs);
  const outputs = Array.isArray(predicted) ? predicted : [predicted];
  for (const y of outputs) parts.push(Buffer.from(y.dataSync().buffer.slice(0)));
  tf.dispose([...inputs, ...outputs]);
  return Buffer.concat(parts);
}

/** Seeded values for every weight (variances kept positive). */
function randomize(model: tfl.LayersModel, seed: number): void {
  const values = model.weights.map((w, i) =>
    tf.tidy(() => {
      const r = seededTensor(w.shape as number[], seed + 13 * i, 0.3);
      return w.originalName.endsWith('variance') ? tf.add(tf.abs(r), 0.5) : r;
    }),
  );
  model.setWeights(values);
  tf.dispose(values);
}

describeBackends('library models round-trip through the checked load', () => {
  const cases: [string, () => tfl.LayersModel][] = [
    ['SuperMobileResnetGenerator', () => SuperMobileResnetGenerator({ ngf: 4, nBlocks: 2 })],
    [
      'MobileSynthesisNetwork',
      () => {
        const g = MobileSynthesisNetwork({ channels: [8, 8, 4], styleDim: 8 });
        setNoise(g, { seed: 3 });
        return g;
      },
    ],
    [
      'MobileSynthesisNetwork, demodulation fused',
      () => {
        const g = MobileSynthesisNetwork({ channels: [8, 8, 4], styleDim: 8 });
        setNoise(g, { seed: 3 });
        const fused = fuseDemodulation(g);
        g.dispose();
        return fused;
      },
    ],
  ];
  for (const [name, build] of cases) {
    it(`${name}: same weights and outputs, bit for bit, nothing leaked`, async () => {
      const model = build();
      randomize(model, 5);
      const dir = join(root, `m${counter++}`);
      await model.save(fileSystem(dir));
      const before = tf.memory().numTensors;
      const loaded = await tfl.loadLayersModel(fileSystem(dir));
      expect(loaded.weights.length).toBe(model.weights.length);
      expect(fingerprint(loaded).equals(fingerprint(model))).toBe(true);
      loaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }
});
