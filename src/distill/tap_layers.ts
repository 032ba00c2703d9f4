import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../util/index.js';
import { flattenModel } from '../graph/index.js';

type ST = tfl.SymbolicTensor;
type FlatNode = ReturnType<typeof flattenModel>['nodes'][number];

/**
 * A model that computes `model`'s outputs followed by the outputs of the layers `names` (a layer
 * with several outputs contributes all of them, in order), with the same layers and so the same
 * weights: nothing is copied or re-initialised, training either model trains both. Works on any
 * functional or sequential model, custom layers included.
 *
 * A name is a layer's name, or `'inner/layer'` for a layer inside a nested model `inner` (a plain
 * name is enough when it is unique across the nested models). When every named layer sits at the
 * top level and is called once, the new model reuses the model's own symbolic tensors; a layer
 * inside a nested model is reached by calling the model's layers, nested models inlined, on fresh
 * inputs — a new call of the same layer objects, which gives them one more inbound node.
 *
 * @param model a functional or sequential `tf.LayersModel`.
 * @param names layer names, at least one, no repeats.
 * @throws {@link ConfigError} naming an unknown (or ambiguous) layer and listing the model's layers.
 *
 * @example
 * ```ts
 * const teacher = ResnetGenerator({ ngf: 8, nBlocks: 3 });
 * const tapped = tapLayers(teacher, ['down2_relu', 'block3']);
 * const [y, f1, f2] = tapped.predict(tf.zeros([1, 32, 32, 3])) as tf.Tensor[];
 * // y [1,32,32,3]; f1 and f2 [1,8,8,32]
 * ```
 */
export function tapLayers(model: tfl.LayersModel, names: readonly string[]): tfl.LayersModel {
  return buildTap('model', model, 'names', names, true);
}

/** {@link tapLayers}, optionally without the model's own outputs (the taps alone). */
export function buildTap(
  modelArg: string,
  model: tfl.LayersModel,
  namesArg: string,
  names: readonly string[],
  withOwnOutputs: boolean,
): tfl.LayersModel {
  if (!(model instanceof tfl.LayersModel)) throw new ConfigError(modelArg, model, 'a tf.LayersModel');
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string'))
    throw new ConfigError(namesArg, names, 'a non-empty array of layer names');
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) throw new ConfigError(namesArg, names, `each layer once ('${repeated}' is named twice)`);
  const own = withOwnOutputs ? model.outputs : [];
  const fast = names.map((n) => topLevelOutputs(model, n));
  if (fast.every((o): o is ST[] => o != null)) {
    return tfl.model({
      inputs: model.inputs,
      outputs: distinct([...own, ...fast.flat()]),
      name: `${model.name}_tapped`,
    });
  }
  return replay(modelArg, model, namesArg, names, withOwnOutputs);
}

/** The outputs of top-level layer `name` when it is called exactly once, else null. */
function topLevelOutputs(model: tfl.LayersModel, name: string): ST[] | null {
  const layer = model.layers.find((l) => l.name === name);
  if (layer == null || layer instanceof tfl.LayersModel || layer.inboundNodes.length !== 1) return null;
  const out = layer.output;
  return Array.isArray(out) ? out : [out];
}

/** Calls every layer of the flattened model on fresh inputs and returns outputs plus taps. */
function replay(
  modelArg: string,
  model: tfl.LayersModel,
  namesArg: string,
  names: readonly string[],
  withOwnOutputs: boolean,
): tfl.LayersModel {
  const flat = flattenModel(model);
  const qualified = (n: FlatNode): string => `${n.path}${n.layer.name}`;
  const wanted = names.map((name) => resolve(modelArg, model, namesArg, flat.nodes, qualified, name));
  const inputs = model.inputs.map((t) => tfl.input({ shape: t.shape.slice(1), dtype: t.dtype }));
  const tensors = new Map<number, ST>();
  flat.inputs.forEach((ref, i) => tensors.set(ref, inputs[i] as ST));
  for (const node of flat.nodes) {
    const args = node.inputs.map((ref) => tensors.get(ref) as ST);
    const out = node.layer.apply(args.length === 1 ? (args[0] as ST) : args, node.kwargs);
    const outs = Array.isArray(out) ? out : [out];
    node.outputs.forEach((ref, i) => tensors.set(ref, outs[i] as ST));
  }
  const own = withOwnOutputs ? flat.outputs.map((ref) => tensors.get(ref) as ST) : [];
  const taps = wanted.flatMap((node) => node.outputs.map((ref) => tensors.get(ref) as ST));
  return tfl.model({ inputs, outputs: distinct([...own, ...taps]), name: `${model.name}_tapped` });
}

/**
 * The outputs, each tensor at most once: a repeat (a tap of the model's output layer) goes
 * through an identity layer, as a tfjs model cannot list one tensor twice among its outputs.
 */
function distinct(outputs: ST[]): ST[] {
  const seen = new Set<number>();
  return outputs.map((t) => {
    if (!seen.has(t.id)) {
      seen.add(t.id);
      return t;
    }
    return tfl.layers.activation({ activation: 'linear' }).apply(t) as ST;
  });
}

/** The one layer call `name` designates (qualified 'inner/layer' or a unique plain name). */
function resolve(
  modelArg: string,
  model: tfl.LayersModel,
  namesArg: string,
  nodes: FlatNode[],
  qualified: (n: FlatNode) => string,
  name: string,
): FlatNode {
  // tfjs keeps layer names unique across nested models, so a plain name designates one layer.
  let matches = nodes.filter((n) => qualified(n) === name);
  if (matches.length === 0) matches = nodes.filter((n) => n.layer.name === name);
  const all = [...new Set(nodes.map(qualified))];
  if (matches.length === 0)
    throw new ConfigError(
      namesArg,
      name,
      `the name of a layer of ${modelArg} '${model.name}' (layers: ${describeValue(all)})`,
    );
  if (matches.length > 1)
    throw new ConfigError(
      namesArg,
      name,
      `a layer called once: '${name}' is called ${matches.length} times in ${modelArg} '${model.name}', so its output is ambiguous`,
    );
  return matches[0] as FlatNode;
}
