import type * as tfl from '@tensorflow/tfjs-layers';
import { shortName } from '../../helpers/weights.js';
import { arr, type Arr } from './reference.js';

/** The layer's weights as float64 arrays, by their short name (`kernel`, `bias`, `7to5`, ...). */
export function weightsByName(layer: tfl.layers.Layer): Record<string, Arr> {
  const out: Record<string, Arr> = {};
  for (const w of layer.weights) out[shortName(w)] = arr(w.read());
  return out;
}
