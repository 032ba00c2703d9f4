import * as tf from '@tensorflow/tfjs-core';

// A global symbol, so that two copies of this library in one process recognise each other's
// kernels and register once.
const MARK = Symbol.for('gancompress.wasmTrainingKernel');

/** wasm kernels this library replaced, kept for side-by-side benchmarks and delegation. */
const replaced = new Map<string, tf.KernelConfig>();

/** The wasm package's own kernel that this library replaced, if any. */
export function replacedWasmKernel(name: string): tf.KernelConfig | undefined {
  return replaced.get(name);
}

function isOurs(config: tf.KernelConfig | undefined): boolean {
  return config != null && (config.kernelFunc as unknown as Record<symbol, unknown>)[MARK] === true;
}

/** How {@link provideWasmKernel} treats a kernel the wasm package already has. */
export type Existing = 'replace' | 'keep';

/**
 * Registers `impl` as the wasm backend's `name` kernel unless one of this library's is already
 * there. A kernel of the wasm package is replaced (and kept for {@link replacedWasmKernel}) or
 * kept, as `existing` says. Returns whether it registered.
 */
export function provideWasmKernel(name: string, impl: tf.KernelFunc, existing: Existing): boolean {
  const current = tf.getKernel(name, 'wasm');
  if (isOurs(current)) return false;
  if (current != null) {
    if (existing === 'keep') return false;
    replaced.set(name, current);
    tf.unregisterKernel(name, 'wasm');
  }
  const kernelFunc: tf.KernelFunc = (args) => impl(args);
  Object.defineProperty(kernelFunc, MARK, { value: true });
  // The replaced kernel's setup (its cwraps) still has to run when the backend initialises: the
  // replacement may delegate to it.
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, setupFunc: current?.setupFunc });
  return true;
}
