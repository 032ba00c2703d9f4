import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';
import type { LayerShape } from '../core/index.js';

/**
 * The two shapes a two-input layer receives (`[x, condition]`), or a `ConfigError` naming the
 * layer's inputs and what they should be.
 */
export function shapePair(
  layerName: string,
  inputShape: tfl.Shape | tfl.Shape[],
  expected: string,
): [LayerShape, LayerShape] {
  const shapes = Array.isArray(inputShape[0]) ? (inputShape as LayerShape[]) : [inputShape as LayerShape];
  if (shapes.length !== 2) throw new ConfigError(`${layerName} inputs`, `${shapes.length} input(s)`, expected);
  return [shapes[0] as LayerShape, shapes[1] as LayerShape];
}

/** The two tensors a two-input layer receives in `call`. */
export function tensorPair(
  layerName: string,
  inputs: tf.Tensor | tf.Tensor[],
  expected: string,
): [tf.Tensor, tf.Tensor] {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length !== 2) throw new ConfigError(`${layerName} inputs`, `${list.length} tensor(s)`, expected);
  return [list[0] as tf.Tensor, list[1] as tf.Tensor];
}
