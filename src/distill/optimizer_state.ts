import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../util/index.js';

/** A named tensor, as tfjs optimizers' getWeights/setWeights take them (tfjs-core does not export its type). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

const FIELD = 'field:';

/**
 * Everything an optimizer needs to continue exactly: `getWeights()` (iterations and slots such
 * as Adam's moments) plus its other variable fields. tfjs's `setWeights` recomputes Adam's
 * β-power accumulators as `pow(β, t + 1)`, which differs in the last bits from the running
 * products an uninterrupted run holds; saving those fields too makes a resumed run bit-identical.
 */
export async function getOptimizerState(optimizer: tf.Optimizer): Promise<NamedTensor[]> {
  const weights = await optimizer.getWeights();
  const listed = new Set(weights.map((w) => w.tensor));
  const fields: NamedTensor[] = [];
  for (const [key, value] of Object.entries(optimizer)) {
    if (value instanceof tf.Variable && !listed.has(value)) fields.push({ name: `${FIELD}${key}`, tensor: value });
  }
  return [...weights, ...fields];
}

/** Restores a state from {@link getOptimizerState}; `count` is the number of slots expected (checked). */
export async function setOptimizerState(
  argument: string,
  optimizer: tf.Optimizer,
  state: NamedTensor[],
  variables: number,
): Promise<void> {
  const weights = state.filter((w) => !w.name.startsWith(FIELD));
  const fields = state.filter((w) => w.name.startsWith(FIELD));
  // getWeights: the iteration count, then one slot per variable per kind of slot (0 before the first step)
  const slots = weights.length - 1;
  if (weights.length < 1 || (slots > 0 && slots % variables !== 0))
    throw new ConfigError(
      argument,
      `${slots} optimizer slots`,
      `a multiple of ${variables}, the trainable variables of this model (the checkpoint is of another model)`,
    );
  await optimizer.setWeights(weights);
  const target = optimizer as unknown as Record<string, unknown>;
  for (const f of fields) {
    const key = f.name.slice(FIELD.length);
    const v = target[key];
    if (!(v instanceof tf.Variable) || !tf.util.arraysEqual((v as tf.Variable).shape, f.tensor.shape))
      throw new ConfigError(
        argument,
        key,
        `a variable field of ${optimizer.getClassName()} (the checkpoint is of another optimizer)`,
      );
    v.assign(f.tensor);
  }
}

/** `{ className, config }` of an optimizer, to rebuild it with {@link optimizerFromConfig}. */
export function optimizerConfig(optimizer: tf.Optimizer): { className: string; config: tf.serialization.ConfigDict } {
  return { className: optimizer.getClassName(), config: optimizer.getConfig() };
}

/** An optimizer from {@link optimizerConfig}'s output (tfjs registers its optimizers by class name). */
export function optimizerFromConfig(argument: string, spec: unknown): tf.Optimizer {
  const s = spec as { className?: unknown; config?: unknown } | null;
  const entry =
    s != null && typeof s.className === 'string'
      ? tf.serialization.SerializationMap.getMap().classNameMap[s.className]
      : undefined;
  if (entry == null || s?.config == null || typeof s.config !== 'object')
    throw new ConfigError(argument, spec, 'the { className, config } of a registered tfjs optimizer');
  const [cls, fromConfig] = entry;
  const optimizer = fromConfig(cls, s.config as tf.serialization.ConfigDict);
  if (!(optimizer instanceof tf.Optimizer)) throw new ConfigError(argument, spec, 'a tfjs optimizer class');
  return optimizer;
}
