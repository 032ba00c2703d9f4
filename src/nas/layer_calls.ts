import type * as tfl from '@tensorflow/tfjs-layers';
import { flattenModel, type SubnetConfig } from '../graph/index.js';
import type { ElasticSetting, LayerShape } from '../layers/core/index.js';
import { countMacs, type CountMacsOptions } from '../metrics/index.js';
import { ConfigError, GanCompressError } from '../util/index.js';
import type { SearchSpace } from './search_space.js';

type FlatNode = ReturnType<typeof flattenModel>['nodes'][number];

/** One layer call of the model at one sub-network: what it reads, its setting, its MACs. */
export interface CallAt {
  inputShapes: LayerShape[];
  /** The elastic layer's setting in the config (null for a layer the config does not name). */
  setting: ElasticSetting | null;
  macs: number;
}

/** What a shape walk reports: every layer call at one sub-network. */
type Walk = CallAt[];

const isShapeList = (s: LayerShape | LayerShape[]): s is LayerShape[] =>
  s.length > 0 && s.every((d) => Array.isArray(d));

/**
 * A model's layer calls (flattened, forward order) indexed by the search dimensions each depends
 * on: a call's input shapes and setting change only with a few dimensions (a block's conv with
 * the residual width and its own hidden width), found by moving each dimension alone from the
 * largest point. What a call costs is then memoised per call and per value of its own dimensions,
 * so a sub-network costs a sum of lookups, and a shape walk (`countMacs`) runs only for
 * combinations not seen before.
 */
export class LayerCallIndex {
  readonly nodes: FlatNode[];
  private readonly graphInputs: number[];
  /** Per call, the indices of the dimensions it depends on. */
  readonly deps: number[][];
  private readonly memo: Map<string, CallAt>[];
  /** Shape walks run so far. */
  walks = 0;

  constructor(
    readonly model: tfl.LayersModel,
    readonly inputShapes: number[][],
    readonly space: SearchSpace,
    private readonly macsOptions: Pick<CountMacsOptions, 'convention' | 'customCounters'> = {},
  ) {
    const graph = flattenModel(model);
    this.nodes = graph.nodes;
    this.graphInputs = graph.inputs;
    this.memo = this.nodes.map(() => new Map<string, CallAt>());
    const largest = space.largest();
    const base = this.walk(largest);
    const deps: Set<number>[] = this.nodes.map(() => new Set());
    space.dimensions.forEach((d, k) => {
      for (let c = 0; c < d.choices.length - 1; c++) {
        const point = [...largest];
        point[k] = c;
        this.walk(point).forEach((call, i) => {
          if (signature(call) !== signature(base[i] as CallAt)) deps[i]?.add(k);
        });
      }
    });
    this.deps = deps.map((s) => [...s].sort((a, b) => a - b));
    this.remember(largest, base);
  }

  /** Every call at a point (memoised per call; one shape walk when a combination is new). */
  at(point: readonly number[]): CallAt[] {
    const keys = this.deps.map((d) => d.map((k) => point[k]).join(','));
    const found = keys.map((key, i) => this.memo[i]?.get(key));
    if (found.every((c) => c !== undefined)) return found;
    const walked = this.walk(point);
    this.remember(point, walked);
    return walked;
  }

  /** The combinations of its own dimensions' values that call `i` can see, as points (others at their largest). */
  pointsOf(i: number): number[][] {
    const deps = this.deps[i] as number[];
    let points = [this.space.largest()];
    for (const k of deps) {
      const n = this.space.dimensions[k]?.choices.length as number;
      points = points.flatMap((p) =>
        Array.from({ length: n }, (_, c) => {
          const q = [...p];
          q[k] = c;
          return q;
        }),
      );
    }
    return points;
  }

  private remember(point: readonly number[], calls: Walk): void {
    calls.forEach((call, i) => this.memo[i]?.set((this.deps[i] ?? []).map((k) => point[k]).join(','), call));
  }

  /** A shape walk at a point: input shapes, setting and MACs of every call. */
  private walk(point: readonly number[]): Walk {
    this.walks++;
    const config: SubnetConfig = this.space.decode(point);
    const count = countMacs(this.model, this.inputShapes, { ...this.macsOptions, subnet: config });
    if (count.uncounted.length > 0)
      throw new GanCompressError(
        `model '${this.model.name}': countMacs cannot count layers ${count.uncounted.map((n) => `'${n}'`).join(', ')}; ` +
          'give options.customCounters for their classes',
      );
    if (count.perLayer.length !== this.nodes.length)
      throw new GanCompressError(
        `model '${this.model.name}': countMacs reported ${count.perLayer.length} layer calls, the flattened graph has ${this.nodes.length}`,
      );
    const shapes = new Map<number, LayerShape>();
    this.graphInputs.forEach((ref, k) => shapes.set(ref, this.inputShapes[k] as LayerShape));
    return this.nodes.map((node, i) => {
      const entry = count.perLayer[i];
      const inputShapes = node.inputs.map((ref) => shapes.get(ref) as LayerShape);
      const out = entry?.outputShape ?? [];
      const outs = isShapeList(out) ? out : [out];
      node.outputs.forEach((ref, j) => shapes.set(ref, outs[j] as LayerShape));
      const setting = config[node.layer.name];
      return { inputShapes, setting: setting == null ? null : { ...setting }, macs: entry?.macs ?? NaN };
    });
  }
}

/** What identifies a call's work: its input shapes and its setting. */
export function signature(call: CallAt): string {
  return `${JSON.stringify(call.inputShapes)}>${JSON.stringify(call.setting)}`;
}

/** The input shapes as a list, one per model input (`[1, 256, 256, 3]` or a list of such). */
export function inputShapeList(inputShape: number[] | number[][]): number[][] {
  if (!Array.isArray(inputShape)) throw new ConfigError('inputShape', inputShape, 'a shape, or one per model input');
  return Array.isArray(inputShape) && inputShape.length > 0 && inputShape.every((s) => Array.isArray(s))
    ? inputShape.map((s) => [...s])
    : [[...(inputShape as number[])]];
}
