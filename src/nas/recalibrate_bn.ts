import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertBoolean, assertKnownKeys, ConfigError, GanCompressError } from '../util/index.js';
import { ElasticBatchNorm } from '../layers/elastic/index.js';
import { singleInput } from '../layers/core/index.js';
import { allLayers } from '../layers/core/index.js';

/** One calibration batch: a tensor, or one tensor per model input. */
export type CalibrationBatch = tf.Tensor | tf.Tensor[];

/** Where {@link recalibrateBatchNorm} takes its batches from. */
export type CalibrationBatches =
  | CalibrationBatch
  | Iterable<CalibrationBatch>
  | AsyncIterable<CalibrationBatch>
  | (() => Iterable<CalibrationBatch> | AsyncIterable<CalibrationBatch>);

/** Options of {@link recalibrateBatchNorm}. */
export interface RecalibrateOptions {
  /** Dispose each batch after use (for generators that create them). Default false: the caller owns them. */
  disposeBatches?: boolean;
}

/** What {@link recalibrateBatchNorm} measured. */
export interface RecalibrateReport {
  /** Batch-norm layers whose statistics were rewritten, with the number of channels written. */
  layers: { name: string; channels: number }[];
  batches: number;
  /** Samples seen (sum of batch sizes). */
  samples: number;
}

interface Meter {
  layer: tfl.layers.Layer;
  epsilon: number;
  mean: tf.Tensor | null;
  variance: tf.Tensor | null;
  count: number;
}

function isBatchNorm(layer: tfl.layers.Layer): boolean {
  if (layer instanceof ElasticBatchNorm) return true;
  if (layer.getClassName() !== 'BatchNormalization') return false;
  const axis = (layer.getConfig() as { axis?: number }).axis;
  const rank = layer.inboundNodes[0]?.inputTensors[0]?.shape.length;
  return axis === -1 || (rank != null && axis === rank - 1);
}

function weight(layer: tfl.layers.Layer, name: string): tfl.LayerVariable | undefined {
  return layer.weights.find((w) => w.originalName.split('/').pop() === name);
}

function prefixOf(v: tfl.LayerVariable | undefined, c: number): tf.Tensor | undefined {
  if (v == null) return undefined;
  const t = v.read();
  return t.shape[0] === c ? t : tf.slice(t, [0], [c]);
}

/**
 * OFA's `set_running_statistics` for the active sub-network: runs the batches through the model
 * in inference mode, except that every batch norm (elastic and built-in, channels last) measures
 * its batch mean and biased variance and normalises with them; averages them over the batches
 * weighted by batch size; and writes them into the first C running-statistics entries (C = the
 * active width; the rest stay). No gradients, no momentum. Batches are tensors, arrays or
 * (async) iterables of them, or a function returning an iterable; they stay the caller's unless
 * `disposeBatches`. Refused, leaving the statistics as they were and nothing allocated: no batch
 * at all, a batch of no samples or with a NaN or ±Infinity (named with its index, e.g.
 * `batches[2][0][5][1][0]`), a batch the model refuses, and statistics that come out non-finite.
 *
 * @example
 * ```ts
 * // supernet: a model with batch norms (e.g. ElasticBatchNorm after each elastic conv)
 * setSubnet(supernet, maxSubnet(supernet)); // or the sub-network a search chose
 * const report = await recalibrateBatchNorm(supernet, tf.split(images, 10)); // e.g. 10 batches of training images
 * report.layers; // [{ name, channels }] of every batch norm whose statistics were rewritten
 * const y = supernet.predict(x);
 * ```
 */
export async function recalibrateBatchNorm(
  model: tfl.LayersModel,
  batches: CalibrationBatches,
  options: RecalibrateOptions = {},
): Promise<RecalibrateReport> {
  if (!(model instanceof tfl.LayersModel)) throw new ConfigError('model', model, 'a tf.LayersModel');
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, 'an object { disposeBatches? }');
  assertKnownKeys(
    'options',
    options as Record<string, unknown>,
    ['disposeBatches'],
    'an option of recalibrateBatchNorm',
  );
  const disposeBatches = options.disposeBatches ?? false;
  assertBoolean('options.disposeBatches', disposeBatches);
  const meters: Meter[] = allLayers(model)
    .filter(isBatchNorm)
    .map((layer) => ({
      layer,
      epsilon: (layer.getConfig() as { epsilon: number }).epsilon,
      mean: null,
      variance: null,
      count: 0,
    }));
  const report: RecalibrateReport = { layers: [], batches: 0, samples: 0 };
  const patched = meters.map((m) => m.layer as unknown as { call: unknown });
  meters.forEach(
    (m, i) => ((patched[i] as { call: unknown }).call = (inputs: tf.Tensor | tf.Tensor[]) => measure(m, inputs)),
  );
  // The running sums are freed on every path; statistics are written only once every batch ran
  // and every one of them is finite, so a failure leaves the model as it was.
  try {
    for await (const batch of iterate(batches)) {
      const argument = `batches[${report.batches}]`;
      const list = Array.isArray(batch) ? batch : [batch];
      if (list.length === 0 || !list.every((t) => t instanceof tf.Tensor))
        throw new ConfigError(argument, batch, 'tensors (one per model input)');
      list.forEach((t, i) => checkBatchTensor(list.length === 1 ? argument : `${argument}[${i}]`, t));
      tf.tidy(() => {
        tf.dispose(model.apply(list.length === 1 ? (list[0] as tf.Tensor) : list) as tf.Tensor | tf.Tensor[]);
      });
      report.batches++;
      report.samples += (list[0] as tf.Tensor).shape[0] ?? 0;
      if (disposeBatches) tf.dispose(list);
    }
    if (report.batches === 0)
      throw new ConfigError('batches', batches, 'at least one batch (the statistics of no data are undefined)');
    for (const m of meters) if (m.mean != null && m.variance != null) assertFiniteStatistics(m);
    for (const m of meters) {
      if (m.mean == null || m.variance == null || m.count === 0) continue;
      const c = m.mean.shape[0];
      tf.tidy(() => {
        write(weight(m.layer, 'moving_mean'), tf.div(m.mean as tf.Tensor, m.count), c);
        write(weight(m.layer, 'moving_variance'), tf.div(m.variance as tf.Tensor, m.count), c);
      });
      report.layers.push({ name: m.layer.name, channels: c });
    }
  } finally {
    for (const p of patched) delete (p as { call?: unknown }).call;
    for (const m of meters) tf.dispose([m.mean, m.variance].filter((t): t is tf.Tensor => t != null));
  }
  return report;
}

/**
 * Throws a `ConfigError` naming the batch unless `t` has at least one sample and only finite
 * values (a NaN would become NaN running statistics). The index of the first bad value is found
 * only when there is one (one scalar read otherwise).
 */
function checkBatchTensor(argument: string, t: tf.Tensor): void {
  if (t.rank === 0 || t.shape[0] === 0)
    throw new ConfigError(argument, `a tensor of shape [${t.shape.join(',')}]`, 'a batch of at least one sample');
  if (t.dtype !== 'float32') return;
  const finite = tf.tidy(() => tf.all(tf.isFinite(t)).dataSync()[0] === 1);
  if (finite) return;
  const data = t.dataSync();
  const k = data.findIndex((v) => !Number.isFinite(v));
  const index: number[] = [];
  let rest = k;
  for (let axis = t.rank - 1; axis >= 0; axis--) {
    index.unshift(rest % (t.shape[axis] as number));
    rest = Math.floor(rest / (t.shape[axis] as number));
  }
  throw new ConfigError(`${argument}${index.map((i) => `[${i}]`).join('')}`, data[k], 'a finite value');
}

/** Throws unless a layer's accumulated statistics are finite (the model itself made a NaN or ±∞). */
function assertFiniteStatistics(m: Meter): void {
  for (const [name, t] of [
    ['mean', m.mean],
    ['variance', m.variance],
  ] as const) {
    const values = (t as tf.Tensor).dataSync();
    const c = values.findIndex((v) => !Number.isFinite(v));
    if (c >= 0)
      throw new GanCompressError(
        `recalibrateBatchNorm: the batch ${name} of layer '${m.layer.name}' is ${values[c] as number} in channel ${c} on finite batches (the layers before it overflow or hold non-finite weights); no statistics were written`,
      );
  }
}

/** The patched batch-norm forward: batch statistics, recorded and used. */
function measure(m: Meter, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => {
    const x = singleInput(inputs, m.layer.name);
    const c = x.shape[x.rank - 1] as number;
    const n = x.shape[0];
    const { mean, variance } = tf.moments(x, x.shape.map((_, i) => i).slice(0, -1));
    const accumulate = (old: tf.Tensor | null, value: tf.Tensor): tf.Tensor => {
      if (old != null && old.shape[0] !== c)
        throw new ConfigError(`${m.layer.name} input channels`, c, `${old.shape[0]} in every batch`);
      const next = tf.keep(old == null ? tf.mul(value, n) : tf.add(old, tf.mul(value, n)));
      if (old != null) old.dispose();
      return next;
    };
    m.mean = accumulate(m.mean, mean);
    m.variance = accumulate(m.variance, variance);
    m.count += n;
    return tf.batchNorm(
      x,
      mean,
      variance,
      prefixOf(weight(m.layer, 'beta'), c),
      prefixOf(weight(m.layer, 'gamma'), c),
      m.epsilon,
    );
  });
}

function write(variable: tfl.LayerVariable | undefined, head: tf.Tensor, c: number): void {
  if (variable == null) return;
  const full = variable.read();
  const n = full.shape[0];
  variable.write(c === n ? head : tf.concat([head, tf.slice(full, [c], [n - c])]));
}

async function* iterate(batches: CalibrationBatches): AsyncGenerator<CalibrationBatch> {
  const source = typeof batches === 'function' ? batches() : batches;
  if (source instanceof tf.Tensor) {
    yield source;
    return;
  }
  if (source != null && typeof (source as AsyncIterable<CalibrationBatch>)[Symbol.asyncIterator] === 'function') {
    yield* source as AsyncIterable<CalibrationBatch>;
    return;
  }
  if (source != null && typeof (source as Iterable<CalibrationBatch>)[Symbol.iterator] === 'function') {
    // An array of tensors is a list of batches; a nested array is a list of multi-input batches.
    yield* source as Iterable<CalibrationBatch>;
    return;
  }
  throw new ConfigError('batches', batches, 'a tensor, an (async) iterable of batches or a function returning one');
}
