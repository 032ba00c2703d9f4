import * as tfl from '@tensorflow/tfjs-layers';
import { flattenModel } from '../../graph/index.js';
import type { LayerShape } from '../../layers/core/index.js';

/**
 * Called once per layer call, in forward order, with the shapes that really reach the layer;
 * returns the shape(s) the call produces. `name` carries the nested-model prefix; `consumer` is
 * the only layer that reads the call's (single) output when there is exactly one and the output
 * is not a model output, else null.
 */
export type LayerVisitor = (
  layer: tfl.layers.Layer,
  inputShapes: LayerShape[],
  name: string,
  consumer: tfl.layers.Layer | null,
) => LayerShape | LayerShape[];

/**
 * Walks `model`'s graph in forward order without running it: every layer call (nested models
 * inlined) is handed to `visit` with its input shapes, and the shapes it returns flow on to the
 * consumers. Returns the model's output shapes.
 */
export function walkModel(model: tfl.LayersModel, inputShapes: LayerShape[], visit: LayerVisitor): LayerShape[] {
  const graph = flattenModel(model);
  const readers = new Map<number, number>();
  const reader = new Map<number, tfl.layers.Layer>();
  for (const node of graph.nodes) {
    for (const ref of node.inputs) {
      readers.set(ref, (readers.get(ref) ?? 0) + 1);
      reader.set(ref, node.layer);
    }
  }
  for (const ref of graph.outputs) readers.set(ref, (readers.get(ref) ?? 0) + 1);
  const shapes = new Map<number, LayerShape>();
  graph.inputs.forEach((ref, i) => shapes.set(ref, inputShapes[i] as LayerShape));
  for (const node of graph.nodes) {
    const ins = node.inputs.map((ref) => shapes.get(ref) as LayerShape);
    const only = node.outputs.length === 1 ? (node.outputs[0] as number) : -1;
    const consumer = readers.get(only) === 1 ? (reader.get(only) ?? null) : null;
    const outs = asShapeList(visit(node.layer, ins, `${node.path}${node.layer.name}`, consumer));
    node.outputs.forEach((ref, i) => shapes.set(ref, outs[i] as LayerShape));
  }
  return graph.outputs.map((ref) => shapes.get(ref) as LayerShape);
}

/** Normalises one shape or a list of shapes to a list of shapes. */
export function asShapeList(shape: LayerShape | LayerShape[]): LayerShape[] {
  return shape.length > 0 && shape.every((d) => Array.isArray(d)) ? shape : [shape as LayerShape];
}
