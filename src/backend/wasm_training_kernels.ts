import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../util/index.js';
import { conv2dBackpropFilterWasm } from './wasm_conv2d_backprop_filter.js';
import { conv2dBackpropInputWasm } from './wasm_conv2d_backprop_input.js';
import { depthwiseBackpropFilterWasm } from './wasm_depthwise_backprop_filter.js';
import { depthwiseBackpropInputWasm } from './wasm_depthwise_backprop_input.js';
import { unsortedSegmentSumWasm } from './wasm_unsorted_segment_sum.js';
import { provideWasmKernel } from './wasm_kernel_registry.js';

/**
 * The kernels {@link registerWasmTrainingKernels} provides for the `'wasm'` backend: the four
 * that @tensorflow/tfjs-backend-wasm 4.22 lacks (so convolutions and `tf.gather` could not be
 * differentiated on it) and a faster Conv2DBackpropInput (the input gradient of conv2d and the
 * forward pass of conv2dTranspose).
 *
 * @example
 * ```ts
 * for (const name of WASM_TRAINING_KERNELS) console.log(name, tf.getKernel(name, 'wasm') != null);
 * ```
 */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
] as const;

/** Kernels the wasm package may one day provide itself; then its own are kept. */
const MISSING_UPSTREAM = new Set<string>([
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
]);

const IMPLEMENTATIONS: Record<(typeof WASM_TRAINING_KERNELS)[number], tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2dBackpropFilterWasm,
  Conv2DBackpropInput: conv2dBackpropInputWasm,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterWasm,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputWasm,
  UnsortedSegmentSum: unsortedSegmentSumWasm,
};

export { replacedWasmKernel } from './wasm_kernel_registry.js';

/**
 * Registers, for the `'wasm'` backend only, the gradient kernels that make models with
 * convolutions, depthwise/separable convolutions, transposed convolutions and `tf.gather`
 * trainable on it (see {@link WASM_TRAINING_KERNELS}). They are built from the wasm backend's
 * own XNNPACK convolutions and matrix products (and copies), so a backward pass runs at a speed
 * comparable to the forward pass. `initBackend('wasm')` calls this for you.
 *
 * Call it after importing @tensorflow/tfjs-backend-wasm. It is idempotent: kernels already
 * registered by it are left alone; a missing kernel that a future wasm package provides
 * itself is kept. Returns the names it registered by this call (empty when there was nothing
 * to do).
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmTrainingKernels } from 'gancompress';
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * const g = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))(w); // works on wasm
 * ```
 */
export function registerWasmTrainingKernels(): string[] {
  if (tf.getKernel('Conv2D', 'wasm') == null) {
    throw new BackendError(
      'registerWasmTrainingKernels(): the wasm backend is not loaded; import @tensorflow/tfjs-backend-wasm first (or call initBackend("wasm"))',
    );
  }
  return WASM_TRAINING_KERNELS.filter((name) =>
    provideWasmKernel(name, IMPLEMENTATIONS[name], MISSING_UPSTREAM.has(name) ? 'keep' : 'replace'),
  );
}
