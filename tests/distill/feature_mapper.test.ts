import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FeatureMapper, fileSystem, ShapeError } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';

/** y[n,h,w,o] = b[o] + Σ_c x[n,h,w,c] · k[c,o] over the first c input channels, in plain JS. */
function slowMap(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): Float64Array {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const o = kernel.shape[3] as number;
  const xs = x.dataSync();
  const ks = kernel.dataSync();
  const bs = bias.dataSync();
  const out = new Float64Array(n * h * w * o);
  for (let p = 0; p < n * h * w; p++)
    for (let j = 0; j < o; j++) {
      let s = bs[j] as number;
      for (let i = 0; i < c; i++) s += (xs[p * c + i] as number) * (ks[i * o + j] as number);
      out[p * o + j] = s;
    }
  return out;
}

describeBackends('FeatureMapper', () => {
  it('is a 1×1 conv with bias from the student width to the teacher width, built from the two shapes; PyTorch default init', () => {
    const m = FeatureMapper.fromShapes([null, 4, 4, 6], [null, 4, 4, 10], { seed: 3 });
    const x = seededTensor([2, 4, 4, 6], 1);
    const y = m.apply(x) as tf.Tensor;
    const [k, b] = m.getWeights() as [tf.Tensor, tf.Tensor];
    expect(k.shape).toEqual([1, 1, 6, 10]);
    expect(b.shape).toEqual([10]);
    expectClose(y, slowMap(x, k, b), 1e-5, 0, 'mapped');
    // U(±1/√6) for both, as PyTorch's Conv2d initialises
    const bound = 1 / Math.sqrt(6);
    for (const v of [...Array.from(k.dataSync()), ...Array.from(b.dataSync())])
      expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(k.dataSync(), Math.abs))).toBeGreaterThan(0.8 * bound);
    const again = FeatureMapper.fromShapes([null, 4, 4, 6], [null, 4, 4, 10], { seed: 3 });
    again.apply(x);
    expect(Array.from((again.getWeights()[0] as tf.Tensor).dataSync())).toEqual(Array.from(k.dataSync()));
    tf.dispose([x, y]);
  });

  it('sliceInput: a narrower input uses the first input channels of the kernel (property), and only they get gradients', () => {
    const m = new FeatureMapper({ studentChannels: 8, teacherChannels: 5, sliceInput: true, seed: 1 });
    m.apply(tfl.input({ shape: [3, 3, 8] }));
    const [k, b] = m.getWeights() as [tf.Tensor, tf.Tensor];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.nat(1000), (c, seed) => {
        const x = seededTensor([1, 3, 3, c], seed);
        const y = m.apply(x) as tf.Tensor;
        const kc = tf.slice(k, [0, 0, 0, 0], [1, 1, c, 5]);
        expectClose(y, slowMap(x, kc, b), 1e-5, 0, `width ${c}`);
        tf.dispose([x, y, kc]);
      }),
      { seed: 2, numRuns: 20 },
    );
    const kernelVar = m.trainableWeights[0]?.read() as tf.Variable;
    const x = seededTensor([1, 3, 3, 3], 9);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(m.apply(x) as tf.Tensor)), [kernelVar]);
    const g = grads[kernelVar.name] as tf.Tensor;
    const rows = tf.tidy(() => tf.sum(tf.abs(g), [0, 1, 3]).arraySync() as number[]);
    expect(rows.slice(0, 3).every((v) => v > 0)).toBe(true);
    expect(rows.slice(3)).toEqual([0, 0, 0, 0, 0]);
    tf.dispose([x, g]);
  });

  it('serializes: a model with mappers saves and loads through fileSystem with equal outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapper-'));
    try {
      const input = tfl.input({ shape: [4, 4, 3] });
      const m = new FeatureMapper({ name: 'map', studentChannels: 3, teacherChannels: 7, sliceInput: true, seed: 4 });
      const model = tfl.model({ inputs: input, outputs: m.apply(input) as tfl.SymbolicTensor });
      await model.save(fileSystem(join(dir, 'm')));
      const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'm')));
      const again = loaded.getLayer('map') as FeatureMapper;
      expect(again).toBeInstanceOf(FeatureMapper);
      expect([again.studentChannels, again.teacherChannels, again.sliceInput, again.useBias]).toEqual([
        3,
        7,
        true,
        true,
      ]);
      const x = seededTensor([2, 4, 4, 3], 5);
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([x, a, b]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no leaks; refuses wider inputs, other widths without sliceInput, shapes that do not map, bad configs', async () => {
    const m = new FeatureMapper({ studentChannels: 4, teacherChannels: 2 });
    const x = seededTensor([1, 2, 2, 4], 1);
    tf.dispose(m.apply(x) as tf.Tensor);
    await expectNoLeak(() => tf.dispose(m.apply(x) as tf.Tensor));
    expect(() => m.apply(seededTensor([1, 2, 2, 3], 2))).toThrow(
      /input: got shape \[1,2,2,3\], expected NHWC with 4 channels \(the student width; set sliceInput for a supernet\)/,
    );
    const s = new FeatureMapper({ studentChannels: 4, teacherChannels: 2, sliceInput: true });
    expect(() => s.apply(seededTensor([1, 2, 2, 5], 3))).toThrow(/expected NHWC with at most 4 channels/);
    expect(() => FeatureMapper.fromShapes([null, 4, 4, 8], [null, 2, 2, 8])).toThrow(ShapeError);
    expect(() => FeatureMapper.fromShapes([null, 4, 4, 8], [null, 2, 2, 8])).toThrow(
      /teacherShape: got shape \[,2,2,8\], expected the height and width of studentShape/,
    );
    expect(() => FeatureMapper.fromShapes([null, 4, 4, null], [null, 4, 4, 8])).toThrow(
      /studentShape: .*known channel count/,
    );
    expect(() => new FeatureMapper({ studentChannels: 0, teacherChannels: 2 })).toThrow(
      /studentChannels: got 0, expected an integer >= 1/,
    );
    expect(() => new FeatureMapper({ studentChannels: 2, teacherChannels: 2, sliceInput: 'yes' as never })).toThrow(
      /sliceInput: got 'yes', expected true or false/,
    );
    x.dispose();
  });
});
