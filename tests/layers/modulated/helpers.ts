import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { seededTensor } from '../../helpers/tensors.js';
import { fromFixture, type FixtureTensor } from '../common/fixtures.js';

/** The short name of a weight (`affineKernel`, `pointwise`, `noise`, ...). */
export const shortName = (v: tfl.LayerVariable): string => v.originalName.split('/').pop() as string;

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

/**
 * Fills every weight of a layer with seeded values: kernels in [-1, 1), affine biases and
 * styleInv near 1 (so no style channel is close to 0), noise strengths 0.5.
 */
export function randomizeModulated(layer: tfl.layers.Layer, seed: number): void {
  const values: Record<string, tf.Tensor> = {};
  layer.weights.forEach((v, i) => {
    const name = shortName(v);
    const r = seededTensor(v.shape as number[], seed + 31 * i);
    values[name] = name === 'affineBias' || name === 'styleInv' ? tf.add(tf.mul(r, 0.3), 1) : name === 'noiseStrength' ? tf.fill(v.shape as number[], 0.5) : name === 'bias' ? tf.mul(r, 0.2) : r;
    if (values[name] !== r) r.dispose();
  });
  setByName(layer, values);
  tf.dispose(Object.values(values));
}
