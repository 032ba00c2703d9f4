import type * as tfl from '@tensorflow/tfjs-layers';
import type { SubnetConfig } from '../graph/index.js';
import { countMacs, countParams, type CountMacsOptions } from '../metrics/index.js';
import { ConfigError } from '../util/index.js';
import { inputShapeList, LayerCallIndex } from './layer_calls.js';
import { SearchSpace } from './search_space.js';

/** Options of {@link macsCost}. */
export interface MacsCostOptions {
  /** The space the search draws from (its configs are costed from per-layer lookups). Default `SearchSpace.fromModel(model)`. */
  space?: SearchSpace;
  /** countMacs's convention. Default `'torchprofile'`. */
  convention?: CountMacsOptions['convention'];
  /** countMacs's counters for layers it has no rule for. */
  customCounters?: CountMacsOptions['customCounters'];
}

/**
 * A cost function counting the MACs of a sub-network (`countMacs` at that config, batch
 * included), memoised per layer: each layer call's count is stored per value of the few search
 * dimensions it depends on, so after the first few configs a new one costs a sum of lookups
 * rather than a walk of the graph. Configs outside `space` are counted by `countMacs` directly.
 *
 * @example
 * ```ts
 * const space = SearchSpace.fromModel(supernet);
 * const macs = macsCost(supernet, [1, 64, 64, 3], { space });
 * macs(space.decode(space.smallest())); // the same integer as countMacs(supernet, [1, 64, 64, 3], { subnet }).total
 * ```
 */
export function macsCost(
  model: tfl.LayersModel,
  inputShape: number[] | number[][],
  options: MacsCostOptions = {},
): (config: SubnetConfig) => number {
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, '{ space?, convention?, customCounters? }');
  const space = options.space ?? SearchSpace.fromModel(model);
  if (!(space instanceof SearchSpace)) throw new ConfigError('options.space', space, 'a SearchSpace');
  const macsOptions: Pick<CountMacsOptions, 'convention' | 'customCounters'> = {};
  if (options.convention !== undefined) macsOptions.convention = options.convention;
  if (options.customCounters !== undefined) macsOptions.customCounters = options.customCounters;
  const index = new LayerCallIndex(model, inputShapeList(inputShape), space, macsOptions);
  const outside = new Map<string, number>();
  return (config) => {
    let point: number[];
    try {
      point = space.encode(config);
    } catch {
      const key = JSON.stringify(config);
      let total = outside.get(key);
      if (total === undefined) {
        total = countMacs(model, inputShape, { ...macsOptions, subnet: config }).total;
        outside.set(key, total);
      }
      return total;
    }
    return index.at(point).reduce((sum, call) => sum + call.macs, 0);
  };
}

/**
 * A cost function counting the parameters of a sub-network (`countParams` at that config: what
 * the exported model will hold), memoised per config.
 *
 * @example
 * ```ts
 * const space = SearchSpace.fromModel(supernet);
 * const result = await randomSearch({ space, evaluate: () => 0, cost: paramsCost(supernet), budget: 5e5, samples: 10 });
 * ```
 */
export function paramsCost(model: tfl.LayersModel): (config: SubnetConfig) => number {
  countParams(model); // checks the model now rather than at the first call
  const memo = new Map<string, number>();
  return (config) => {
    const key = JSON.stringify(config);
    let n = memo.get(key);
    if (n === undefined) {
      n = countParams(model, { subnet: config });
      memo.set(key, n);
    }
    return n;
  };
}
