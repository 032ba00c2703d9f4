import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../../util/index.js';
import type { LayerShape } from '../../layers/core/index.js';

/** Throws unless `model` is a tfjs LayersModel (functional or sequential). */
export function assertLayersModel(model: unknown): asserts model is tfl.LayersModel {
  if (!(model instanceof tfl.LayersModel))
    throw new ConfigError('model', model, 'a tf.LayersModel (tf.model(...) or tf.sequential(...))');
  if (model.inputs.length === 0)
    throw new ConfigError(
      'model',
      model.name,
      'a model with at least one input (a tf.sequential needs its first layer to have an inputShape)',
    );
}

/**
 * The concrete input shapes to count at: one per model input, batch first, every size a
 * positive integer, matching every size the model declares, one batch size for all.
 */
export function resolveInputShapes(model: tfl.LayersModel, inputShape: unknown): LayerShape[] {
  const n = model.inputs.length;
  const multi = Array.isArray(inputShape) && inputShape.length > 0 && inputShape.every((s) => Array.isArray(s));
  const shapes = multi ? (inputShape as unknown[]) : [inputShape];
  if (shapes.length !== n) {
    throw new ConfigError(
      'inputShape',
      inputShape,
      `${n} shape${n === 1 ? '' : 's'} (one per model input, batch first)`,
    );
  }
  const resolved = shapes.map((shape, i) => {
    const declared = (model.inputs[i] as tfl.SymbolicTensor).shape;
    const argument = n === 1 ? 'inputShape' : `inputShape[${i}]`;
    const expected = `batch-first positive integer sizes matching model input '${(model.inputs[i] as tfl.SymbolicTensor).name}' [${declared.map((d) => d ?? 'any').join(',')}]`;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) > 0)) {
      throw new ConfigError(argument, shape, expected);
    }
    if (shape.length !== declared.length || declared.some((d, j) => d != null && d !== shape[j])) {
      throw new ShapeError(argument, shape as number[], expected);
    }
    return [...(shape as number[])];
  });
  // A model runs all its inputs at one batch size (predict slices every input by the first one's
  // batch); with two sizes tfjs's merge layers give an unknown batch and the layers after them
  // could not be counted.
  const batch = resolved[0]?.[0];
  resolved.forEach((shape, i) => {
    if (shape[0] !== batch)
      throw new ShapeError(
        `inputShape[${i}]`,
        shape,
        `batch ${batch}, the batch of inputShape[0] (a model runs all its inputs at one batch size)`,
      );
  });
  return resolved;
}

/** The model's declared input shapes (unknown sizes stay `null`), for width-only walks. */
export function declaredInputShapes(model: tfl.LayersModel): LayerShape[] {
  return model.inputs.map((x) => [...x.shape]);
}

/** Throws unless `options` is an options object (or undefined, which the caller defaults). */
export function assertOptions(options: unknown, expected: string): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, expected);
}
