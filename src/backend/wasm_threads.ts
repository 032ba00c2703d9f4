import * as tf from '@tensorflow/tfjs-core';
import { importOptional } from '../util/index.js';
import { nodeCoreCount, writeFileOnce, type NodeRequire } from './node_files.js';

/*
 * The threaded-SIMD build of @tensorflow/tfjs-backend-wasm in Node.
 *
 * tfjs ships the build (wasm-out/tfjs-backend-wasm-threaded-simd.{js,wasm} and the worker glue)
 * but never uses it in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag is false whenever IS_NODE
 * (tfjs #3830); forced on, it hands the worker script to worker_threads as a `blob:` URL, which
 * Node refuses (ERR_WORKER_PATH); and the C++ side caps XNNPACK's pool at half the logical cores
 * (`emscripten_num_logical_cores() / 2`, so 1 of 2 cores here). This module builds the backend
 * itself from the same pieces: the emscripten factory loaded from the package, the worker script
 * written to a real file, the core count the wasm module imports answered so that the cap is the
 * count asked for, and the package's own BackendWasm class around the module. Every piece it
 * relies on is checked first; any mismatch returns a reason instead, and initBackend falls back
 * to the single-threaded build.
 */

/**
 * The @tensorflow/tfjs-backend-wasm versions whose internals the threaded build was checked
 * against; with another version `initBackend('wasm')` runs one thread and warns.
 *
 * @example
 * ```ts
 * const threaded = THREADED_WASM_TESTED_VERSIONS.includes('4.22.0'); // true
 * ```
 */
export const THREADED_WASM_TESTED_VERSIONS: readonly string[] = ['4.22.0'];

/**
 * The most threads the wasm backend can run: the tfjs build's pool (8 pre-created workers, and
 * `max_num_threads = 8` in its backend.cc).
 *
 * @example
 * ```ts
 * await initBackend('wasm', { threads: Math.min(4, MAX_WASM_THREADS) });
 * ```
 */
export const MAX_WASM_THREADS = 8;

const PACKAGE = '@tensorflow/tfjs-backend-wasm';
const OUT_DIR = 'wasm-out';
const FACTORY_FILE = 'tfjs-backend-wasm-threaded-simd.js';
const WORKER_MODULE_FILE = 'tfjs-backend-wasm-threaded-simd.worker.js';
const BINARY_FILE = 'tfjs-backend-wasm-threaded-simd.wasm';
/** Strings the emscripten factory must contain for the hooks used below to exist. */
const FACTORY_MARKERS = [
  'instantiateWasm',
  'mainScriptUrlOrBlob',
  'locateFile',
  '"emscripten_num_logical_cores"',
  WORKER_MODULE_FILE,
];
/** Strings the worker glue must contain: it loads the main script from a path in Node. */
const WORKER_MARKERS = ['worker_threads', 'importScripts', 'WasmBackendModuleThreadedSimd(Module)'];

/** The members of the emscripten module the backend and this file use. */
interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  tfjs?: Record<string, unknown>;
  PThread?: unknown;
  HEAPU8?: unknown;
  _malloc?: unknown;
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** What this file needs from the wasm package's JavaScript exports. */
interface WasmPackage {
  BackendWasm: new (module: unknown) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
  version_wasm: string;
}

/** The checked pieces of the threaded build. */
export interface ThreadedParts {
  pkg: WasmPackage;
  factory: Factory;
  mainScript: string;
  workerScript: string;
  binary: Uint8Array<ArrayBuffer>;
}

/** Why the threaded build cannot be used, or the pieces to build it from. */
type Loaded = { ok: true; parts: ThreadedParts } | { ok: false; reason: string };

/**
 * Finds and checks the pieces of the threaded-SIMD build in the installed package and writes its
 * worker script to a file. Never throws: a failure is a reason string.
 */
export async function loadThreadedParts(require: NodeRequire): Promise<Loaded> {
  const fail = (reason: string): Loaded => ({ ok: false, reason });
  let pkg: WasmPackage;
  try {
    pkg = await importOptional<WasmPackage>(PACKAGE);
  } catch (e) {
    return fail(`${PACKAGE} failed to load: ${(e as Error).message.split('\n')[0]}`);
  }
  const version = pkg.version_wasm;
  if (!THREADED_WASM_TESTED_VERSIONS.includes(version))
    return fail(
      `${PACKAGE} ${version} is not a version this was checked against (${THREADED_WASM_TESTED_VERSIONS.join(', ')})`,
    );
  if (tf.version_core !== version)
    return fail(`@tensorflow/tfjs-core ${tf.version_core} differs from ${PACKAGE} ${version}`);
  for (const member of ['BackendWasm', 'setThreadsCount', 'getThreadsCount'] as const) {
    if (typeof pkg[member] !== 'function') return fail(`${PACKAGE} does not export ${member}`);
  }
  const path = await importOptional<typeof import('node:path')>('node:path');
  const fs = await importOptional<typeof import('node:fs')>('node:fs');
  let dir: string;
  try {
    dir = path.join(path.dirname(require.resolve(`${PACKAGE}/package.json`)), OUT_DIR);
  } catch {
    return fail(`${PACKAGE}/package.json cannot be resolved`);
  }
  const mainScript = path.join(dir, FACTORY_FILE);
  let factory: unknown;
  let workerContents: unknown;
  let binary: Uint8Array<ArrayBuffer>;
  try {
    factory = require(mainScript);
    workerContents = (require(path.join(dir, WORKER_MODULE_FILE)) as { wasmWorkerContents?: unknown })
      .wasmWorkerContents;
    binary = new Uint8Array(fs.readFileSync(path.join(dir, BINARY_FILE)));
  } catch (e) {
    return fail(`the threaded build's files in ${dir} cannot be read: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof factory !== 'function') return fail(`${FACTORY_FILE} does not export the emscripten factory`);
  const source = Function.prototype.toString.call(factory);
  const missing = FACTORY_MARKERS.filter((m) => !source.includes(m));
  if (missing.length > 0) return fail(`${FACTORY_FILE} lacks ${missing.join(', ')}`);
  if (typeof workerContents !== 'string') return fail(`${WORKER_MODULE_FILE} does not export wasmWorkerContents`);
  const missingWorker = WORKER_MARKERS.filter((m) => !workerContents.includes(m));
  if (missingWorker.length > 0) return fail(`the worker glue lacks ${missingWorker.join(', ')}`);
  // The glue is kept in a template literal, whose `\n` escapes became newlines inside string
  // literals; tfjs re-escapes them the same way before making its blob.
  const workerText = workerContents.replace(/\n/g, '\\n');
  let workerScript: string;
  try {
    // .cjs: the glue uses require(); the temp directory's package.json (if any) must not make it ESM.
    workerScript = await writeFileOnce(`tfjs-backend-wasm-${version}-worker`, '.cjs', workerText);
  } catch (e) {
    return fail(`the worker script could not be written: ${(e as Error).message.split('\n')[0]}`);
  }
  return { ok: true, parts: { pkg, factory: factory as Factory, mainScript, workerScript, binary } };
}

/**
 * Instantiates the threaded build with `threads` XNNPACK threads and wraps it in the package's
 * BackendWasm. Throws if the module cannot be set up as expected (the caller falls back).
 */
export async function createThreadedBackend(
  parts: ThreadedParts,
  threads: number,
  startTimeoutMs = START_TIMEOUT_MS,
): Promise<tf.KernelBackend> {
  const { pkg, factory, mainScript, workerScript, binary } = parts;
  const compiled = await WebAssembly.compile(binary);
  const starting = factory({
    // The worker glue in a real file; the main script is the package's own factory file, which
    // the glue evaluates by path in each worker.
    locateFile: (file: string, prefix: string) => (file.endsWith('.worker.js') ? workerScript : prefix + file),
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm(
      imports: { env: Record<string, unknown> },
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ): WebAssembly.Exports {
      // backend.cc sizes the pool as min(asked, logical cores / 2): answering 2·threads makes the
      // cap the count asked for.
      imports.env['emscripten_num_logical_cores'] = () => 2 * threads;
      // Synchronous, so that an error reaches the factory's own handler and rejects its promise.
      const instance = new WebAssembly.Instance(compiled, imports as WebAssembly.Imports);
      receive(instance, compiled);
      return instance.exports;
    },
  });
  // The factory resolves once its workers have loaded the module; a worker that cannot would
  // leave it pending forever.
  const module = await withTimeout(starting, startTimeoutMs, 'the threaded module did not start');
  try {
    return wrapModule(pkg, module, threads);
  } catch (e) {
    (module.PThread as { terminateAllThreads?: () => void } | undefined)?.terminateAllThreads?.();
    throw e;
  }
}

/** How long the threaded module may take to start its workers (seconds on a loaded machine). */
const START_TIMEOUT_MS = 60_000;

/** `promise`, or a rejection with `message` after `ms` (the timer does not keep Node alive). */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms / 1000} s`)), ms);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The package's BackendWasm around the started module, with `threads` XNNPACK threads. */
function wrapModule(pkg: WasmPackage, module: EmscriptenModule, threads: number): tf.KernelBackend {
  for (const member of ['cwrap', 'PThread', 'HEAPU8', '_malloc'] as const) {
    if (module[member] == null) throw new Error(`the threaded module has no ${member}`);
  }
  const pool = module.PThread as { unusedWorkers?: unknown; runningWorkers?: unknown };
  // Without these lists the running workers could not be unref'd and Node would never exit.
  if (!Array.isArray(pool.unusedWorkers) || !Array.isArray(pool.runningWorkers))
    throw new Error('the threaded module has no PThread.unusedWorkers / runningWorkers lists');
  // The wrappers BackendWasm expects (the same C entry points tfjs's own init() wraps).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  pkg.setThreadsCount(threads);
  const backend = new pkg.BackendWasm(module);
  const actual = pkg.getThreadsCount();
  if (actual !== threads) {
    backend.dispose();
    throw new Error(`XNNPACK started ${actual} threads instead of ${threads}`);
  }
  releaseWorkers(pool as { unusedWorkers: Worker[]; runningWorkers: Worker[] });
  return backend;
}

/**
 * Emscripten starts a fixed pool of 8 workers (~20 MB each); XNNPACK's pool has taken the
 * `threads − 1` it uses by now, and tfjs starts no other thread, so the idle ones are
 * terminated (emscripten would start a new worker if a thread were ever asked for later). The
 * running ones are XNNPACK's, which wait for work until the process ends: emscripten refs a
 * worker while its thread runs, which would keep Node from exiting, so they are unref'd.
 */
function releaseWorkers(pool: { unusedWorkers: Worker[]; runningWorkers: Worker[] }): void {
  for (const w of pool.unusedWorkers.splice(0)) void w.terminate?.();
  for (const w of pool.runningWorkers) w.unref?.();
}

/** The members of a worker_threads Worker used above. */
interface Worker {
  terminate?: () => unknown;
  unref?: () => void;
}

/** How many threads `'auto'` means here: every core Node reports, at most {@link MAX_WASM_THREADS}. */
export async function autoThreadCount(): Promise<number> {
  return Math.min(await nodeCoreCount(), MAX_WASM_THREADS);
}
