import * as tf from '@tensorflow/tfjs-core';
import { backpropInput } from './wasm_backprop_input.js';
import { convGeometry } from './wasm_conv_geometry.js';
import { unpack, type KernelArgs } from './wasm_kernel_utils.js';

/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend: each stride phase is an XNNPACK
 * depthwise conv of the output gradient with the flipped sub-filter (channel multiplier M folded
 * into the channels, then summed), see {@link backpropInput}.
 */
export function depthwiseBackpropInputWasm(args: KernelArgs): tf.TensorInfo {
  const { backend, attrs, input } = unpack<tf.DepthwiseConv2dNativeBackpropInputAttrs>(args);
  const filter = input('filter');
  const g = convGeometry([...attrs.inputShape], filter.shape, attrs, true);
  return backpropInput(backend, input('dy'), filter, g, true);
}
