import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../util/index.js';
import { assertOneOf } from '../util/index.js';
import { importOptional, isNode, isResolvable, packageMainDir } from '../util/index.js';
import { registerWasmTrainingKernels } from './wasm_training_kernels.js';

/** Backends {@link initBackend} can set up. */
export type BackendName = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

/**
 * The npm package that registers each backend {@link initBackend} can set up.
 *
 * @example
 * ```ts
 * console.log(`install ${BACKEND_PACKAGES.wasm}`); // '@tensorflow/tfjs-backend-wasm'
 * ```
 */
export const BACKEND_PACKAGES: Record<Exclude<BackendName, 'auto'>, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** In browsers `auto` takes the fastest backend the page has registered. */
const BROWSER_PREFERENCE = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Sets up a tfjs backend and makes it current; returns the name of the backend in use.
 *
 * - `'auto'` (default) prefers tfjs-node (`'tensorflow'`) when it can be imported, then wasm,
 *   then cpu. In a browser it takes the best backend already registered by the page
 *   (webgpu, webgl, wasm, cpu).
 * - In Node, the wasm backend is pointed at the `.wasm` files of the installed
 *   `@tensorflow/tfjs-backend-wasm` package, so nothing is fetched from the network, and the
 *   gradient kernels the wasm backend lacks are registered so that models train on it.
 * - Asking for a backend whose package is missing throws a {@link BackendError} naming the
 *   package to install.
 *
 * The library never calls this behind your back: call it once at start-up, or set the backend
 * yourself with `tf.setBackend`.
 *
 * @example
 * ```ts
 * import { initBackend } from 'gancompress';
 * const backend = await initBackend();      // 'tensorflow', 'wasm' or 'cpu'
 * await initBackend('wasm');                // explicitly
 * ```
 */
export async function initBackend(name: BackendName = 'auto'): Promise<string> {
  assertOneOf('name', name, BACKEND_NAMES);
  if (name !== 'auto') {
    await loadBackendPackage(name);
    await activate(name);
    return tf.getBackend();
  }
  if (!isNode()) {
    const available = BROWSER_PREFERENCE.filter((b) => tf.findBackendFactory(b) != null);
    for (const b of available) {
      if (await tf.setBackend(b)) {
        await tf.ready();
        return tf.getBackend();
      }
    }
    throw new BackendError(
      `initBackend('auto'): no usable backend is registered (tried ${BROWSER_PREFERENCE.join(', ')}); ` +
        `import one first, e.g. import '@tensorflow/tfjs-backend-webgl'`,
    );
  }
  const failures: string[] = [];
  for (const candidate of ['tensorflow', 'wasm', 'cpu'] as const) {
    try {
      await loadBackendPackage(candidate);
      await activate(candidate);
      return tf.getBackend();
    } catch (e) {
      failures.push(`${candidate}: ${(e as Error).message}`);
    }
  }
  throw new BackendError(`initBackend('auto'): no backend could be set up.\n  ${failures.join('\n  ')}`);
}

async function loadBackendPackage(name: Exclude<BackendName, 'auto'>): Promise<void> {
  if (tf.findBackendFactory(name) != null) {
    if (name === 'wasm') await afterWasmRegistered();
    return;
  }
  const pkg = BACKEND_PACKAGES[name];
  if (isNode() && !(await isResolvable(pkg))) {
    throw new BackendError(
      `initBackend('${name}') needs the package ${pkg}, which is not installed: run \`npm install ${pkg}\``,
    );
  }
  try {
    await importOptional(pkg);
  } catch (e) {
    const detail = (e as Error).message.split('\n')[0];
    throw new BackendError(
      `initBackend('${name}'): the package ${pkg} failed to load (is it installed? \`npm install ${pkg}\`): ${detail}`,
    );
  }
  if (tf.findBackendFactory(name) == null) {
    throw new BackendError(
      `initBackend('${name}'): importing ${pkg} did not register a '${name}' backend; ` +
        'it probably loaded a second copy of @tensorflow/tfjs-core (run `npm ls @tensorflow/tfjs-core`, expected one copy)',
    );
  }
  if (name === 'wasm') await afterWasmRegistered();
}

async function afterWasmRegistered(): Promise<void> {
  // Only possible before the backend is first initialised; afterwards the paths are fixed.
  if (isNode() && tf.engine().registry['wasm'] == null) {
    const wasm = await importOptional<{ setWasmPaths(prefix: string): void }>(BACKEND_PACKAGES.wasm);
    wasm.setWasmPaths(await packageMainDir(BACKEND_PACKAGES.wasm));
  }
  registerWasmTrainingKernels();
}

async function activate(name: Exclude<BackendName, 'auto'>): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new BackendError(`initBackend('${name}'): the backend failed to initialise: ${(e as Error).message}`);
  }
  if (!ok)
    throw new BackendError(`initBackend('${name}'): the backend failed to initialise (tf.setBackend returned false)`);
  await tf.ready();
}
