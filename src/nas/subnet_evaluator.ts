import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { withSubnet, type SubnetConfig } from '../graph/index.js';
import { allLayers } from '../layers/core/index.js';
import { ElasticBatchNorm } from '../layers/elastic/index.js';
import { ConfigError } from '../util/index.js';
import { recalibrateBatchNorm, type CalibrationBatches } from './recalibrate_bn.js';
import type { EvaluateFunction } from './search_types.js';

/** Options of {@link subnetEvaluator}. */
export interface SubnetEvaluatorOptions {
  /**
   * Batches to re-measure batch-norm statistics on before each evaluation (OFA's
   * `set_running_statistics`): required when the model has ElasticBatchNorm layers, whose running
   * statistics belong to no sub-network in particular. Kept by the caller (not disposed).
   */
  calibration?: CalibrationBatches;
}

/**
 * Turns "score this model" into a search's `evaluate`: for each config, the supernet is set to
 * that sub-network (`withSubnet`), its batch norms are re-calibrated (`recalibrateBatchNorm`) when
 * it has ElasticBatchNorm layers, `score(model, config)` runs, and the model is put back as it
 * was — sub-network and running statistics both.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([4, 32, 32, 3]);
 * const target = teacher.predict(x) as tf.Tensor4D;
 * const evaluate = subnetEvaluator(
 *   supernet,
 *   (m) => tf.tidy(() => psnr(target, m.predict(x) as tf.Tensor4D, 2)),
 *   { calibration: [images] },
 * );
 * const result = await randomSearch({ space: SearchSpace.fromModel(supernet), evaluate, samples: 20 });
 * ```
 */
export function subnetEvaluator(
  model: tfl.LayersModel,
  score: (model: tfl.LayersModel, config: SubnetConfig) => number | Promise<number>,
  options: SubnetEvaluatorOptions = {},
): EvaluateFunction {
  if (typeof score !== 'function') throw new ConfigError('score', score, 'a function (model, config) => number');
  if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ calibration? }');
  const elasticNorms = allLayers(model).filter((l) => l instanceof ElasticBatchNorm);
  const calibration = options.calibration;
  if (elasticNorms.length > 0 && calibration === undefined)
    throw new ConfigError(
      'options.calibration',
      calibration,
      `calibration batches: model '${model.name}' has ElasticBatchNorm layers (${elasticNorms
        .map((l) => `'${l.name}'`)
        .join(', ')}) whose running statistics must be re-measured for each sub-network`,
    );
  const statistics = allLayers(model).flatMap((l) =>
    l.weights.filter((w) => /(^|\/)moving_(mean|variance)$/.test(w.originalName)),
  );
  return (config) =>
    withSubnet(model, config, async () => {
      if (calibration === undefined) return score(model, config);
      const saved = statistics.map((w) => tf.clone(w.read()));
      try {
        await recalibrateBatchNorm(model, calibration);
        return await score(model, config);
      } finally {
        statistics.forEach((w, i) => w.write(saved[i] as tf.Tensor));
        tf.dispose(saved);
      }
    });
}
