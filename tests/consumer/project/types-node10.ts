// Type-checked with moduleResolution node10, as tslab notebooks compile cells (top-level `types`).
import { initBackend, Random } from 'gancompress';

const backend: Promise<string> = initBackend('auto');
const seeded: number = new Random(1).next();
export { backend, seeded };
