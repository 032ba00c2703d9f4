import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, ConfigError, initBackend, MAX_WASM_THREADS } from '../../src/index.js';
import { writeFileOnce, type NodeRequire } from '../../src/backend/node_files.js';
import { createThreadedBackend, loadThreadedParts } from '../../src/backend/wasm_threads.js';
import { expectClose } from '../helpers/tensors.js';

describe("initBackend('wasm') threads in Node", () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it("defaults to the threaded build on every core Node reports ('auto')", () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(getThreadsCount()).toBe(Math.min(availableParallelism(), MAX_WASM_THREADS));
  });

  it('computes what the cpu backend computes (a conv and a matMul large enough to be split)', async () => {
    const x = tf.randomNormal<tf.Rank.R4>([2, 24, 24, 32], 0, 1, 'float32', 1);
    const f = tf.randomNormal<tf.Rank.R4>([3, 3, 32, 48], 0, 0.2, 'float32', 2);
    const a = tf.randomNormal<tf.Rank.R2>([96, 80], 0, 1, 'float32', 3);
    const b = tf.randomNormal<tf.Rank.R2>([80, 72], 0, 1, 'float32', 4);
    const onWasm = [tf.conv2d(x, f, 1, 'same'), tf.matMul(a, b)].map((t) => Float32Array.from(t.dataSync()));
    const values = [x, f, a, b].map((t) => ({ shape: t.shape, data: t.dataSync().slice() }));
    await initBackend('cpu');
    const [xc, fc, ac, bc] = values.map((v) => tf.tensor(v.data, v.shape));
    const onCpu = [
      tf.conv2d(xc as tf.Tensor4D, fc as tf.Tensor4D, 1, 'same'),
      tf.matMul(ac as tf.Tensor2D, bc as tf.Tensor2D),
    ];
    expectClose(onWasm[0] as Float32Array, onCpu[0] as tf.Tensor, 1e-4, 1e-5, 'conv');
    expectClose(onWasm[1] as Float32Array, onCpu[1] as tf.Tensor, 1e-4, 1e-5, 'matMul');
    tf.dispose([...onCpu, xc, fc, ac, bc] as tf.Tensor[]);
    await tf.setBackend('wasm');
    tf.dispose([x, f, a, b]);
  });

  it('keeps the running count when asked again without a count or with the same one', async () => {
    const running = getThreadsCount();
    expect(await initBackend('wasm')).toBe('wasm');
    expect(await initBackend('wasm', { threads: 'auto' })).toBe('wasm');
    expect(await initBackend('wasm', { threads: running })).toBe('wasm');
    expect(getThreadsCount()).toBe(running);
  });

  it('refuses another count once the backend has initialised, naming both counts', async () => {
    const running = getThreadsCount();
    const other = running === 1 ? 2 : 1;
    const error = await initBackend('wasm', { threads: other }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as Error).message).toContain(`{ threads: ${other} }`);
    expect((error as Error).message).toContain(`already runs with ${running} thread(s)`);
  });

  it('in a browser accepts only threads: "auto" (tfjs decides there)', async () => {
    const env = tf.env();
    const wasNode = env.getBool('IS_NODE');
    env.set('IS_NODE', false);
    try {
      const error = await initBackend('wasm', { threads: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/options.threads: got 2, expected 'auto' in a browser/);
      expect(await initBackend('wasm', { threads: 'auto' })).toBe('wasm');
    } finally {
      env.set('IS_NODE', wasNode);
    }
  });

  it.each([
    [{ threads: 0 }, /options.threads: got 0, expected an integer in \[1, 8\]/],
    [{ threads: 9 }, /options.threads: got 9, expected an integer in \[1, 8\]/],
    [{ threads: 2.5 }, /options.threads: got 2.5, expected an integer in \[1, 8\]/],
    [{ threads: NaN }, /options.threads: got NaN, expected an integer/],
    [{ threads: '2' }, /options.threads: got '2', expected 'auto' or an integer in \[1, 8\]/],
    [{ thread: 2 }, /options.thread: got 'thread', expected one of threads/],
    [null, /options: got null, expected an object/],
  ])('rejects the options %j with a ConfigError', async (options, message) => {
    const error = await initBackend('wasm', options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('the checks before the threaded build is used', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gancompress-threads-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const FACTORY = 'tfjs-backend-wasm-threaded-simd.js';
  const WORKER = 'tfjs-backend-wasm-threaded-simd.worker.js';
  const goodFactory =
    'module.exports = function factory() { /* instantiateWasm mainScriptUrlOrBlob locateFile ' +
    '"emscripten_num_logical_cores" tfjs-backend-wasm-threaded-simd.worker.js */ };';
  const goodWorker =
    'module.exports.wasmWorkerContents = `worker_threads importScripts WasmBackendModuleThreadedSimd(Module)\n`;';

  /**
   * A package directory holding the given wasm-out sources (and a binary), loaded by Node's
   * require; `resolvable: false` makes its package.json unresolvable.
   */
  function fakePackage(files: Record<string, string>, resolvable = true): NodeRequire {
    const pkgDir = mkdtempSync(join(dir, 'pkg-'));
    mkdirSync(join(pkgDir, 'wasm-out'));
    writeFileSync(join(pkgDir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.wasm'), new Uint8Array(8));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(pkgDir, 'wasm-out', name), text);
    const real = createRequire(import.meta.url);
    const req = ((id: string): unknown => real(id)) as NodeRequire;
    req.resolve = (id: string) => {
      if (!resolvable) throw new Error(`Cannot find module '${id}'`);
      return join(pkgDir, 'package.json');
    };
    return req;
  }

  it('accepts the installed package', async () => {
    const { nodeRequire } = await import('../../src/backend/node_files.js');
    const loaded = await loadThreadedParts(await nodeRequire());
    expect(loaded.ok, loaded.ok ? '' : loaded.reason).toBe(true);
  });

  it.each([
    ['an unresolvable package', {}, false, /package.json cannot be resolved/],
    ['missing build files', {}, true, /the threaded build's files in .* cannot be read/],
    [
      'a factory that is not a function',
      { [FACTORY]: 'module.exports = {};', [WORKER]: goodWorker },
      true,
      /does not export the emscripten factory/,
    ],
    [
      'a factory without the hooks',
      { [FACTORY]: 'module.exports = function () { /* locateFile */ };', [WORKER]: goodWorker },
      true,
      /lacks instantiateWasm, mainScriptUrlOrBlob, "emscripten_num_logical_cores"/,
    ],
    [
      'a worker module without its script',
      { [FACTORY]: goodFactory, [WORKER]: 'module.exports = {};' },
      true,
      /does not export wasmWorkerContents/,
    ],
    [
      'a worker script that cannot load the main script by path',
      { [FACTORY]: goodFactory, [WORKER]: "module.exports.wasmWorkerContents = 'worker_threads';" },
      true,
      /the worker glue lacks importScripts, WasmBackendModuleThreadedSimd\(Module\)/,
    ],
  ] as const)('refuses %s with a reason', async (_, files, resolvable, reason) => {
    const loaded = await loadThreadedParts(fakePackage(files, resolvable));
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.reason).toMatch(reason);
  });

  it('writes the worker script with its newlines escaped, as tfjs does for its blob', async () => {
    const loaded = await loadThreadedParts(
      fakePackage({
        'tfjs-backend-wasm-threaded-simd.js': goodFactory,
        'tfjs-backend-wasm-threaded-simd.worker.js': goodWorker,
      }),
    );
    expect(loaded.ok).toBe(true);
    if (loaded.ok) {
      expect(loaded.parts.workerScript).toMatch(/\.cjs$/);
      expect(readFileSync(loaded.parts.workerScript, 'utf8')).toBe(
        'worker_threads importScripts WasmBackendModuleThreadedSimd(Module)\\n',
      );
    }
  });
});

describe('createThreadedBackend', () => {
  it('gives up on a module whose workers never finish loading, and on one that lacks its thread pool', async () => {
    const { nodeRequire } = await import('../../src/backend/node_files.js');
    const loaded = await loadThreadedParts(await nodeRequire());
    if (!loaded.ok) throw new Error(loaded.reason);
    const never = { ...loaded.parts, factory: () => new Promise<never>(() => undefined) };
    await expect(createThreadedBackend(never, 2, 50)).rejects.toThrow(
      'the threaded module did not start within 0.05 s',
    );
    const terminated: string[] = [];
    const noPool = {
      ...loaded.parts,
      factory: () =>
        Promise.resolve({
          cwrap: () => () => 0,
          HEAPU8: new Uint8Array(8),
          _malloc: () => 0,
          PThread: { terminateAllThreads: () => terminated.push('all') },
        }),
    };
    await expect(createThreadedBackend(noPool, 2, 50)).rejects.toThrow(
      'no PThread.unusedWorkers / runningWorkers lists',
    );
    expect(terminated).toEqual(['all']);
  });
});

describe('writeFileOnce', () => {
  it('names the file after the text, reuses it, and leaves no temporary file', async () => {
    const text = `test ${Date.now()} ${Math.random()}`;
    const a = await writeFileOnce('test-once', '.txt', text);
    const b = await writeFileOnce('test-once', '.txt', text);
    const c = await writeFileOnce('test-once', '.txt', `${text}!`);
    try {
      expect(b).toBe(a);
      expect(c).not.toBe(a);
      expect(readFileSync(a, 'utf8')).toBe(text);
      expect(readFileSync(c, 'utf8')).toBe(`${text}!`);
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(tmpdir()).filter((f) => f.startsWith('gancompress-test-once') && f.endsWith('.tmp'))).toEqual(
        [],
      );
    } finally {
      rmSync(a, { force: true });
      rmSync(c, { force: true });
    }
  });
});
