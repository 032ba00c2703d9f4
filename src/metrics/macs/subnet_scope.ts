import type * as tfl from '@tensorflow/tfjs-layers';
import { checkSubnet, withSubnet, type SubnetConfig } from '../../graph/index.js';
import { GanCompressError } from '../../util/index.js';

/** `withSubnet` for the counters: a config the model refuses is reported as the `options.subnet` argument. */
export function atSubnet<T>(model: tfl.LayersModel, subnet: SubnetConfig | undefined, fn: () => T): T {
  if (subnet !== undefined) {
    try {
      checkSubnet(model, subnet);
    } catch (e) {
      // checkSubnet names the layer as `config.<name>`; say which argument that config was.
      if (e instanceof GanCompressError) e.message = `options.subnet: ${e.message}`;
      throw e;
    }
  }
  return withSubnet(model, subnet, fn);
}
