import * as tfl from '@tensorflow/tfjs-layers';
import { GanCompressError } from '../../errors.js';
import type { LayerShape } from '../../layers/cost.js';

type GraphNode = tfl.LayersModel['nodesByDepth'][string][number];

/**
 * Called once per layer call, in forward order, with the shapes that really reach the layer;
 * returns the shape(s) the call produces. `name` carries the nested-model prefix; `consumer` is
 * the only layer that reads the call's (single) output, when there is exactly one in the same
 * model and the output is not a model output, else null.
 */
export type LayerVisitor = (layer: tfl.layers.Layer, inputShapes: LayerShape[], name: string, consumer: tfl.layers.Layer | null) => LayerShape | LayerShape[];

/**
 * Walks `model`'s graph in forward order without running it: every layer call is handed to
 * `visit` with its input shapes, and the shapes it returns flow on to the consumers. Nested
 * models are walked recursively (their layers are visited, the model itself is not). Returns the
 * model's output shapes.
 */
export function walkModel(model: tfl.LayersModel, inputShapes: LayerShape[], visit: LayerVisitor, prefix = ''): LayerShape[] {
  if (model instanceof tfl.Sequential) return walkSequential(model, inputShapes, visit, prefix);
  const shapes = new Map<number, LayerShape>();
  model.inputs.forEach((x, i) => shapes.set(x.id, inputShapes[i] as LayerShape));
  const nodes = nodesInForwardOrder(model);
  const readers = new Map<number, tfl.layers.Layer[]>();
  for (const node of nodes) for (const t of node.inputTensors) readers.set(t.id, [...(readers.get(t.id) ?? []), node.outboundLayer]);
  for (const t of model.outputs) readers.set(t.id, [...(readers.get(t.id) ?? []), model]);
  const soleReader = (node: GraphNode): tfl.layers.Layer | null => {
    const r = node.outputTensors.length === 1 ? readers.get((node.outputTensors[0] as tfl.SymbolicTensor).id) : undefined;
    return r?.length === 1 && r[0] !== model ? (r[0] as tfl.layers.Layer) : null;
  };
  for (const node of nodes) {
    const layer = node.outboundLayer;
    if (isInputLayer(layer)) continue;
    const ins = node.inputTensors.map((t) => {
      const shape = shapes.get(t.id);
      if (shape === undefined) throw new GanCompressError(`countMacs: the input '${t.name}' of layer '${prefix}${layer.name}' is not produced by model '${model.name}'`);
      return shape;
    });
    const outs = visitLayer(layer, ins, visit, prefix, soleReader(node));
    node.outputTensors.forEach((t, i) => shapes.set(t.id, outs[i] as LayerShape));
  }
  return model.outputs.map((t) => shapes.get(t.id) as LayerShape);
}

function walkSequential(model: tfl.Sequential, inputShapes: LayerShape[], visit: LayerVisitor, prefix: string): LayerShape[] {
  let shapes = inputShapes;
  const layers = model.layers.filter((l) => !isInputLayer(l));
  layers.forEach((layer, i) => {
    shapes = visitLayer(layer, shapes, visit, prefix, layers[i + 1] ?? null);
  });
  return shapes;
}

function visitLayer(layer: tfl.layers.Layer, inputShapes: LayerShape[], visit: LayerVisitor, prefix: string, consumer: tfl.layers.Layer | null): LayerShape[] {
  if (layer instanceof tfl.LayersModel) return walkModel(layer, inputShapes, visit, `${prefix}${layer.name}/`);
  return asShapeList(visit(layer, inputShapes, `${prefix}${layer.name}`, consumer instanceof tfl.LayersModel ? null : consumer));
}

/**
 * The model's own nodes sorted by creation: a node is created when its layer is applied to
 * tensors that already exist, so this is a topological order, and the order the network was
 * written in (which depth order is not, for branches).
 */
function nodesInForwardOrder(model: tfl.LayersModel): GraphNode[] {
  return Object.values(model.nodesByDepth)
    .flat()
    .sort((a, b) => a.id - b.id);
}

function isInputLayer(layer: tfl.layers.Layer): boolean {
  return layer.getClassName() === 'InputLayer';
}

/** Normalises one shape or a list of shapes to a list of shapes. */
export function asShapeList(shape: LayerShape | LayerShape[]): LayerShape[] {
  return shape.length > 0 && shape.every((d) => Array.isArray(d)) ? (shape as LayerShape[]) : [shape as LayerShape];
}
