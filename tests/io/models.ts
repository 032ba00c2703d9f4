/**
 * Models and file helpers shared by the io tests: a small Conv2D + BatchNormalization + Dense
 * model with seeded weights, a fingerprint that compares two models bit for bit, and a writer
 * of "foreign" model directories (the tfjs-node layout, written here without our saver).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededTensor } from '../helpers/tensors.js';

/** Input shape of {@link buildModel} (without the batch axis). */
export const INPUT_SHAPE = [8, 8, 3] as const;

/**
 * Conv2D(4, 3×3) → BatchNormalization → Flatten → Dense(5), every weight seeded from `seed`.
 * The four BN vectors all have shape [4], so a manifest that swaps their names keeps every
 * shape and byte count right; the Dense kernel [256, 5] transposed to [5, 256] does too.
 */
export function buildModel(seed = 10): tfl.LayersModel {
  const input = tfl.input({ shape: [...INPUT_SHAPE] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten({ name: 'flat' }).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 5, name: 'dense' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  const values = model.weights.map((w, i) =>
    tf.tidy(() => {
      const r = seededTensor(w.shape as number[], seed * 101 + i, 0.5);
      // Variances must stay positive; every value differs from the initializers' zeros and ones.
      return w.originalName.endsWith('moving_variance') ? tf.add(tf.abs(r), 0.5) : r;
    }),
  );
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

/**
 * The bytes of every weight (in model order) followed by the bytes of the model's output on a
 * fixed seeded batch: equal fingerprints mean the same weights and the same function, bit for bit.
 */
export function fingerprint(model: tfl.LayersModel, inputShape: readonly number[] = INPUT_SHAPE): Buffer {
  const parts = model.getWeights().map((w) => Buffer.from(w.dataSync().buffer.slice(0)));
  const x = seededTensor([2, ...inputShape], 4242);
  const y = model.predict(x) as tf.Tensor;
  parts.push(Buffer.from(y.dataSync().buffer.slice(0)));
  tf.dispose([x, y]);
  return Buffer.concat(parts);
}

/** What `model.save` hands an IO handler, captured without touching the disk. */
export interface Captured {
  topology: object;
  specs: tf.io.WeightsManifestEntry[];
  data: Uint8Array;
}

/** Captures a model's save artifacts through a handler of our own (no fileSystem() involved). */
export async function capture(model: tfl.LayersModel): Promise<Captured> {
  let captured: Captured | null = null;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      captured = {
        topology: artifacts.modelTopology as object,
        specs: artifacts.weightSpecs ?? [],
        data: new Uint8Array(data.slice(0)),
      };
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  if (captured == null) throw new Error('save handler was not called');
  return captured;
}

/**
 * Writes `model.json` + `weights.bin` the way tfjs-node's file:// handler does (one manifest
 * group), with whatever manifest and bytes the test hands it; returns the model.json path.
 * `manifest: null` leaves the weightsManifest field out.
 */
export function writeForeign(
  dir: string,
  topology: object,
  manifest: tf.io.WeightsManifestEntry[] | null,
  data: Uint8Array,
): string {
  mkdirSync(dir, { recursive: true });
  const json: Record<string, unknown> = { modelTopology: topology, format: 'layers-model', generatedBy: 'test' };
  if (manifest != null) json['weightsManifest'] = [{ paths: ['weights.bin'], weights: manifest }];
  writeFileSync(join(dir, 'weights.bin'), data);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return join(dir, 'model.json');
}

/** Outcome of a load: the error it threw, or the model (disposed by the caller). */
export async function tryLoad(path: string, handler: (p: string) => tf.io.IOHandler): Promise<tfl.LayersModel | Error> {
  try {
    return await tfl.loadLayersModel(handler(path));
  } catch (e) {
    return e as Error;
  }
}
