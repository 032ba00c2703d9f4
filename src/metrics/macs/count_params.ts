import type * as tfl from '@tensorflow/tfjs-layers';
import { isCostedLayer } from '../../layers/cost.js';
import { walkModel } from './graph.js';
import { assertLayersModel, declaredInputShapes } from './input_shapes.js';
import { declaredOutputShape, layerInputArg } from './layer_cost.js';
import type { CountParamsOptions } from './types.js';

/**
 * Counts the parameters the network really uses: the sum of the weight sizes of every layer,
 * where a library layer reports what it uses at its active configuration (an elastic layer
 * counts its sliced weights, so a supernet at a sub-network counts like the extracted model).
 * Only channel widths matter, so the walk starts from the model's declared input shape.
 * A layer applied several times is counted once.
 *
 * @example
 * ```ts
 * countParams(ResnetGenerator()); // 11378179
 * ```
 */
export function countParams(model: tfl.LayersModel, options: CountParamsOptions = {}): number {
  assertLayersModel(model);
  void options;
  const seen = new Set<tfl.layers.Layer>();
  let total = 0;
  walkModel(model, declaredInputShapes(model), (layer, inputShapes) => {
    if (isCostedLayer(layer)) {
      const cost = layer.computeCost(layerInputArg(inputShapes), 'torchprofile');
      if (!seen.has(layer)) total += cost.params;
      seen.add(layer);
      return cost.outputShape;
    }
    if (!seen.has(layer)) total += layer.countParams();
    seen.add(layer);
    return declaredOutputShape(layer, inputShapes);
  });
  return total;
}
