import type * as tfl from '@tensorflow/tfjs-layers';
import { GanCompressError } from '../util/index.js';
import { getElasticLayers, setSubnet, type SubnetConfig } from './subnet.js';

/**
 * Runs `fn` with `subnet` active on `model` and restores every elastic layer's previous setting
 * afterwards (also when `fn` throws), so counting at a sub-network leaves the supernet as it was.
 * Without a subnet, just runs `fn`.
 */
export function withSubnet<T>(model: tfl.LayersModel, subnet: SubnetConfig | undefined, fn: () => T): T {
  if (subnet === undefined) return fn();
  const layers = getElasticLayers(model);
  const previous = layers.map((l) => l.getActive());
  try {
    setSubnet(model, subnet);
  } catch (e) {
    // setSubnet names the layer as `config.<name>`; say which argument that config was.
    if (e instanceof GanCompressError) e.message = `options.subnet: ${e.message}`;
    throw e;
  }
  try {
    return fn();
  } finally {
    // Restored layer by layer: the previous state is valid by construction, and setSubnet's
    // tie checks would reject a state built with setActive on single layers.
    layers.forEach((l, i) => l.setActive(previous[i] as ReturnType<typeof l.getActive>));
  }
}
