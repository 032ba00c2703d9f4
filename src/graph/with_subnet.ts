import type * as tfl from '@tensorflow/tfjs-layers';
import type { ElasticSetting } from '../layers/core/index.js';
import { getElasticLayers, setSubnet, type SubnetConfig } from './subnet.js';

/**
 * Runs `fn` with the sub-network `config` active on `model`, then restores every elastic layer's
 * previous setting exactly — also when `fn` throws, and, when `fn` returns a promise, once that
 * promise settles. The config is checked as `setSubnet` checks it, before anything changes. With
 * `config` undefined, `fn` runs at the current setting. This is the one way the library evaluates
 * at a sub-network (MAC counting, export, search, distillation).
 *
 * Do not change the model's sub-network from elsewhere while an async `fn` runs: the restore puts
 * back the setting `withSubnet` found.
 *
 * @example
 * ```ts
 * const supernet = SuperMobileResnetGenerator({ ngf: 32 });
 * const subnet = resnetConfigFromString('16_16_32_16_32_32_16_16');
 * const macs = withSubnet(supernet, subnet, () => countMacs(supernet, [1, 256, 256, 3]).total); // 2546204672
 * // an async fn too: the supernet returns to its previous setting once the promise settles
 * const pixels = await withSubnet(supernet, subnet, async () => {
 *   const y = supernet.predict(tf.zeros([1, 64, 64, 3])) as tf.Tensor;
 *   return y.data();
 * });
 * ```
 */
export function withSubnet<T>(model: tfl.LayersModel, config: SubnetConfig | undefined, fn: () => T): T {
  if (config === undefined) return fn();
  const layers = getElasticLayers(model);
  const previous = layers.map((l) => l.getActive());
  setSubnet(model, config);
  // Restored layer by layer: the previous state was valid, and setSubnet's tie checks would refuse
  // an intermediate state.
  const restore = (): void => layers.forEach((l, i) => l.setActive(previous[i] as ElasticSetting));
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).finally(restore) as T;
  }
  restore();
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
