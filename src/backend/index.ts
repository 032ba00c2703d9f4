export { initBackend, BACKEND_PACKAGES } from './init_backend.js';
export type { BackendName } from './init_backend.js';
