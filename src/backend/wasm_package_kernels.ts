import type * as tf from '@tensorflow/tfjs-core';
import { castWasm, identityWasm, sliceWasm } from './wasm_copy_kernels.js';
import { provideWasmKernel } from './wasm_kernel_registry.js';
import { sumWasm } from './wasm_sum_kernel.js';

/**
 * The wasm package's kernels {@link registerWasmPackageKernels} replaces: copies it makes where
 * none is needed (see wasm_copy_kernels.ts) and a Sum that transposes before a sum of rows (see
 * wasm_sum_kernel.ts). Each delegates to the package's own for the cases it does not speed up.
 */
export const WASM_REPLACED_KERNELS = ['Slice', 'Identity', 'Cast', 'Sum'] as const;

const IMPLEMENTATIONS: Record<(typeof WASM_REPLACED_KERNELS)[number], tf.KernelFunc> = {
  Slice: sliceWasm,
  Identity: identityWasm,
  Cast: castWasm,
  Sum: sumWasm,
};

/**
 * Replaces the kernels of {@link WASM_REPLACED_KERNELS} (idempotent; the originals are kept for
 * delegation and side-by-side benchmarks). `initBackend('wasm')` calls it. Returns the names it
 * registered by this call.
 */
export function registerWasmPackageKernels(): string[] {
  return WASM_REPLACED_KERNELS.filter((name) => provideWasmKernel(name, IMPLEMENTATIONS[name], 'replace'));
}
