import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue, ShapeError } from '../../util/index.js';
import type { LayerShape, MacConvention } from '../../layers/core/index.js';
import { assertOneOf } from '../../util/index.js';
import { asShapeList, walkModel } from './graph.js';
import { assertLayersModel, assertOptions, resolveInputShapes } from './input_shapes.js';
import { costOfCall } from './layer_cost.js';
import { atSubnet } from './subnet_scope.js';
import type { CountMacsOptions, CustomCounter, LayerMacs, MacCount } from './types.js';

const CONVENTIONS: readonly MacConvention[] = ['torchprofile', 'exact'];

/**
 * Counts the multiply-accumulates of one forward pass of `model` at `inputShape`, from shapes
 * alone: the graph is walked in forward order and each layer costed by rule, so no tensor is
 * created and no kernel runs (a 1024² generator counts in about a millisecond or less).
 *
 * - Built-in tfjs layers follow torchprofile 0.0.1's rules (see docs/macs.md for the table);
 *   this library's layers cost themselves through `computeCost` (elastic layers at their active
 *   width); `options.customCounters` count anything else.
 * - A layer none of these can count is listed in `uncounted` (its `macs` is `NaN` and it is
 *   left out of `total`) — never silently zero.
 * - Nested models are walked through; their layers appear as `'nested/layer'`.
 * - `options.subnet` counts a supernet at a sub-network and leaves it as it was.
 *
 * @param model A functional or sequential LayersModel.
 * @param inputShape The full input shape, batch first (`[1, 256, 256, 3]`), or one per input.
 * @example
 * ```ts
 * const teacher = ResnetGenerator();
 * const { total, perLayer, uncounted } = countMacs(teacher, [1, 256, 256, 3]);
 * console.log(total); // 56831770624, as GAN Compression reports
 * console.log(countMacs(teacher, [1, 256, 256, 3], { convention: 'exact' }).total); // 49551507456
 * ```
 */
export function countMacs(
  model: tfl.LayersModel,
  inputShape: number[] | number[][],
  options: CountMacsOptions = {},
): MacCount {
  assertLayersModel(model);
  const shapes = resolveInputShapes(model, inputShape);
  assertOptions(options, '{ convention?, subnet?, customCounters? }');
  const convention = options.convention ?? 'torchprofile';
  assertOneOf('options.convention', convention, CONVENTIONS);
  const custom = resolveCustomCounters(options.customCounters);

  return atSubnet(model, options.subnet, () => {
    const perLayer: LayerMacs[] = [];
    const uncounted: string[] = [];
    let total = 0;
    walkModel(model, shapes, (layer, inputShapes, name, consumer) => {
      const { macs, outputShape } = costOfCall(layer, inputShapes, convention, custom, consumer);
      assertRealShapes(layer, name, inputShapes, outputShape);
      if (Number.isFinite(macs)) total += macs;
      else if (!uncounted.includes(name)) uncounted.push(name);
      perLayer.push({
        name,
        className: layer.getClassName(),
        macs: Number.isFinite(macs) ? macs : Number.NaN,
        outputShape,
      });
      return outputShape;
    });
    return { total, perLayer, uncounted };
  });
}

/**
 * Throws a `ShapeError` naming the layer when a call would produce a size below 1 — a 'valid'
 * conv or pool on an input smaller than its window (tfjs's shape rules give 0 or a negative
 * size, and the counts of the layers after it would be meaningless).
 */
function assertRealShapes(
  layer: tfl.layers.Layer,
  name: string,
  inputShapes: LayerShape[],
  outputShape: LayerShape | LayerShape[],
): void {
  for (const shape of asShapeList(outputShape)) {
    if (shape.some((d) => d != null && !(d >= 1)))
      throw new ShapeError(
        `layer '${name}' (${layer.getClassName()}) output`,
        shape,
        `sizes >= 1: its input ${describeValue(inputShapes.length === 1 ? inputShapes[0] : inputShapes)} is too small for it`,
      );
  }
}

function resolveCustomCounters(counters: unknown): Readonly<Record<string, CustomCounter>> {
  if (counters === undefined) return {};
  if (counters === null || typeof counters !== 'object' || Array.isArray(counters)) {
    throw new ConfigError(
      'options.customCounters',
      counters,
      'an object { [className]: (layer, inputShapes, convention) => ({ macs, outputShape? }) }',
    );
  }
  for (const [className, fn] of Object.entries(counters)) {
    if (typeof fn !== 'function')
      throw new ConfigError(
        `options.customCounters['${className}']`,
        fn,
        'a function (layer, inputShapes, convention) => ({ macs, outputShape? })',
      );
  }
  return counters as Record<string, CustomCounter>;
}
