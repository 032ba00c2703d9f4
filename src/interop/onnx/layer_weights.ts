import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';

/** A layer weight's values (a copy) and shape. */
export interface WeightValue {
  data: Float32Array;
  shape: number[];
}

/** The short name of a weight: what the layer passed to `addWeight` (`kernel`, `depthwise_kernel`, …). */
export function weightShortName(v: tfl.LayerVariable): string {
  return v.originalName.split('/').pop() as string;
}

/** The weight of `layer` called `name`, copied out of the backend (no tensor is created). */
export function layerWeight(layer: tfl.layers.Layer, name: string): WeightValue {
  const v = layer.weights.find((w) => weightShortName(w) === name);
  if (v == null)
    throw new ConfigError(
      `layer '${layer.name}'`,
      `weights ${layer.weights.map(weightShortName).join(', ') || '(none)'}`,
      `a weight named '${name}'`,
    );
  return { data: Float32Array.from(v.read().dataSync() as Float32Array), shape: [...v.shape] as number[] };
}

/** The weight of `layer` called `name`, or null when the layer has none by that name. */
export function optionalWeight(layer: tfl.layers.Layer, name: string): WeightValue | null {
  return layer.weights.some((w) => weightShortName(w) === name) ? layerWeight(layer, name) : null;
}
