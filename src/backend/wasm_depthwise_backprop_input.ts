import * as tf from '@tensorflow/tfjs-core';
import { backpropInput } from './wasm_backprop_input.js';
import { convGeometry, type ConvAttrs } from './wasm_conv_geometry.js';
import type { WasmBackend } from './wasm_kernel_utils.js';

/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend: each stride phase is an XNNPACK
 * depthwise conv of the output gradient with the flipped sub-filter (channel multiplier M folded
 * into the channels, then summed), see {@link backpropInput}.
 */
export function depthwiseBackpropInputWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const filter = args.inputs['filter'] as tf.TensorInfo;
  const dy = args.inputs['dy'] as tf.TensorInfo;
  const g = convGeometry([...attrs.inputShape], filter.shape, attrs as ConvAttrs, true);
  return backpropInput(backend, dy, filter, g, true);
}
