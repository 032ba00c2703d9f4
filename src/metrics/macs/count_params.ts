import type * as tfl from '@tensorflow/tfjs-layers';
import { isCostedLayer } from '../../layers/core/index.js';
import { walkModel } from './graph.js';
import { assertLayersModel, assertOptions, declaredInputShapes } from './input_shapes.js';
import { declaredOutputShape, layerInputArg } from './layer_cost.js';
import { atSubnet } from './subnet_scope.js';
import type { CountParamsOptions } from './types.js';

/**
 * Elements of a built-in layer's parameters: weights created trainable (PyTorch's
 * "parameters"), not buffers created non-trainable such as batch-norm running statistics.
 * Freezing a layer (`layer.trainable = false`) does not change what counts: the split is by how
 * the weight was created, which tfjs keeps in `_trainableWeights` / `_nonTrainableWeights`.
 */
function parameterCount(layer: tfl.layers.Layer): number {
  const created = (layer as unknown as { _trainableWeights?: tfl.LayerVariable[] })._trainableWeights;
  const weights = created ?? layer.trainableWeights;
  return weights.reduce((sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

/**
 * Counts the parameters the network really uses: the sum of the parameter sizes of every
 * layer — weights created trainable, as PyTorch counts parameters; buffers such as batch-norm
 * running statistics or MobileStyleGAN's fixed `styleInv` are not parameters. A library layer
 * reports what it uses at its active configuration (an elastic layer counts its sliced
 * weights, so a supernet at a sub-network counts like the extracted model).
 * Only channel widths matter, so the walk starts from the model's declared input shape.
 * A layer applied several times is counted once. `options.subnet` counts a supernet at a
 * sub-network and leaves it as it was.
 *
 * @example
 * ```ts
 * countParams(ResnetGenerator()); // 11378179
 * const supernet = SuperMobileResnetGenerator(); // ngf 64
 * countParams(supernet, { subnet: resnetConfigFromString('16_16_32_16_32_32_16_16') }); // 356867
 * ```
 */
export function countParams(model: tfl.LayersModel, options: CountParamsOptions = {}): number {
  assertLayersModel(model);
  assertOptions(options, '{ subnet? }');
  return atSubnet(model, options.subnet, () => {
    const seen = new Set<tfl.layers.Layer>();
    let total = 0;
    walkModel(model, declaredInputShapes(model), (layer, inputShapes) => {
      const first = !seen.has(layer);
      seen.add(layer);
      if (isCostedLayer(layer)) {
        const cost = layer.computeCost(layerInputArg(inputShapes), 'torchprofile');
        if (first) total += cost.params;
        return cost.outputShape;
      }
      if (first) total += parameterCount(layer);
      return declaredOutputShape(layer, inputShapes);
    });
    return total;
  });
}
