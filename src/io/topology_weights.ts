import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { modelFileError } from './file_errors.js';
import { checkTopologyGraph } from './topology_graph.js';

/** A weight the topology declares, in the order tfjs-layers creates it. */
export interface TopologyWeight {
  /** The layer holding it (a top-level layer: a nested model counts as one layer). */
  layer: string;
  /** Its position among that layer's weights. */
  index: number;
  /** The name a manifest lists it under (`conv/kernel`). */
  originalName: string;
  /** tfjs's unique variable name (`conv/kernel_3`): Keras 3 manifests are matched through it. */
  variableName: string;
  shape: number[];
  dtype: string;
}

/** What of model.json tfjs-layers applies to a model before its weights. */
export interface LayersModelJson {
  modelTopology: unknown;
  format?: unknown;
  trainingConfig?: unknown;
  userDefinedMetadata?: unknown;
}

type FromConfig = (cls: unknown, config: unknown, customObjects: object, fastWeightInit: boolean) => tfl.LayersModel;

/**
 * The weights a layers-model topology declares, found by building it as `tf.loadLayersModel`
 * would — the same graph, the training config and user metadata applied — and then freeing
 * everything built; null for a topology that is not a layers model (a graph model). Anything
 * tfjs-layers would throw while building is thrown here as a ModelFileError naming the file,
 * before tfjs gets to build it again and leak the half-built model.
 *
 * The build uses tfjs's fast initialisation (zeros instead of the initializers, as
 * `tf.loadLayersModel` itself does when weights follow), which tfjs-layers does not export: the
 * top-level step of its `deserialize` is repeated here (the public `modelFromJSON` would run every
 * initializer, random ones and orthogonal QRs included, only to throw the values away). Should
 * that path refuse a topology, `modelFromJSON` is tried before giving up, so that only topologies
 * tfjs itself cannot build are refused.
 */
export async function topologyWeights(jsonPath: string, json: LayersModelJson): Promise<TopologyWeight[] | null> {
  if (json.format === 'graph-model') return null;
  const top = json.modelTopology as { model_config?: unknown; class_name?: unknown } | null;
  if (top == null || typeof top !== 'object') return null;
  const topology = (top.model_config ?? top) as { class_name?: unknown; config?: unknown };
  if (typeof topology.class_name !== 'string') return null;
  checkTopologyGraph(jsonPath, topology.config);

  const variables: tf.Variable[] = [];
  try {
    let model: tfl.LayersModel;
    const fast = tracked(() => fastBuild(structuredClone(topology)), variables);
    if (fast.ok) {
      model = fast.value;
    } else {
      // modelFromJSON builds synchronously, before its first await (there is none without weights).
      const slow = tracked(() => tfl.models.modelFromJSON(structuredClone(topology) as tf.io.ModelJSON), variables);
      if (!slow.ok) throw cannotBuild(jsonPath, slow.error);
      model = await slow.value.catch((e: unknown) => {
        throw cannotBuild(jsonPath, e);
      });
    }
    const described = tracked(() => {
      if (json.trainingConfig != null)
        model.loadTrainingConfig(json.trainingConfig as Parameters<tfl.LayersModel['loadTrainingConfig']>[0]);
      if (json.userDefinedMetadata != null) model.setUserDefinedMetadata(json.userDefinedMetadata);
      return describe(model);
    }, variables);
    if (!described.ok) throw cannotBuild(jsonPath, described.error);
    return described.value;
  } finally {
    for (const v of variables) if (!v.isDisposed) v.dispose();
  }
}

function describe(model: tfl.LayersModel): TopologyWeight[] {
  return model.layers.flatMap((layer) =>
    layer.weights.map((w, index) => ({
      layer: layer.name,
      index,
      originalName: w.originalName,
      variableName: w.name,
      shape: [...(w.shape as number[])],
      dtype: w.dtype,
    })),
  );
}

const cannotBuild = (jsonPath: string, e: unknown) =>
  modelFileError(jsonPath, `tfjs-layers cannot build its modelTopology: ${messageOf(e)}`, e);

/**
 * Runs `fn` (synchronous: no other code runs meanwhile) in a scope that frees the tensors it made,
 * and appends the variables it registered to `variables` for the caller to dispose.
 */
function tracked<T>(fn: () => T, variables: tf.Variable[]): { ok: true; value: T } | { ok: false; error: unknown } {
  const engine = tf.engine();
  const before = new Set(Object.keys(engine.registeredVariables));
  engine.startScope();
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  } finally {
    engine.endScope();
    for (const [name, v] of Object.entries(engine.registeredVariables)) if (!before.has(name)) variables.push(v);
  }
}

/** The top-level step of tfjs-layers' `deserialize`, with fast weight initialisation. */
export function fastBuild(topology: { class_name?: unknown; config?: unknown }): tfl.LayersModel {
  const ts = pythonicToTs(topology) as { className: string; config: Record<string, unknown> };
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[ts.className];
  if (entry == null) throw new Error(`Unknown layer: ${ts.className}`);
  const [cls, fromConfig] = entry as unknown as [unknown, FromConfig];
  // tfjs hands every fromConfig the custom objects through the config, and unwraps scalars
  // serialized as {type: 'ndarray', value} first.
  ts.config['customObjects'] = {};
  unwrapNdarrayScalars(ts.config);
  return fromConfig(cls, ts.config, {}, true);
}

/** tfjs-layers' `toCamelCase`. */
function toCamelCase(identifier: string): string {
  if (identifier.length <= 1 || !identifier.includes('_')) return identifier;
  return identifier.replace(/[_]+(\w|$)/g, (_m, p1: string) => p1.toUpperCase());
}

/**
 * tfjs-layers' `convertPythonicToTs`: keys (and string values) to camelCase, except layer names
 * and the layer names at the head of tensor references.
 */
function pythonicToTs(value: unknown, key?: string): unknown {
  if (value === null) return null;
  if (typeof value === 'string') return toCamelCase(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    return value.map((item: unknown, i) =>
      (key === 'inboundNodes' || key === 'outputLayers' || key === 'inputLayers') && i === 0 && typeof item === 'string'
        ? item
        : pythonicToTs(item, key),
    );
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'name' && typeof v === 'string') out[k] = v;
    else {
      const tsKey = toCamelCase(k);
      out[tsKey] = pythonicToTs(v, tsKey);
    }
  }
  return out;
}

/** tfjs-layers' `convertNDArrayScalarsInConfig`. */
function unwrapNdarrayScalars(config: unknown): void {
  if (config == null || typeof config !== 'object') return;
  if (Array.isArray(config)) {
    config.forEach(unwrapNdarrayScalars);
    return;
  }
  const c = config as Record<string, unknown>;
  for (const field of Object.keys(c)) {
    const v = c[field] as { type?: unknown; value?: unknown } | null;
    if (v != null && typeof v === 'object') {
      if (!Array.isArray(v) && v.type === 'ndarray' && typeof v.value === 'number') c[field] = v.value;
      else unwrapNdarrayScalars(v);
    }
  }
}

function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message || e.name : String(e);
  return text.split('\n')[0] ?? text;
}
