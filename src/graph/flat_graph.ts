import * as tfl from '@tensorflow/tfjs-layers';
import { GanCompressError } from '../util/index.js';

type SymbolicNode = tfl.LayersModel['nodesByDepth'][string][number];

/** One layer call of a flattened model: tensors are numbered refs into {@link FlatGraph.shapes}. */
export interface FlatNode {
  layer: tfl.layers.Layer;
  /** Names of the nested models the call sits in, each followed by '/' ('' at the top level). */
  path: string;
  inputs: number[];
  outputs: number[];
  /** Keyword arguments the call was made with. */
  kwargs: Record<string, unknown>;
}

/** A model's layer calls in forward order, nested models inlined. */
export interface FlatGraph {
  inputs: number[];
  outputs: number[];
  nodes: FlatNode[];
  /** Symbolic shape of every tensor ref. */
  shapes: Map<number, tfl.Shape>;
}

/**
 * Flattens a functional or sequential model (recursively inlining nested models) into its layer
 * calls in forward order, each naming the tensors it reads and writes. Used by the channel graph,
 * `extractSubnet`, `recalibrateBatchNorm` and the MAC counter.
 */
export function flattenModel(model: tfl.LayersModel): FlatGraph {
  let next = 0;
  const shapes = new Map<number, tfl.Shape>();
  const nodes: FlatNode[] = [];
  const fresh = (shape: tfl.Shape): number => {
    shapes.set(next, shape);
    return next++;
  };

  const walk = (container: tfl.LayersModel, inputRefs: number[], path: string): number[] => {
    const refs = new Map<number, number>();
    container.inputs.forEach((t, i) => refs.set(t.id, inputRefs[i] as number));
    const calls: { layer: tfl.layers.Layer; node: SymbolicNode }[] = [];
    if (container instanceof tfl.Sequential) {
      let previous = container.inputs[0] as tfl.SymbolicTensor;
      for (const layer of container.layers) {
        if (layer.getClassName() === 'InputLayer') continue;
        const node = layer.inboundNodes.find((n) => n.inputTensors[0]?.id === previous.id);
        if (node == null)
          throw new GanCompressError(
            `model '${container.name}': cannot find the call of layer '${layer.name}' in its sequence`,
          );
        calls.push({ layer, node });
        previous = node.outputTensors[0] as tfl.SymbolicTensor;
      }
    } else {
      // A node exists once its inputs exist, so creation order is a forward order.
      const own = Object.values(container.nodesByDepth)
        .flat()
        .sort((a, b) => a.id - b.id);
      for (const node of own)
        if (node.outboundLayer.getClassName() !== 'InputLayer') calls.push({ layer: node.outboundLayer, node });
    }
    for (const { layer, node } of calls) {
      const inputs = node.inputTensors.map((t) => {
        const ref = refs.get(t.id);
        if (ref === undefined)
          throw new GanCompressError(
            `model '${container.name}': the input '${t.name}' of layer '${layer.name}' is not produced inside the model`,
          );
        return ref;
      });
      const outputs =
        layer instanceof tfl.LayersModel
          ? walk(layer, inputs, `${path}${layer.name}/`)
          : node.outputTensors.map((t) => fresh(t.shape));
      if (!(layer instanceof tfl.LayersModel))
        nodes.push({ layer, path, inputs, outputs, kwargs: { ...(node.callArgs ?? {}) } });
      node.outputTensors.forEach((t, i) => refs.set(t.id, outputs[i] as number));
    }
    return container.outputs.map((t) => {
      const ref = refs.get(t.id);
      if (ref === undefined)
        throw new GanCompressError(`model '${container.name}': output '${t.name}' is not produced inside the model`);
      return ref;
    });
  };

  const inputs = model.inputs.map((t) => fresh(t.shape));
  const outputs = walk(model, inputs, '');
  return { inputs, outputs, nodes, shapes };
}
