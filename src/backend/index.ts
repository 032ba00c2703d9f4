export { initBackend, BACKEND_PACKAGES } from './init_backend.js';
export type { BackendName } from './init_backend.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasm_training_kernels.js';
export { type WasmBackend } from './wasm_kernel_utils.js';
