/**
 * Reliability of src/io and src/backend at their public entry points (the file layer's own
 * fault injection and corruption properties live in tests/io): `fileSystem` with any path either
 * gives a handler whose save → load reproduces the model bit for bit, or a GanCompressError
 * (ModelFileError / ConfigError) naming the path; `initBackend` and
 * `registerWasmTrainingKernels` refuse junk by name. Nothing is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { fileSystem, initBackend, registerWasmTrainingKernels, writeFileAtomic } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { anyNumber, checkAsync, JUNK, probe, probeAsync, Tally } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';

const tally = new Tally();
afterAll(() => console.log(tally.summary('io')));
const root = mkdtempSync(join(tmpdir(), 'gancompress-reliability-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, 'a-file'), '');

describeBackends('io and backend: properties', (backend) => {
  it('fileSystem: save → load gives the same outputs, or a named error for a path that cannot hold a model', async () => {
    let serial = 0;
    const pathArb = fc.oneof(
      { arbitrary: fc.constant('fresh'), weight: 4 },
      fc.constantFrom('a-file/model', 'a-file', '', '\u0000bad'),
      fc.oneof(JUNK, anyNumber),
    );
    await checkAsync(
      fc.asyncProperty(
        pathArb,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 99 }),
        async (path, units, seed) => {
          const model = tfl.sequential({
            layers: [
              tfl.layers.dense({ inputShape: [3], units, kernelInitializer: tfl.initializers.randomNormal({ seed }) }),
            ],
          });
          const target =
            typeof path === 'string' && path !== '' && !path.startsWith('\u0000')
              ? join(root, path === 'fresh' ? `m${serial++}` : path)
              : path;
          const x = tf.ones([2, 3]);
          await probeAsync(
            tally,
            'fileSystem',
            async () => {
              await model.save(fileSystem(target as string));
              return tfl.loadLayersModel(fileSystem(target as string));
            },
            (loaded) => {
              const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
              expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
              tf.dispose([a, b]);
              loaded.dispose();
            },
          );
          x.dispose();
          model.dispose();
        },
      ),
      24,
    );
  });

  it('writeFileAtomic: the file holds exactly the data written, or a named error for a path that cannot hold it', async () => {
    let serial = 0;
    await checkAsync(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: fc.constant('fresh'), weight: 4 },
          fc.constantFrom('a-file/x', 'missing-dir/x', ''),
          JUNK,
        ),
        fc.oneof(fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }), JUNK),
        async (path, data) => {
          const target =
            path === 'fresh'
              ? join(root, `w${serial++}.bin`)
              : typeof path === 'string' && path !== ''
                ? join(root, path)
                : path;
          await probeAsync(
            tally,
            'writeFileAtomic',
            () => writeFileAtomic(target as string, data as string),
            () => {
              const written = readFileSync(target as string);
              expect(Array.from(written)).toEqual(
                Array.from(typeof data === 'string' ? Buffer.from(data) : (data as Uint8Array)),
              );
            },
          );
        },
      ),
      40,
    );
  });

  it('initBackend and registerWasmTrainingKernels: junk names and options are named errors', async () => {
    for (const name of [null, 3, 'webgl', 'CPU', {}])
      await probeAsync(tally, 'initBackend', () => initBackend(name as never));
    for (const options of [null, 3, { threads: -1 }, { threads: 1.5 }, { thread: 2 }])
      await probeAsync(tally, 'initBackend', () => initBackend(backend, options as never));
    await probeAsync(
      tally,
      'initBackend',
      () => initBackend(backend),
      async (name) => {
        expect(name).toBe(backend);
        expect(tf.getBackend()).toBe(backend);
        await Promise.resolve();
      },
    );
    probe(
      tally,
      'registerWasmTrainingKernels',
      () => registerWasmTrainingKernels(),
      (names) => expect(Array.isArray(names)).toBe(true),
    );
  });
});

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.io));
