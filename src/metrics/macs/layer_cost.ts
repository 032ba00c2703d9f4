import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, GanCompressError, describeValue } from '../../util/index.js';
import { isCostedLayer, type LayerShape, type MacConvention } from '../../layers/core/index.js';
import { BUILTIN_OUTPUT_SHAPES, BUILTIN_RULES, type RuleContext } from './builtin_rules.js';
import type { CustomCounter } from './types.js';

/** MACs of one layer call (`NaN` when nothing can count it) and the shape it produces. */
export interface CallCost {
  macs: number;
  outputShape: LayerShape | LayerShape[];
}

/** tfjs passes one shape for a one-input layer, a list otherwise. */
export const layerInputArg = (inputShapes: LayerShape[]): LayerShape | LayerShape[] =>
  inputShapes.length === 1 ? (inputShapes[0] as LayerShape) : inputShapes;

/**
 * The layer's own `computeOutputShape` (on copies: some tfjs layers edit the shape they get),
 * with an error that says what to do when it fails.
 */
export function declaredOutputShape(layer: tfl.layers.Layer, inputShapes: LayerShape[]): LayerShape | LayerShape[] {
  const override = BUILTIN_OUTPUT_SHAPES[layer.getClassName()];
  if (override !== undefined) return override(layer, inputShapes);
  try {
    return layer.computeOutputShape(layerInputArg(inputShapes.map((s) => [...s])));
  } catch (e) {
    throw new GanCompressError(
      `layer '${layer.name}' (${layer.getClassName()}): computeOutputShape(${describeValue(inputShapes)}) failed (${(e as Error).message}); ` +
        `give options.customCounters['${layer.getClassName()}'] an outputShape`,
    );
  }
}

/**
 * Costs one call of `layer`, trying in order: a custom counter for its class, its own
 * `computeCost` (library layers), the built-in tfjs rules. Without any, `macs` is `NaN`.
 */
export function costOfCall(
  layer: tfl.layers.Layer,
  inputShapes: LayerShape[],
  convention: MacConvention,
  custom: Readonly<Record<string, CustomCounter>>,
  consumer: tfl.layers.Layer | null = null,
): CallCost {
  const className = layer.getClassName();
  const counter = custom[className];
  if (counter !== undefined) return runCustomCounter(counter, layer, inputShapes, convention);
  if (isCostedLayer(layer)) {
    const cost = layer.computeCost(layerInputArg(inputShapes), convention);
    return { macs: cost.macs, outputShape: cost.outputShape };
  }
  const rule = BUILTIN_RULES[className];
  const outputShape = declaredOutputShape(layer, inputShapes);
  if (rule === undefined) return { macs: Number.NaN, outputShape };
  const ctx: RuleContext = {
    convention,
    consumer,
    macsOf: (inner, shapes) => costOfCall(inner, shapes, convention, custom).macs,
  };
  const macs = rule(layer, inputShapes, outputShape, ctx);
  // A layer with a rule is countable; a non-finite count means a size it needs was unknown
  // (tfjs lost it), which must not pass as "uncounted" and leave the total short.
  if (!Number.isFinite(macs))
    throw new GanCompressError(
      `layer '${layer.name}' (${className}): cannot count its MACs from input shapes ${describeValue(inputShapes)} and output shape ${describeValue(outputShape)} (a size is unknown)`,
    );
  return { macs, outputShape };
}

function runCustomCounter(
  counter: CustomCounter,
  layer: tfl.layers.Layer,
  inputShapes: LayerShape[],
  convention: MacConvention,
): CallCost {
  const argument = `options.customCounters['${layer.getClassName()}'] (layer '${layer.name}')`;
  const result = counter(
    layer,
    inputShapes.map((s) => [...s]),
    convention,
  );
  if (result == null || typeof result.macs !== 'number' || !Number.isFinite(result.macs) || result.macs < 0) {
    throw new ConfigError(
      `${argument} result`,
      result,
      '{ macs: a finite number >= 0, outputShape?: number[] | number[][] }',
    );
  }
  if (result.outputShape !== undefined && !Array.isArray(result.outputShape)) {
    throw new ConfigError(`${argument} outputShape`, result.outputShape, 'a shape (number[]) or a list of shapes');
  }
  return { macs: result.macs, outputShape: result.outputShape ?? declaredOutputShape(layer, inputShapes) };
}
