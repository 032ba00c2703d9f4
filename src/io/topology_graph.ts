import { describeValue } from '../util/index.js';
import { modelFileError } from './file_errors.js';

/** A layer of a functional topology as model.json stores it (Keras' snake_case). */
interface LayerJson {
  name?: unknown;
  class_name?: unknown;
  config?: unknown;
  inbound_nodes?: unknown;
}

/** `[layerName, nodeIndex, tensorIndex, kwargs?]`: one input of a layer call. */
type TensorRef = [string, number, number, ...unknown[]];

const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function checkRef(jsonPath: string, ref: unknown, where: string): asserts ref is TensorRef {
  if (
    !Array.isArray(ref) ||
    ref.length < 3 ||
    typeof ref[0] !== 'string' ||
    !isIndex(ref[1]) ||
    !isIndex(ref[2]) ||
    (ref[3] != null && (typeof ref[3] !== 'object' || Array.isArray(ref[3])))
  ) {
    throw modelFileError(
      jsonPath,
      `malformed modelTopology: ${where} is ${describeValue(ref)}, expected [layer name, node index, tensor index, kwargs?]`,
    );
  }
}

/**
 * Refuses a functional topology (a `Model`/`Functional` config, nested ones included) whose layer
 * graph tfjs-layers cannot build: unknown or duplicate layer names, malformed tensor references,
 * or a layer call that waits for a node no layer ever creates (a cycle, or a node index past a
 * layer's calls). tfjs-layers loops forever on the last kind — it re-queues the call on every
 * pass — so this runs before anything is built. It replays tfjs's processing order: a call is
 * made once every node it reads exists; each call creates one node of its layer; an InputLayer
 * has its node from the start.
 */
export function checkTopologyGraph(jsonPath: string, config: unknown, where = 'modelTopology'): void {
  const c = config as { layers?: unknown; input_layers?: unknown; output_layers?: unknown } | null;
  if (c == null || typeof c !== 'object' || !Array.isArray(c.input_layers)) return; // not a functional graph
  if (!Array.isArray(c.layers) || !Array.isArray(c.output_layers)) {
    throw modelFileError(
      jsonPath,
      `malformed modelTopology: ${where} needs layers[], input_layers[] and output_layers[]`,
    );
  }
  const layers = c.layers as LayerJson[];
  const nodes = new Map<string, number>();
  const queues: TensorRef[][][] = [];
  layers.forEach((layer, i) => {
    const name = layer?.name;
    if (typeof name !== 'string' || typeof layer.class_name !== 'string') {
      throw modelFileError(jsonPath, `malformed modelTopology: ${where}.layers[${i}] needs a name and a class_name`);
    }
    if (nodes.has(name)) throw modelFileError(jsonPath, `malformed modelTopology: layer name '${name}' is used twice`);
    nodes.set(name, layer.class_name === 'InputLayer' ? 1 : 0);
    if (!Array.isArray(layer.inbound_nodes)) {
      throw modelFileError(jsonPath, `malformed modelTopology: layer '${name}' has no inbound_nodes list`);
    }
    queues.push(
      layer.inbound_nodes.map((call: unknown, k) => {
        if (!Array.isArray(call)) {
          throw modelFileError(
            jsonPath,
            `malformed modelTopology: call ${k} of layer '${name}' is not a list of inputs`,
          );
        }
        call.forEach((ref: unknown, j) => checkRef(jsonPath, ref, `input ${j} of call ${k} of layer '${name}'`));
        return call as TensorRef[];
      }),
    );
    checkTopologyGraph(jsonPath, layer.config, `layer '${name}'`);
  });
  const ready = (ref: TensorRef): boolean => (nodes.get(ref[0]) ?? 0) > ref[1];
  while (queues.some((q) => q.length > 0)) {
    let progressed = false;
    layers.forEach((layer, i) => {
      const waiting = queues[i] as TensorRef[][];
      queues[i] = [];
      for (const call of waiting) {
        if (call.every(ready)) {
          // A call without inputs is dropped by tfjs without creating a node.
          if (call.length > 0) nodes.set(layer.name as string, (nodes.get(layer.name as string) ?? 0) + 1);
          progressed = true;
        } else {
          queues[i].push(call);
        }
      }
    });
    if (!progressed) {
      const i = queues.findIndex((q) => q.length > 0);
      const ref = (queues[i] as TensorRef[][])[0]?.find((r) => !ready(r)) as TensorRef;
      const layer = layers[i]?.name as string;
      throw modelFileError(
        jsonPath,
        nodes.has(ref[0])
          ? `malformed modelTopology: layer '${layer}' reads node ${ref[1]} of layer '${ref[0]}', which is never ` +
              'created (a cycle, or a node index past the calls of that layer)'
          : `malformed modelTopology: layer '${layer}' reads layer '${ref[0]}', which is not in ${where}`,
      );
    }
  }
  for (const key of ['input_layers', 'output_layers'] as const) {
    (c[key] as unknown[]).forEach((ref, i) => {
      checkRef(jsonPath, ref, `${where}.${key}[${i}]`);
      if (!ready(ref)) {
        throw modelFileError(
          jsonPath,
          `malformed modelTopology: ${where}.${key}[${i}] names node ${ref[1]} of layer '${ref[0]}', which ` +
            (nodes.has(ref[0]) ? 'does not exist' : 'is not a layer of the model'),
        );
      }
    });
  }
}
