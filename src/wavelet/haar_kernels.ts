import * as tf from '@tensorflow/tfjs-core';
import { haarCpuKernel } from './haar_kernel_cpu.js';
import { haarWasmKernel } from './haar_kernel_wasm.js';
import type { HaarDirection } from './haar_pass.js';

/*
 * One-pass Haar kernels for the backends whose memory JavaScript can reach (cpu, wasm). haarDwt /
 * haarIdwt run them through the engine when the current backend has one and fall back to the
 * whole-tensor formulations of haar_transform.ts elsewhere (webgl, webgpu, tensorflow).
 */

/** The kernel name of each direction. Input `{ x }`, no attributes, float32 output. */
export const HAAR_KERNEL_NAMES: Readonly<Record<HaarDirection, string>> = {
  analysis: 'GancompressHaarDwt',
  synthesis: 'GancompressHaarIdwt',
};

/** The backends that get kernels, and how each builds one. */
const FACTORIES: Readonly<Record<string, (kernelName: string, direction: HaarDirection) => tf.KernelFunc>> = {
  cpu: haarCpuKernel,
  wasm: haarWasmKernel,
};

/** The backends {@link registerHaarKernels} provides kernels for. */
export const HAAR_KERNEL_BACKENDS: readonly string[] = Object.keys(FACTORIES);

/**
 * Registers the Haar kernels under their own names for the cpu and wasm backends (whether or
 * not those are loaded: the registry is keyed by name). Idempotent: a kernel already registered
 * under one of these names — by an earlier call, or by another copy of the library — is kept.
 * Returns the `name/backend` pairs registered by this call.
 */
export function registerHaarKernels(): string[] {
  const registered: string[] = [];
  for (const [backendName, factory] of Object.entries(FACTORIES)) {
    for (const [direction, kernelName] of Object.entries(HAAR_KERNEL_NAMES) as [HaarDirection, string][]) {
      if (tf.getKernel(kernelName, backendName) != null) continue;
      tf.registerKernel({ kernelName, backendName, kernelFunc: factory(kernelName, direction) });
      registered.push(`${kernelName}/${backendName}`);
    }
  }
  return registered;
}
registerHaarKernels();

/**
 * The transform of `x` by the current backend's kernel (non-float32 input cast first), or null
 * when the backend has none. Shapes must already be checked.
 */
export function runHaarKernel(direction: HaarDirection, x: tf.Tensor4D): tf.Tensor4D | null {
  const kernelName = HAAR_KERNEL_NAMES[direction];
  if (tf.getKernel(kernelName, tf.getBackend()) == null) return null;
  if (x.dtype === 'float32') return tf.engine().runKernel<tf.Tensor4D>(kernelName, { x });
  return tf.tidy(() => tf.engine().runKernel<tf.Tensor4D>(kernelName, { x: tf.cast(x, 'float32') }));
}
