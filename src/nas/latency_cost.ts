import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { withSubnet, type SubnetConfig } from '../graph/index.js';
import { measureLatency } from '../metrics/index.js';
import { ConfigError, GanCompressError, Random, assertInt, isNode } from '../util/index.js';
import { fingerprint } from './fingerprint.js';
import { inputShapeList, LayerCallIndex, type CallAt } from './layer_calls.js';
import {
  checkTables,
  currentBackend,
  deviceString,
  emptyTables,
  readTables,
  tableKey,
  writeTables,
  type LatencyCheck,
  type LatencyEntry,
  type LatencyTable,
  type LatencyTableFile,
} from './latency_table.js';
import { SearchSpace } from './search_space.js';

/** Options of {@link latencyCost}. */
export interface LatencyCostOptions {
  /** The sub-networks to predict (the table covers them). Default `SearchSpace.fromModel(model)`. */
  space?: SearchSpace;
  /** Timed runs per layer call and per whole-network check (the median is kept). Default 10. */
  runs?: number;
  /** Untimed runs first. Default 2. */
  warmup?: number;
  /** The device, for the table's key. Default: CPU model, count and OS in Node; the user agent in browsers. */
  device?: string;
  /** A JSON file (Node) the tables are read from and written to (atomically), keyed by backend, device and shapes. */
  cache?: string;
  /** Tables from an earlier run (`cost.toJSON()`), e.g. kept in a browser's storage; entries found there are not measured again. */
  tables?: LatencyTableFile;
  /** Random sub-networks measured whole, besides the smallest and the largest, to check the predictions. Default 3. */
  checks?: number;
  /**
   * Scale the sums by the median ratio measured / summed over the checks (one factor per device for
   * what timing layers alone misses: graph overhead, caches, threads). Default true; false keeps
   * OFA's plain sum.
   */
  calibrate?: boolean;
  /** Seed of the random checks and the inputs. Default 0. */
  seed?: number;
  /** Told after each layer call measured (`done` of `total` to measure). */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link latencyCost} returns: a cost function in milliseconds, with its table. */
export interface LatencyCost {
  /** The predicted latency of a sub-network of the space, in ms: the sum of its layer calls' medians, times `scale`. */
  (config: SubnetConfig): number;
  /** This device's table. */
  readonly table: LatencyTable;
  /** Whole-network measurements against predictions (smallest, largest, random). */
  readonly checks: LatencyCheck[];
  /** The factor applied to the sums (1 without `calibrate`). */
  readonly scale: number;
  /** Layer calls measured by this call (0 when everything came from the cache). */
  readonly measured: number;
  /** Measures a sub-network whole (median ms over `runs`), as the checks do. */
  measure(config: SubnetConfig, options?: { runs?: number; warmup?: number }): Promise<number>;
  /** Every table (this one and those loaded), to keep: `localStorage.setItem(k, JSON.stringify(cost))`. */
  toJSON(): LatencyTableFile;
}

/** Shortest timed region: calls faster than this are repeated inside one region and the time divided. */
const MIN_REGION_MS = 2;

/**
 * The median time of one call of `apply` on random inputs of `shapes`, less `harnessMs`: each timed
 * region runs the call `reps` times (enough to last `MIN_REGION_MS`) and reads back one value of
 * the last output, so neither a copy of the output nor the timer's resolution is counted.
 */
async function timeCall(
  apply: (inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  shapes: number[][],
  o: { warmup: number; runs: number },
  seed: number,
  harnessMs = 0,
): Promise<LatencyEntry> {
  const inputs = shapes.map((s, j) => tf.randomNormal(s, 0, 1, 'float32', seed + j));
  const region = (reps: number) => (): tf.Tensor =>
    tf.tidy(() => {
      let y: tf.Tensor | tf.Tensor[] = inputs;
      for (let r = 0; r < reps; r++) y = apply(inputs);
      const first = (Array.isArray(y) ? y[0] : y) as tf.Tensor;
      return tf.slice(tf.reshape(first, [-1]), 0, 1);
    });
  try {
    const probe = await measureLatency(region(1), { warmup: o.warmup, runs: 1 });
    const reps = Math.min(100, Math.max(1, Math.ceil(MIN_REGION_MS / Math.max(probe.medianMs, 1e-3))));
    const stats = await measureLatency(region(reps), { warmup: reps > 1 ? 1 : 0, runs: o.runs });
    return {
      medianMs: Math.max(0, (stats.medianMs - harnessMs) / reps),
      meanMs: Math.max(0, (stats.meanMs - harnessMs) / reps),
      runs: stats.runs,
      reps,
    };
  } finally {
    tf.dispose(inputs);
  }
}

/** The median time of a timed region that only reads back one value (the cost of timing itself). */
async function timeHarness(o: { warmup: number; runs: number }): Promise<number> {
  const x = tf.zeros([1, 1]);
  try {
    const stats = await measureLatency(() => tf.tidy(() => tf.slice(tf.reshape(x, [-1]), 0, 1)), o);
    return stats.medianMs;
  } finally {
    x.dispose();
  }
}

const OPTION_KEYS = [
  'space',
  'runs',
  'warmup',
  'device',
  'cache',
  'tables',
  'checks',
  'calibrate',
  'seed',
  'onProgress',
];

/** Configuration keys that do not change what a layer computes or how fast. */
const IRRELEVANT = /^(name|trainable)$|Initializer$|Regularizer$|Constraint$/;

function layerId(layer: tfl.layers.Layer): string {
  const config = Object.fromEntries(Object.entries(layer.getConfig()).filter(([k]) => !IRRELEVANT.test(k)));
  return `${layer.getClassName()}#${fingerprint(JSON.stringify(config))}`;
}

/**
 * A latency cost measured on the current backend (cpu, wasm, webgl, webgpu, tensorflow): OFA's
 * per-layer lookup table, built on the user's own device. Every layer call of the model is timed
 * alone at each input shape and setting the space can give it (identical layers share entries),
 * and a sub-network's latency is predicted as the sum of its calls' medians. The table is built
 * once — cached in a JSON file (`cache`, Node) or handed back through `tables` (browsers) — keyed
 * by backend, device and input shapes. The sums are checked against whole-network measurements of
 * the smallest, the largest and `checks` random sub-networks (`cost.checks`) and, with
 * `calibrate` (the default), scaled by the median ratio of measured to summed.
 *
 * @example
 * ```ts
 * await initBackend('wasm');
 * const space = SearchSpace.fromModel(supernet);
 * const latency = await latencyCost(supernet, [1, 256, 256, 3], { space, runs: 10, cache: 'latency.json' });
 * for (const c of latency.checks) console.log(c.predictedMs.toFixed(1), c.measuredMs.toFixed(1));
 * const result = await evolutionSearch({ space, evaluate: () => 0, cost: latency, budget: 40, generations: 5 });
 * ```
 */
export async function latencyCost(
  model: tfl.LayersModel,
  inputShape: number[] | number[][],
  options: LatencyCostOptions = {},
): Promise<LatencyCost> {
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, `{ ${OPTION_KEYS.join(', ')} }`);
  for (const k of Object.keys(options))
    if (!OPTION_KEYS.includes(k))
      throw new ConfigError(`options.${k}`, (options as Record<string, unknown>)[k], 'no such option');
  const space = options.space ?? SearchSpace.fromModel(model);
  if (!(space instanceof SearchSpace)) throw new ConfigError('options.space', space, 'a SearchSpace');
  const runs = options.runs ?? 10;
  const warmup = options.warmup ?? 2;
  const nChecks = options.checks ?? 3;
  const calibrate = options.calibrate ?? true;
  if (typeof calibrate !== 'boolean') throw new ConfigError('options.calibrate', calibrate, 'true or false');
  const seed = options.seed ?? 0;
  assertInt('options.runs', runs, 1);
  assertInt('options.warmup', warmup, 0);
  assertInt('options.checks', nChecks, 0);
  assertInt('options.seed', seed);
  if (options.device !== undefined && (typeof options.device !== 'string' || options.device.length === 0))
    throw new ConfigError('options.device', options.device, 'a non-empty string');
  if (options.cache !== undefined) {
    if (typeof options.cache !== 'string' || options.cache.length === 0)
      throw new ConfigError('options.cache', options.cache, 'a JSON file path');
    if (!isNode()) throw new ConfigError('options.cache', options.cache, 'nothing in a browser: use options.tables');
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    throw new ConfigError('options.onProgress', options.onProgress, 'a function (done, total) => void');

  const shapes = inputShapeList(inputShape);
  const index = new LayerCallIndex(model, shapes, space);
  const backend = currentBackend();
  const device = options.device ?? (await deviceString());
  const key = tableKey(backend, device, shapes);
  const file: LatencyTableFile =
    options.cache !== undefined
      ? await readTables(options.cache)
      : options.tables !== undefined
        ? structuredClone(checkTables(options.tables, 'options.tables'))
        : emptyTables();
  const table: LatencyTable = file.tables[key] ?? { backend, device, inputShapes: shapes, entries: {}, checks: [] };
  file.tables[key] = table;
  const save = async (): Promise<void> => {
    if (options.cache !== undefined) await writeTables(options.cache, file);
  };

  const ids = index.nodes.map((n) => layerId(n.layer));
  const entryKey = (i: number, call: CallAt): string =>
    `${ids[i]}|${JSON.stringify(call.inputShapes)}|${JSON.stringify(call.setting)}`;

  // Every (call, setting) the space can produce, once.
  const todo = new Map<string, { i: number; point: number[]; call: CallAt }>();
  index.nodes.forEach((_, i) => {
    for (const point of index.pointsOf(i)) {
      const call = index.at(point)[i] as CallAt;
      const k = entryKey(i, call);
      if (table.entries[k] === undefined && !todo.has(k)) todo.set(k, { i, point, call });
    }
  });
  // What the timing itself costs (one value read back): taken off every entry.
  const harnessMs = todo.size === 0 ? 0 : await timeHarness({ warmup: Math.max(warmup, 2), runs });
  let done = 0;
  for (const [k, { i, point, call }] of todo) {
    const node = index.nodes[i] as (typeof index.nodes)[number];
    const apply = (inputs: tf.Tensor[]): tf.Tensor | tf.Tensor[] =>
      node.layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, node.kwargs) as tf.Tensor | tf.Tensor[];
    const stats = await withSubnet(model, space.decode(point), () =>
      timeCall(apply, call.inputShapes as number[][], { warmup, runs }, seed, harnessMs),
    );
    table.entries[k] = stats;
    done++;
    options.onProgress?.(done, todo.size);
    if (done % 50 === 0) await save();
  }

  const sumAt = (point: number[]): number =>
    index.at(point).reduce((sum, call, i) => {
      const entry = table.entries[entryKey(i, call)];
      if (entry === undefined)
        throw new GanCompressError(
          `latency table '${key}': no entry for layer '${index.nodes[i]?.layer.name}' at ${entryKey(i, call)}`,
        );
      return sum + entry.medianMs;
    }, 0);
  let scale = 1;
  const predict = (config: SubnetConfig): number => {
    let point: number[];
    try {
      point = space.encode(config);
    } catch (e) {
      if (e instanceof GanCompressError)
        e.message = `latencyCost predicts the sub-networks of its space only: ${e.message}`;
      throw e;
    }
    return scale * sumAt(point);
  };
  const measure = async (config: SubnetConfig, o: { runs?: number; warmup?: number } = {}): Promise<number> => {
    const xs = shapes.map((s, j) => tf.randomNormal(s, 0, 1, 'float32', seed + j));
    try {
      const stats = await withSubnet(model, config, () =>
        measureLatency(() => model.predict(xs.length === 1 ? (xs[0] as tf.Tensor) : xs), {
          warmup: o.warmup ?? warmup,
          runs: o.runs ?? runs,
        }),
      );
      return stats.medianMs;
    } finally {
      tf.dispose(xs);
    }
  };

  const rng = new Random(seed);
  const points = [
    space.smallest(),
    space.largest(),
    ...Array.from({ length: nChecks }, () => space.sampleIndices(rng)),
  ];
  const runsOf = points.map((point) => ({ point, sumMs: sumAt(point), measuredMs: 0 }));
  for (const r of runsOf) r.measuredMs = await measure(space.decode(r.point));
  // One factor for what timing layers alone misses (or adds) on this device: the median ratio.
  const ratios = runsOf.filter((r) => r.sumMs > 0).map((r) => r.measuredMs / r.sumMs);
  if (calibrate && ratios.length > 0) {
    const sorted = [...ratios].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    scale =
      sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  }
  const checks: LatencyCheck[] = runsOf.map(({ point, sumMs, measuredMs }) => ({
    values: space.values(point),
    sumMs,
    predictedMs: scale * sumMs,
    measuredMs,
    error: (scale * sumMs) / measuredMs - 1,
  }));
  table.checks = checks;
  table.scale = scale;
  await save();

  const cost = predict as LatencyCost;
  Object.assign(cost, { table, checks, scale, measured: done, measure, toJSON: () => structuredClone(file) });
  return cost;
}
