import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fromFixture, type FixtureTensor } from './fixtures.js';
import { seededTensor } from './tensors.js';

/** The short name of a weight, as given to `addWeight` (`kernel`, `affineKernel`, `moving_variance`, ...). */
export const shortName = (v: tfl.LayerVariable): string => v.originalName.split('/').pop() as string;

/**
 * Fills every weight of a built layer with seeded values in [-scale, scale); weights whose name
 * ends in one of `positive` get 0.5 + |value| (variances), kernel-transform matrices (`7to5`,
 * ...) get identity + values, so the transforms are not the identity.
 */
export function randomizeWeights(
  layer: tfl.layers.Layer,
  seed: number,
  scale = 0.5,
  positive = ['moving_variance'],
): void {
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

/**
 * Fills every weight of a modulated layer (or a model's layer made of them) with seeded values:
 * kernels in [-1, 1), affine biases and styleInv near 1 (so no style channel is close to 0),
 * noise strengths 0.5, biases in [-0.2, 0.2).
 */
export function randomizeModulated(layer: tfl.layers.Layer, seed: number): void {
  const values: Record<string, tf.Tensor> = {};
  layer.weights.forEach((v, i) => {
    const name = shortName(v);
    const r = seededTensor(v.shape as number[], seed + 31 * i);
    values[name] =
      name === 'affineBias' || name === 'styleInv'
        ? tf.add(tf.mul(r, 0.3), 1)
        : name === 'noiseStrength'
          ? tf.fill(v.shape as number[], 0.5)
          : name === 'bias'
            ? tf.mul(r, 0.2)
            : r;
    if (values[name] !== r) r.dispose();
  });
  setByName(layer, values);
  tf.dispose(Object.values(values));
}

/** Sets a built layer's weights by short name; names left out keep their value. */
export function setByName(layer: tfl.layers.Layer, values: Record<string, tf.Tensor | FixtureTensor | number[]>): void {
  const tensors = layer.weights.map((v) => {
    const value = values[shortName(v)];
    if (value === undefined) return tf.clone(v.read());
    if (value instanceof tf.Tensor) return tf.reshape(value, v.shape as number[]);
    if (Array.isArray(value)) return tf.tensor(value, v.shape as number[]);
    return tf.reshape(fromFixture(value), v.shape as number[]);
  });
  layer.setWeights(tensors);
  tf.dispose(tensors);
}

/** Frees the weights of a layer used outside a model (Layer.dispose refuses layers never applied symbolically). */
export function disposeWeights(layer: tfl.layers.Layer): void {
  for (const w of layer.weights) w.dispose();
}
