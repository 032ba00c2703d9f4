/**
 * PixelShuffle against the index formula of depth-to-space written out by hand, against UpscalerJS's own
 * PixelShuffle4x (the layer ESRGAN-thick registers), and its config, cost, channel role and errors.
 */
import * as tfUnion from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { ConfigError, countMacs, PixelShuffle, ShapeError } from '../../../src/index.js';
import { describeBackends } from '../../helpers/backends.js';
import { checkGradient } from '../../helpers/gradients.js';
import { expectNoLeak, seededTensor } from '../../helpers/tensors.js';

/** out[n, r·h + i, r·w + j, c] = in[n, h, w, (i·r + j)·C + c], by loops. */
function shuffleByHand(x: Float32Array, [n, h, w, cin]: [number, number, number, number], r: number): Float32Array {
  const c = cin / (r * r);
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let z = 0; z < w; z++)
        for (let i = 0; i < r; i++)
          for (let j = 0; j < r; j++)
            for (let k = 0; k < c; k++) {
              const src = ((b * h + y) * w + z) * cin + (i * r + j) * c + k;
              const dst = ((b * h * r + y * r + i) * w * r + z * r + j) * c + k;
              out[dst] = x[src] as number;
            }
  return out;
}

describeBackends('PixelShuffle', () => {
  it('moves every value where depth-to-space puts it (scales 2, 3, 4; batch 2)', () => {
    for (const r of [2, 3, 4]) {
      const shape: [number, number, number, number] = [2, 3, 5, 2 * r * r];
      const x = seededTensor(shape, r);
      const y = new PixelShuffle({ scale: r }).apply(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 3 * r, 5 * r, 2]);
      expect(Array.from(y.dataSync())).toEqual(Array.from(shuffleByHand(x.dataSync() as Float32Array, shape, r)));
      tf.dispose([x, y]);
    }
  });

  it('has a gradient (tfjs has none for DepthToSpace): the inverse rearrangement, by finite differences', () => {
    const layer = new PixelShuffle({ scale: 2 });
    const x = seededTensor([2, 2, 3, 8], 5);
    const weights = seededTensor([2, 4, 6, 2], 6);
    checkGradient((p) => tf.sum(tf.mul(layer.apply(p) as tf.Tensor, weights)), x, 1e-2, 1e-3, 'pixel shuffle');
    // The gradient of Σ w·shuffle(x) is w rearranged back: exactly, element by element.
    const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(layer.apply(p) as tf.Tensor, weights)))(x);
    const [n, h, w, c] = [2, 2, 3, 8];
    const expected = new Float32Array(n * h * w * c);
    const wd = weights.dataSync();
    for (let b = 0; b < n; b++)
      for (let y = 0; y < h; y++)
        for (let z = 0; z < w; z++)
          for (let i = 0; i < 2; i++)
            for (let j = 0; j < 2; j++)
              for (let k = 0; k < 2; k++)
                expected[((b * h + y) * w + z) * c + (i * 2 + j) * 2 + k] = wd[
                  ((b * 4 + y * 2 + i) * 6 + z * 2 + j) * 2 + k
                ] as number;
    expect(Array.from(g.dataSync())).toEqual(Array.from(expected));
    tf.dispose([x, weights, g]);
  });

  it("equals UpscalerJS's PixelShuffle4x, registered by esrgan-thick's own setup(tf)", () => {
    const require = createRequire(import.meta.url);
    type Definition = { setup: (t: typeof tfUnion) => void };
    // The package's CommonJS build exports the definition itself.
    const definition = require('@upscalerjs/esrgan-thick/4x') as Definition;
    definition.setup(tfUnion);
    const theirs = tf.serialization.SerializationMap.getMap().classNameMap['PixelShuffle4x'];
    if (theirs == null) throw new Error('esrgan-thick did not register PixelShuffle4x');
    const [cls, fromConfig] = theirs;
    const upscalerLayer = fromConfig(cls, {}) as tfl.layers.Layer;
    const x = seededTensor([1, 4, 6, 48], 7);
    const a = upscalerLayer.apply(x) as tf.Tensor;
    const b = new PixelShuffle({ scale: 4 }).apply(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
  });

  it('saves its scale, costs nothing and is a channel barrier', () => {
    const layer = new PixelShuffle({ scale: 4, name: 'ps' });
    const copy = PixelShuffle.fromConfig(PixelShuffle, layer.getConfig()) as PixelShuffle;
    expect(copy.scale).toBe(4);
    expect(layer.computeCost([1, 8, 8, 48], 'torchprofile')).toEqual({
      macs: 0,
      params: 0,
      outputShape: [1, 32, 32, 3],
    });
    expect(layer.channelRole()).toMatchObject({ kind: 'barrier', fixedInputWidth: true });
    const input = tfl.input({ shape: [8, 8, 48] });
    const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
    expect(countMacs(model, [1, 8, 8, 48]).total).toBe(0);
  });

  it('refuses a bad scale or a channel count that is not a multiple of scale², naming them; no leak', async () => {
    expect(() => new PixelShuffle({ scale: 1 })).toThrow(ConfigError);
    expect(() => new PixelShuffle({ scale: 2.5 })).toThrow(/scale: got 2\.5/);
    expect(() => new PixelShuffle({} as never)).toThrow(/scale/);
    const x = seededTensor([1, 2, 2, 12], 1);
    await expectNoLeak(() => {
      expect(() => new PixelShuffle({ scale: 4 }).apply(x)).toThrow(ShapeError);
      expect(() => new PixelShuffle({ scale: 4 }).apply(x)).toThrow(/multiple of scale² = 16/);
    });
    x.dispose();
  });
});
