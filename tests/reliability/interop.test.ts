/**
 * Reliability of src/interop over generated inputs: a generator's state dict written with
 * toTorchStateDict loads back into another generator (loadTorchWeights) to the same outputs;
 * writeSafetensors → parseTorchCheckpoint returns the same tensors; any byte edited, inserted or
 * cut from such a file parses to a state dict or a ModelFileError — never another error, never a
 * hang; tensorFromTorch permutes as asked; exportOnnx gives ONNX bytes; junk arguments are
 * GanCompressErrors. Nothing is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bindWeight,
  checkpointFormat,
  CONV_LAYOUT,
  exportOnnx,
  findLayer,
  loadTorchWeights,
  MobileResnetGenerator,
  parseTorchCheckpoint,
  readTorchCheckpoint,
  reshapeLayout,
  tensorFromTorch,
  torchTensors,
  toTorchStateDict,
  WeightMappingError,
  writeSafetensors,
  type TorchStateDict,
} from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { seededTensor } from '../helpers/tensors.js';
import { anyNumber, check, checkAsync, probe, probeAsync, Tally } from './harness.js';
import { expectProbed, FAMILY_EXPORTS } from './coverage.js';
import type * as tfl from '@tensorflow/tfjs-layers';

const tally = new Tally();
afterAll(() => console.log(tally.summary('interop')));

const stateDictArb: fc.Arbitrary<TorchStateDict> = fc
  .dictionary(
    fc.stringMatching(/^[a-z][a-z0-9_.]{0,8}$/),
    fc.tuple(
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      fc.constantFrom('float32' as const, 'int32' as const),
    ),
    { minKeys: 1, maxKeys: 4 },
  )
  .map((entries) =>
    Object.fromEntries(
      Object.entries(entries).map(([name, [shape, dtype]], k) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const data =
          dtype === 'float32'
            ? Float32Array.from({ length: size }, (_, i) => (i + k) / 7)
            : Int32Array.from({ length: size }, (_, i) => i - k);
        return [name, { shape, dtype, data }];
      }),
    ),
  );

describeBackends('interop: properties', () => {
  let a: tfl.LayersModel;
  let b: tfl.LayersModel;
  let bytes: Uint8Array;
  beforeAll(() => {
    a = MobileResnetGenerator({ ngf: 2, nBlocks: 1, seed: 1 });
    b = MobileResnetGenerator({ ngf: 2, nBlocks: 1, seed: 2 });
    bytes = toTorchStateDict(a);
  });
  afterAll(() => {
    a.dispose();
    b.dispose();
  });

  it('toTorchStateDict → parseTorchCheckpoint → loadTorchWeights reproduces the generator', () => {
    const x = seededTensor([1, 8, 8, 3], 3);
    probe(
      tally,
      'toTorchStateDict',
      () => toTorchStateDict(a),
      (written) => expect(Array.from(written)).toEqual(Array.from(bytes)),
    );
    probe(
      tally,
      'checkpointFormat',
      () => checkpointFormat(bytes),
      (format) => expect(format).toBe('safetensors'),
    );
    probe(
      tally,
      'torchTensors',
      () => torchTensors(a),
      (dict) => expect(Object.keys(dict).length).toBeGreaterThan(0),
    );
    probe(
      tally,
      'parseTorchCheckpoint',
      () => parseTorchCheckpoint(bytes),
      (dict) => {
        probe(
          tally,
          'loadTorchWeights',
          () => loadTorchWeights(b, dict),
          () => {
            const [ya, yb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
            expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
            tf.dispose([ya, yb]);
          },
        );
        // a checkpoint missing a tensor is refused by name
        const cut = { ...dict };
        delete cut[Object.keys(cut)[0] as string];
        probe(tally, 'loadTorchWeights', () => loadTorchWeights(b, cut));
      },
    );
    x.dispose();
    for (const junk of [null, 3, {}, 'x']) {
      probe(tally, 'loadTorchWeights', () => loadTorchWeights(b, junk as never));
      probe(tally, 'toTorchStateDict', () => toTorchStateDict(junk as never));
      probe(tally, 'torchTensors', () => torchTensors(junk as never));
      probe(tally, 'exportOnnx', () => exportOnnx(junk as never));
      probe(tally, 'findLayer', () => findLayer(junk as never, 'stem_conv'));
      probe(tally, 'bindWeight', () => bindWeight(junk as never, 'kernel', 'w', CONV_LAYOUT));
      probe(tally, 'tensorFromTorch', () => tensorFromTorch(junk as never));
      probe(tally, 'checkpointFormat', () => checkpointFormat(junk as never));
    }
    probe(
      tally,
      'findLayer',
      () => findLayer(a, 'stem_conv'),
      (l) => expect(l?.name).toBe('stem_conv'),
    );
    probe(
      tally,
      'bindWeight',
      () => bindWeight(a.getLayer('stem_conv'), 'kernel', 'model.1.weight', CONV_LAYOUT),
      (binding) => expect(binding).toBeDefined(),
    );
    probe(
      tally,
      'reshapeLayout',
      () => reshapeLayout((s) => [...s].reverse()),
      (layout) => expect(layout.torchShape([1, 2, 3])).toEqual([3, 2, 1]),
    );
    probe(
      tally,
      'exportOnnx',
      () => exportOnnx(a),
      (onnx) => expect(onnx.length).toBeGreaterThan(100),
    );
    probe(
      tally,
      'WeightMappingError',
      () => new WeightMappingError('m', ['a'], [], [], []),
      (e) => expect(e.message).toContain('a'),
    );
  });

  it('writeSafetensors → parseTorchCheckpoint is the identity; edited, inserted or cut bytes parse or give a ModelFileError', () => {
    check(
      fc.property(
        stateDictArb,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('set', 'insert', 'cut', 'none'),
        (dict, at, byte, edit) => {
          probe(
            tally,
            'writeSafetensors',
            () => writeSafetensors(dict),
            (written) => {
              probe(
                tally,
                'parseTorchCheckpoint',
                () => parseTorchCheckpoint(written),
                (back) => {
                  expect(Object.keys(back).sort()).toEqual(Object.keys(dict).sort());
                  for (const [name, t] of Object.entries(dict)) {
                    expect(back[name]?.shape).toEqual(t.shape);
                    expect(Array.from(back[name]?.data as ArrayLike<number>)).toEqual(
                      Array.from(t.data as ArrayLike<number>),
                    );
                  }
                },
              );
              const damaged = Array.from(written);
              const i = at % (damaged.length + 1);
              if (edit === 'set') damaged[Math.min(i, damaged.length - 1)] = byte;
              else if (edit === 'insert') damaged.splice(i, 0, byte);
              else if (edit === 'cut') damaged.length = i;
              probe(
                tally,
                'parseTorchCheckpoint',
                () => parseTorchCheckpoint(Uint8Array.from(damaged)),
                () => undefined,
              );
              probe(
                tally,
                'checkpointFormat',
                () => checkpointFormat(Uint8Array.from(damaged)),
                (f) => expect(typeof f).toBe('string'),
              );
            },
          );
        },
      ),
      150,
    );
  });

  it('tensorFromTorch: the shape permuted as asked; junk shapes, data and permutations named', () => {
    check(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.oneof(
          { arbitrary: fc.constant<unknown>(undefined), weight: 3 },
          fc.constant<unknown>('reverse'),
          fc.array(fc.oneof(fc.integer({ min: -1, max: 4 }), anyNumber), { maxLength: 4 }),
        ),
        fc.constantFrom('float32', 'int32', 'int64', 'float16', 'bool'),
        (shape, perm, dtype) => {
          const size = shape.reduce((x, y) => x * y, 1);
          const data =
            dtype === 'int64'
              ? BigInt64Array.from({ length: size }, (_, i) => BigInt(i))
              : dtype === 'int32'
                ? Int32Array.from({ length: size }, (_, i) => i)
                : dtype === 'bool'
                  ? Uint8Array.from({ length: size }, (_, i) => i % 2)
                  : dtype === 'float16'
                    ? Uint16Array.from({ length: size }, () => 0x3c00)
                    : Float32Array.from({ length: size }, (_, i) => i);
          const p = perm === 'reverse' ? shape.map((_, i) => shape.length - 1 - i) : perm;
          probe(
            tally,
            'tensorFromTorch',
            () => tensorFromTorch({ shape, dtype, data } as never, p as number[] | undefined),
            (t) => {
              expect(t.shape).toEqual(p == null ? shape : (p as number[]).map((i) => shape[i]));
              t.dispose();
            },
          );
        },
      ),
      120,
    );
  });

  it('readTorchCheckpoint: a path that is not a checkpoint is a ModelFileError', async () => {
    await checkAsync(
      fc.asyncProperty(
        fc.constantFrom<unknown>('/nonexistent/x.pt', '/tmp', '', null, 3, new Uint8Array([1, 2, 3])),
        async (source) => {
          await probeAsync(
            tally,
            'readTorchCheckpoint',
            () => readTorchCheckpoint(source as never),
            () => undefined,
          );
        },
      ),
      12,
    );
  });
});

it('probed every public export of its family', () => expectProbed(tally, FAMILY_EXPORTS.interop));
