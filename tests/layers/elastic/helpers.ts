import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { seededTensor } from '../../helpers/tensors.js';
import { arr, type Arr } from './reference.js';

/**
 * Fills every weight of a built layer with seeded values in [-scale, scale); weights whose name
 * ends in one of `positive` get 0.5 + |value| (variances), kernel-transform matrices (`7to5`,
 * ...) get identity + values, so the transforms are not the identity.
 */
export function randomizeWeights(layer: tfl.layers.Layer, seed: number, scale = 0.5, positive = ['moving_variance']): void {
  const values = layer.weights.map((w, i) =>
    tf.tidy(() => {
      const r = seededTensor(w.shape as number[], seed + 17 * i, scale);
      if (positive.some((p) => w.originalName.endsWith(p))) return tf.add(tf.abs(r), 0.5);
      if (/\/\d+to\d+$/.test(w.originalName)) return tf.add(tf.eye(w.shape[0] as number), tf.mul(r, 0.3));
      return r;
    }),
  );
  layer.setWeights(values);
  tf.dispose(values);
}

/** The layer's weights as float64 arrays, by their short name (`kernel`, `bias`, `7to5`, ...). */
export function weightsByName(layer: tfl.layers.Layer): Record<string, Arr> {
  const out: Record<string, Arr> = {};
  for (const w of layer.weights) out[w.originalName.split('/').pop() as string] = arr(w.read());
  return out;
}
