import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../util/index.js';
import type { ChannelPermutable } from '../layers/core/index.js';
import { isElasticLayer } from '../layers/core/index.js';
import { channelBehaviour } from './builtin_channels.js';
import { flattenModel, type FlatGraph } from './flat_graph.js';

/** A layer taking part in a channel space. */
export interface SpaceMember {
  layer: tfl.layers.Layer;
  /** Its permutation hook (null: the layer cannot be permuted, so the space is not sorted). */
  permutable: ChannelPermutable | null;
}

/**
 * How a follower's output channels derive from its input's: `width(child) = width(parent) ·
 * multiplier / divisor` (a depthwise multiplier m: channel c → c·m … c·m + m − 1; an IDWT's
 * divisor 4: each output channel combines 4 input channels).
 */
export interface ChannelLink {
  space: ChannelSpace;
  multiplier: number;
  divisor: number;
  /** The layer that makes the link. */
  layer: string;
}

/**
 * A set of tensors whose channels must stay aligned: a producer's output and everything that
 * follows it channel-wise (norms, activations, pads, depthwise convs with multiplier 1), joined
 * across element-wise merges (residual adds tie their producers).
 */
export interface ChannelSpace {
  id: number;
  /** Layers whose output channels these are (tied producers when more than one). */
  producers: SpaceMember[];
  /** Producers reading these channels as their input. */
  consumers: SpaceMember[];
  /** Per-channel layers with parameters (norms, depthwise) reading these channels. */
  followers: SpaceMember[];
  /** Spaces derived from these channels by followers with a multiplier or a divisor. */
  derived: ChannelLink[];
  /** Set for a derived space. */
  parent: ChannelLink | null;
  /** Why these channels cannot be re-ordered (model input/output, unknown layers); empty if they can. */
  fixed: string[];
  /** Full (declared) width. */
  width: number | null;
  /** Tensors whose width is fixed: model inputs and outputs of unknown layers (label, width). */
  staticOrigins: { label: string; width: number | null }[];
  /** Layers reading these channels that run at one input width only (static layers with weights). */
  demands: { label: string; width: number }[];
  /**
   * Terminal model outputs (read by no layer of the model) among these channels, with the width
   * the model declares for each: such an output keeps its width (a generator declared `[…, 3]`
   * must not give 2 channels) unless the model declares it unknown (`null`). A model built to let
   * an output vary exposes an inner tensor (a tapped feature map, also read by later layers),
   * which is not listed here.
   */
  outputs: { label: string; width: number | null }[];
}

/** The channel spaces of a model (computed once per model: the graph never changes). */
export interface ChannelGraph {
  graph: FlatGraph;
  spaces: ChannelSpace[];
  /** Space of each tensor ref. */
  spaceOf: (ref: number) => ChannelSpace;
}

const cache = new WeakMap<tfl.LayersModel, ChannelGraph>();

/**
 * Builds (or returns the cached) channel graph of `model`. `groups` ties the output channels of
 * further layers together (by name) before the spaces are formed.
 */
export function channelGraph(model: tfl.LayersModel, groups: readonly (readonly string[])[] = []): ChannelGraph {
  if (!(model instanceof tfl.LayersModel))
    throw new ConfigError('model', model, 'a tf.LayersModel (tf.model(...) or tf.sequential(...))');
  const cached = groups.length === 0 ? cache.get(model) : undefined;
  if (cached) return cached;
  const graph = flattenModel(model);
  const parentRef = new Map<number, number>();
  const find = (r: number): number => {
    let p = parentRef.get(r) ?? r;
    while (p !== (parentRef.get(p) ?? p)) p = parentRef.get(p) ?? p;
    return p;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parentRef.set(rb, ra);
  };
  type Pending = { ref: number; role: 'producer' | 'consumer' | 'follower'; member: SpaceMember };
  const pending: Pending[] = [];
  const derivedLinks: { child: number; parent: number; multiplier: number; divisor: number; layer: string }[] = [];
  const demandRefs: { ref: number; label: string; width: number }[] = [];
  const fixedRefs: { ref: number; reason: string }[] = [];
  const staticRefs: { ref: number; label: string }[] = [];
  const outputsOf = new Map<string, number[]>();

  graph.inputs.forEach((r, i) => {
    fixedRefs.push({ ref: r, reason: `model input ${i}` });
    staticRefs.push({ ref: r, label: `model input ${i}` });
  });
  graph.outputs.forEach((r, i) => fixedRefs.push({ ref: r, reason: `model output ${i}` }));
  /** `ref` must keep its declared width: `layer` reads it at that width only. */
  const demand = (ref: number, layer: tfl.layers.Layer): void => {
    const declared = graph.shapes.get(ref);
    const width = declared?.[declared.length - 1];
    if (width != null) demandRefs.push({ ref, label: `layer '${layer.name}' (${layer.getClassName()})`, width });
  };
  for (const node of graph.nodes) {
    const b = channelBehaviour(node.layer);
    outputsOf.set(node.layer.name, [...(outputsOf.get(node.layer.name) ?? []), ...node.outputs]);
    if (b.kind === 'merge') {
      for (const r of [...node.inputs.slice(1), ...node.outputs]) union(node.inputs[0] as number, r);
      continue;
    }
    if (b.kind === 'barrier') {
      for (const r of node.inputs) {
        fixedRefs.push({ ref: r, reason: b.reason });
        if (b.fixedInputWidth) demand(r, node.layer);
      }
      for (const r of node.outputs) {
        fixedRefs.push({ ref: r, reason: b.reason });
        staticRefs.push({ ref: r, label: `layer '${node.layer.name}'` });
      }
      continue;
    }
    const input = node.inputs[b.channelInput];
    node.inputs.forEach((r, i) => {
      if (i !== b.channelInput)
        fixedRefs.push({ ref: r, reason: `input ${i} of layer '${node.layer.name}' (not its channel input)` });
    });
    if (input === undefined) continue;
    if (b.fixedInputWidth) demand(input, node.layer);
    const member = { layer: node.layer, permutable: b.permutable };
    if (b.kind === 'produce') {
      pending.push({ ref: input, role: 'consumer', member });
      for (const r of node.outputs) pending.push({ ref: r, role: 'producer', member });
      if (!isElasticLayer(node.layer))
        for (const r of node.outputs) staticRefs.push({ ref: r, label: `layer '${node.layer.name}'` });
    } else {
      if (b.permutable != null) pending.push({ ref: input, role: 'follower', member });
      for (const r of node.outputs) {
        if (b.multiplier === 1 && b.divisor === 1) union(input, r);
        else
          derivedLinks.push({
            child: r,
            parent: input,
            multiplier: b.multiplier,
            divisor: b.divisor,
            layer: node.layer.name,
          });
      }
    }
  }
  for (const group of groups) {
    const refs = group.map((name) => {
      const outs = outputsOf.get(name);
      if (outs == null || outs.length === 0)
        throw new ConfigError('groups', name, `names of layers of model '${model.name}'`);
      return outs[0] as number;
    });
    for (const r of refs.slice(1)) union(refs[0] as number, r);
  }

  const spaces = new Map<number, ChannelSpace>();
  const spaceOf = (ref: number): ChannelSpace => {
    const root = find(ref);
    let s = spaces.get(root);
    if (s == null) {
      const shape = graph.shapes.get(root);
      s = {
        id: spaces.size,
        producers: [],
        consumers: [],
        followers: [],
        derived: [],
        parent: null,
        fixed: [],
        width: shape?.[shape.length - 1] ?? null,
        staticOrigins: [],
        demands: [],
        outputs: [],
      };
      spaces.set(root, s);
    }
    return s;
  };
  for (const r of graph.shapes.keys()) spaceOf(r);
  for (const p of pending) {
    const list = spaceOf(p.ref)[
      p.role === 'producer' ? 'producers' : p.role === 'consumer' ? 'consumers' : 'followers'
    ];
    if (!list.some((m) => m.layer === p.member.layer)) list.push(p.member);
  }
  for (const f of fixedRefs) {
    const s = spaceOf(f.ref);
    if (!s.fixed.includes(f.reason)) s.fixed.push(f.reason);
  }
  for (const o of staticRefs) {
    const shape = graph.shapes.get(o.ref);
    spaceOf(o.ref).staticOrigins.push({ label: o.label, width: shape?.[shape.length - 1] ?? null });
  }
  for (const d of demandRefs) spaceOf(d.ref).demands.push({ label: d.label, width: d.width });
  // Only terminal outputs, which no layer reads: an output that is also read inside the model is a
  // tapped feature map (tapLayers), whose width follows the sub-network like any inner tensor.
  const read = new Set(graph.nodes.flatMap((n) => n.inputs));
  graph.outputs.forEach((r, i) => {
    if (read.has(r)) return;
    const shape = graph.shapes.get(r);
    spaceOf(r).outputs.push({ label: `model output ${i}`, width: shape?.[shape.length - 1] ?? null });
  });
  for (const d of derivedLinks) {
    const child = spaceOf(d.child);
    const parent = spaceOf(d.parent);
    if (child.parent == null) {
      child.parent = { space: parent, multiplier: d.multiplier, divisor: d.divisor, layer: d.layer };
      parent.derived.push({ space: child, multiplier: d.multiplier, divisor: d.divisor, layer: d.layer });
    }
  }
  // A derived space moves with its parent: one fixed means both are.
  let changed = true;
  while (changed) {
    changed = false;
    for (const s of spaces.values()) {
      const p = s.parent?.space;
      if (p == null) continue;
      if (s.fixed.length > 0 && p.fixed.length === 0) {
        p.fixed.push(...s.fixed.map((r) => `${r} (through layer '${s.parent?.layer}')`));
        changed = true;
      }
      if (p.fixed.length > 0 && s.fixed.length === 0) {
        s.fixed.push(...p.fixed);
        changed = true;
      }
    }
  }
  const result: ChannelGraph = { graph, spaces: [...spaces.values()], spaceOf };
  if (groups.length === 0) cache.set(model, result);
  return result;
}
