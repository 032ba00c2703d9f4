import * as tfl from '@tensorflow/tfjs-layers';

/** Every layer of `model`, nested models' layers included (depth first, in model order; no InputLayers). */
export function allLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const out: tfl.layers.Layer[] = [];
  for (const layer of model.layers) {
    if (layer instanceof tfl.LayersModel) out.push(...allLayers(layer));
    else if (layer.getClassName() !== 'InputLayer') out.push(layer);
  }
  return out;
}
