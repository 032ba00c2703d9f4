export { initBackend, BACKEND_PACKAGES } from './init_backend.js';
export type { BackendName, InitBackendOptions } from './init_backend.js';
export { MAX_WASM_THREADS, THREADED_WASM_TESTED_VERSIONS } from './wasm_threads.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm_training_kernels.js';
export { type WasmBackend } from './wasm_kernel_utils.js';
export {
  INSTANCE_NORM_KERNEL,
  INSTANCE_NORM_GRAD_KERNEL,
  registerInstanceNormKernels,
} from './instance_norm_kernels.js';
export type { InstanceNormAttrs } from './instance_norm_kernels.js';
export { REFLECT_PAD_KERNEL, REFLECT_PAD_GRAD_KERNEL, registerReflectPadKernels } from './reflect_pad_kernels.js';
