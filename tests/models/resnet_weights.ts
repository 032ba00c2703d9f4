import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** 32-bit string hash (h·31 + code), as tests/fixtures/scripts/resnet_generators_torch.py. */
export function nameSalt(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h;
}

/** Deterministic values in [−scale/2, scale/2) from an integer hash of the flat index and salt (same as the fixture script). */
export function hashedValues(size: number, salt: number, scale: number): Float32Array {
  const out = new Float32Array(size);
  const b = Math.imul(salt, 0x85ebca77);
  for (let i = 0; i < size; i++) out[i] = (((Math.imul(i + 1, 0x9e3779b1) ^ b) >>> 0) / 2 ** 32 - 0.5) * scale;
  return out;
}

/** Fills weight k of every layer with hashedValues(…, nameSalt(`${layer.name}/${k}`), 0.4), in tfjs layouts. */
export function fillHashedWeights(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w, k) => {
      const shape = w.shape as number[];
      return tf.tensor(
        hashedValues(
          shape.reduce((a, b) => a * b, 1),
          nameSalt(`${layer.name}/${k}`),
          0.4,
        ),
        shape,
      );
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}
