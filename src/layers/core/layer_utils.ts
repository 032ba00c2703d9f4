import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';

/**
 * The single tensor a one-input layer receives (`call` may get a `Tensor` or a one-element
 * `Tensor[]`).
 */
export function singleInput(inputs: tf.Tensor | tf.Tensor[], layerName: string): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1)
      throw new ConfigError(`${layerName} inputs`, `${inputs.length} tensors`, 'exactly one input tensor');
    return inputs[0] as tf.Tensor;
  }
  return inputs;
}

/** The single shape a one-input layer receives in `build` / `computeOutputShape`. */
export function singleShape(inputShape: tfl.Shape | tfl.Shape[], layerName: string): tfl.Shape {
  if (Array.isArray(inputShape[0]) || (inputShape.length > 0 && inputShape.every((s) => Array.isArray(s)))) {
    const shapes = inputShape as tfl.Shape[];
    if (shapes.length !== 1) throw new ConfigError(`${layerName} input shapes`, shapes, 'exactly one input shape');
    return shapes[0] as tfl.Shape;
  }
  return inputShape as tfl.Shape;
}

/** Registers a Layer subclass for (de)serialization under its static `className`. */
export function registerLayer<T extends tf.serialization.SerializableConstructor<tf.serialization.Serializable>>(
  cls: T,
): T {
  tf.serialization.registerClass(cls);
  return cls;
}
