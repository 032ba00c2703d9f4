import * as tf from '@tensorflow/tfjs-core';
import { backpropInput } from './wasm_backprop_input.js';
import { convGeometry } from './wasm_conv_geometry.js';
import { free, transpose, unpack, type KernelArgs } from './wasm_kernel_utils.js';

/**
 * Conv2DBackpropInput for the wasm backend (also the forward pass of `tf.conv2dTranspose`), on
 * XNNPACK convolutions: see {@link backpropInput}. The wasm package's own kernel is a scalar
 * loop about ten times slower than its forward conv. NCHW is handled by transposing to NHWC
 * and back.
 */
export function conv2dBackpropInputWasm(args: KernelArgs): tf.TensorInfo {
  const { backend, attrs, input } = unpack<tf.Conv2DBackpropInputAttrs>(args);
  const filter = input('filter');
  let dy = input('dy');
  const g = convGeometry([...attrs.inputShape], filter.shape, attrs, false);
  if (attrs.dataFormat !== 'NCHW') return backpropInput(backend, dy, filter, g, false);
  dy = transpose(backend, dy, [0, 2, 3, 1]);
  const nhwc = backpropInput(backend, dy, filter, g, false);
  const out = transpose(backend, nhwc, [0, 3, 1, 2]);
  free(backend, dy, nhwc);
  return out;
}
