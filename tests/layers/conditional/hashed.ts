import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fromFixture, readFixture, type FixtureTensor } from '../../helpers/fixtures.js';
import { hashedValues, nameSalt } from '../../models/resnet_weights.js';

/** tests/fixtures/conditional_torch.json (written by tests/fixtures/scripts/conditional_torch.py). */
export interface ConditionalFixture {
  scale: number;
  resize: { size: [number, number]; y: FixtureTensor }[];
  resize_float32: FixtureTensor;
  spade: Record<'conv_instance' | 'mobile_bn' | 'elastic_sub' | 'odd_map', FixtureTensor>;
  sync_bn: { train: FixtureTensor; eval: FixtureTensor; runningMean: number[]; runningVar: number[] };
  blocks: Record<'learned_mobile' | 'plain_spade', FixtureTensor>;
  generators: {
    spade_more: FixtureTensor;
    mobile_normal: FixtureTensor;
    super_subnet: { config: string; y: FixtureTensor };
  };
  munit: {
    ops: Record<'layer_norm' | 'layer_norm_sub' | 'adain' | 'adain_sub', FixtureTensor>;
    teacher: FixtureTensor;
    super_subnet: { config: string; y: FixtureTensor };
  };
  /** Analytic counts (torchprofile 0.0.1's rules) of the published models, by the fixture script. */
  sizes: Record<string, { macs: number; params: number }>;
}

export const fixture = (): ConditionalFixture => readFixture<ConditionalFixture>('conditional_torch');

/** The fixture script's input `name` (NHWC), hashed in [−scale/2, scale/2). */
export function hashedInput(name: string, shape: number[], scale = 2): tf.Tensor {
  return tf.tensor(
    hashedValues(
      shape.reduce((a, b) => a * b, 1),
      nameSalt(name),
      scale,
    ),
    shape,
  );
}

/**
 * Fills weight k of `layer` (tfjs layout) with the fixture script's hash of `<layer name>/<k>`;
 * batch-norm variances get 0.5 + |value|.
 */
export function fillLayer(layer: tfl.layers.Layer, scale: number): void {
  if (layer.weights.length === 0) return;
  const values = layer.weights.map((w, k) => {
    const shape = w.shape as number[];
    const v = hashedValues(
      shape.reduce((a, b) => a * b, 1),
      nameSalt(`${layer.name}/${k}`),
      scale,
    );
    if (w.originalName.endsWith('moving_variance'))
      for (let i = 0; i < v.length; i++) v[i] = 0.5 + Math.abs(v[i] as number);
    return tf.tensor(v, shape);
  });
  layer.setWeights(values);
  tf.dispose(values);
}

/** {@link fillLayer} on every layer of a model. */
export function fillModel(model: tfl.LayersModel, scale: number): void {
  for (const layer of model.layers) fillLayer(layer, scale);
}

/** Every `step`-th pixel of each spatial axis (`y[:, ::step, ::step, :]`), as the fixture stores generator outputs. */
export function everyNth(y: tf.Tensor, step: number): tf.Tensor {
  const [n, h, w, c] = y.shape as [number, number, number, number];
  return tf.stridedSlice(y, [0, 0, 0, 0], [n, h, w, c], [1, step, step, 1]);
}

export { fromFixture };
