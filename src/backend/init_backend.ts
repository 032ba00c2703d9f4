import * as tf from '@tensorflow/tfjs-core';
import { BackendError, ConfigError } from '../util/index.js';
import { assertInt, assertOneOf } from '../util/index.js';
import { importOptional, isNode, isResolvable, packageMainDir } from '../util/index.js';
import { nodeRequire } from './node_files.js';
import { withoutAddedProcessHandlers } from './process_handlers.js';
import { registerWasmPackageKernels } from './wasm_package_kernels.js';
import { registerWasmTrainingKernels } from './wasm_training_kernels.js';
import { autoThreadCount, createThreadedBackend, loadThreadedParts, MAX_WASM_THREADS } from './wasm_threads.js';

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

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Threads of the wasm backend. In Node: `'auto'` (default) runs the package's threaded-SIMD
   * build on every core Node reports (at most 8, the build's pool), a count from 2 to 8 runs it
   * on that many, and `1` runs the single-threaded SIMD build. Fixed once the wasm backend has
   * initialised: asking for another count afterwards throws a {@link BackendError}. In browsers
   * only `'auto'` is accepted: tfjs decides there (threads need a cross-origin isolated page;
   * size its pool with `setThreadsCount` from @tensorflow/tfjs-backend-wasm).
   */
  threads?: number | 'auto';
}

const OPTION_KEYS = ['threads'];

/** In browsers `auto` takes the fastest backend the page has registered. */
const BROWSER_PREFERENCE = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Sets up a tfjs backend and makes it current; returns the name of the backend in use.
 *
 * - `'auto'` (default) prefers tfjs-node (`'tensorflow'`) when it can be imported, then wasm,
 *   then cpu. In a browser it takes the best backend already registered by the page
 *   (webgpu, webgl, wasm, cpu).
 * - In Node, the wasm backend is built from the `.wasm` files of the installed
 *   `@tensorflow/tfjs-backend-wasm` package, so nothing is fetched from the network: the
 *   threaded-SIMD build on every core by default (see {@link InitBackendOptions.threads}),
 *   falling back to one thread with a warning when the installed package is not one whose
 *   internals this was checked against. The gradient kernels the wasm backend lacks are
 *   registered so that models train on it, and the process handlers its emscripten glue installs
 *   are removed, so an uncaught error in your program prints itself and exits with status 1.
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
 * await initBackend('wasm', { threads: 1 }); // the single-threaded build
 * ```
 */
export async function initBackend(name: BackendName = 'auto', options: InitBackendOptions = {}): Promise<string> {
  assertOneOf('name', name, BACKEND_NAMES);
  checkOptions(options);
  if (name !== 'auto') {
    await loadBackendPackage(name, options);
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
      await loadBackendPackage(candidate, options);
      await activate(candidate);
      return tf.getBackend();
    } catch (e) {
      failures.push(`${candidate}: ${(e as Error).message}`);
    }
  }
  throw new BackendError(`initBackend('auto'): no backend could be set up.\n  ${failures.join('\n  ')}`);
}

function checkOptions(options: InitBackendOptions): void {
  if (options === null || typeof options !== 'object')
    throw new ConfigError('options', options, 'an object such as { threads: 2 }');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new ConfigError(`options.${key}`, key, `one of ${OPTION_KEYS.join(', ')}`);
  }
  const { threads } = options;
  if (threads !== undefined && threads !== 'auto') {
    if (typeof threads !== 'number')
      throw new ConfigError('options.threads', threads, `'auto' or an integer in [1, ${MAX_WASM_THREADS}]`);
    assertInt('options.threads', threads, 1, MAX_WASM_THREADS);
  }
}

async function loadBackendPackage(name: Exclude<BackendName, 'auto'>, options: InitBackendOptions): Promise<void> {
  if (tf.findBackendFactory(name) != null) {
    if (name === 'wasm') await afterWasmRegistered(options.threads);
    return;
  }
  const pkg = BACKEND_PACKAGES[name];
  // A page's bundler resolves packages, not this library: the page registers the backend by importing it.
  if (!isNode())
    throw new BackendError(
      `initBackend('${name}'): no '${name}' backend is registered in this page; import '${pkg}' in your bundle ` +
        `before calling initBackend${name === 'wasm' ? ' (and call its setWasmPaths with where its .wasm files are served)' : ''}`,
    );
  if (!(await isResolvable(pkg))) {
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
  if (name === 'wasm') await afterWasmRegistered(options.threads);
}

/** The members of the wasm package used to set up its build. */
interface WasmPackageSetup {
  setWasmPaths(prefix: string): void;
  getThreadsCount(): number;
}

// Marks the factory registered for the threaded build and keeps tfjs's own, so that a later
// call asking for one thread (before initialisation) can put it back.
const TFJS_FACTORY = Symbol.for('gancompress.tfjsWasmFactory');
type MarkedFactory = (() => Promise<tf.KernelBackend>) & { [TFJS_FACTORY]?: () => Promise<tf.KernelBackend> };

async function afterWasmRegistered(threads: number | 'auto' | undefined): Promise<void> {
  if (!isNode()) {
    // The package cannot be imported by name here (bundlers resolve it, not this library), and
    // whether threads run is tfjs's decision in a browser.
    if (typeof threads === 'number')
      throw new ConfigError(
        'options.threads',
        threads,
        "'auto' in a browser, where tfjs chooses (call setThreadsCount from @tensorflow/tfjs-backend-wasm before initBackend to size its pool)",
      );
  } else {
    const wasm = await importOptional<WasmPackageSetup>(BACKEND_PACKAGES.wasm);
    if (tf.engine().registry['wasm'] != null) {
      // Initialised: paths and threads are fixed.
      const running = wasm.getThreadsCount();
      if (typeof threads === 'number' && threads !== running) {
        throw new BackendError(
          `initBackend('wasm', { threads: ${threads} }): the wasm backend already runs with ${running} thread(s), ` +
            'fixed when it first initialised; call initBackend before the first use of the wasm backend',
        );
      }
    } else {
      wasm.setWasmPaths(await packageMainDir(BACKEND_PACKAGES.wasm));
      await chooseNodeBuild(threads === undefined || threads === 'auto' ? await autoThreadCount() : threads);
    }
  }
  registerWasmTrainingKernels();
  registerWasmPackageKernels();
}

/**
 * Registers the wasm factory for `threads` threads: tfjs's own (the single-threaded SIMD build)
 * for one, the threaded-SIMD build for more when its internals check out, else tfjs's own with
 * a warning.
 */
async function chooseNodeBuild(threads: number): Promise<void> {
  const current = tf.findBackendFactory('wasm') as MarkedFactory;
  const tfjsFactory = current[TFJS_FACTORY] ?? current;
  const register = (factory: MarkedFactory): void => {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory, WASM_PRIORITY);
  };
  if (threads === 1) {
    if (current !== tfjsFactory) register(tfjsFactory);
    return;
  }
  const loaded = await loadThreadedParts(await nodeRequire());
  if (!loaded.ok) {
    warnSingleThread(threads, loaded.reason);
    if (current !== tfjsFactory) register(tfjsFactory);
    return;
  }
  const threaded: MarkedFactory = async () => {
    try {
      return await createThreadedBackend(loaded.parts, threads);
    } catch (e) {
      warnSingleThread(threads, (e as Error).message);
      return tfjsFactory();
    }
  };
  threaded[TFJS_FACTORY] = tfjsFactory;
  register(threaded);
}

/** tfjs registers wasm with priority 2 (above cpu, below webgl). */
const WASM_PRIORITY = 2;

function warnSingleThread(threads: number, reason: string): void {
  process.emitWarning(
    `initBackend('wasm'): running on 1 thread instead of ${threads}: ${reason}. ` +
      'Pass { threads: 1 } to ask for the single-threaded build explicitly.',
    { code: 'GANCOMPRESS_WASM_THREADS' },
  );
}

async function activate(name: Exclude<BackendName, 'auto'>): Promise<void> {
  let ok: boolean;
  try {
    // Initialising wasm instantiates emscripten's Node glue, which installs rethrowing process handlers.
    ok = name === 'wasm' ? await withoutAddedProcessHandlers(() => tf.setBackend(name)) : await tf.setBackend(name);
  } catch (e) {
    throw new BackendError(`initBackend('${name}'): the backend failed to initialise: ${(e as Error).message}`);
  }
  if (!ok)
    throw new BackendError(`initBackend('${name}'): the backend failed to initialise (tf.setBackend returned false)`);
  await tf.ready();
}
