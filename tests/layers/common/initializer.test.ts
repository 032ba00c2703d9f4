import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { IDWTUpsample, ModulatedDWConv2d } from '../../../src/index.js';
import { pytorchLinearInitializer, resolveInitializer } from '../../../src/layers/core/initializer.js';
import { describeBackends } from '../../helpers/backends.js';

/** The values of `layer`'s weight with short name `name`. */
function weightValues(layer: tfl.layers.Layer, name: string): Float32Array {
  const v = layer.weights.find((w) => w.originalName.split('/').pop() === name);
  if (v == null) throw new Error(`no weight ${name}`);
  return v.read().dataSync() as Float32Array;
}

describeBackends("PyTorch nn.Linear's default initializer", () => {
  it('draws U(±1/√fanIn), seeded: bound, mean and variance of 12,000 draws, same seed same values', () => {
    const init = pytorchLinearInitializer(3);
    const w = init.apply([400, 30]);
    const values = w.dataSync();
    const bound = 1 / Math.sqrt(400);
    let max = 0;
    let sum = 0;
    let squares = 0;
    for (const v of values) {
      max = Math.max(max, Math.abs(v));
      sum += v;
      squares += v * v;
    }
    const n = values.length;
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.99 * bound);
    // U(−b, b): mean 0 (sd of the mean b/√(3n) ≈ 2.6e-4), variance b²/3 (relative sd ≈ √(0.8/n) ≈ 0.8 %).
    expect(Math.abs(sum / n)).toBeLessThan(5 * (bound / Math.sqrt(3 * n)));
    expect(Math.abs(squares / n / ((bound * bound) / 3) - 1)).toBeLessThan(0.04);
    const again = pytorchLinearInitializer(3).apply([400, 30]);
    expect(Array.from(again.dataSync())).toEqual(Array.from(values));
    const named = resolveInitializer('x', 'pytorchLinear', 'zeros', 3).apply([400, 30]);
    expect(Array.from(named.dataSync())).toEqual(Array.from(values));
    tf.dispose([w, again, named]);
  });

  it("is IDWTUpsample's and the linear style affine map's default, saved as the VarianceScaling config models already hold", () => {
    const up = new IDWTUpsample({ styleDim: 6, seed: 11 });
    up.apply([tfl.input({ shape: [4, 4, 8] }), tfl.input({ shape: [6] })]);
    const expected = pytorchLinearInitializer(11).apply([6, 8]);
    expect(Array.from(weightValues(up, 'kernel'))).toEqual(Array.from(expected.dataSync()));
    // The config key and value IDWTUpsample has always written: loading older models is unchanged.
    expect(up.getConfig()['kernelInitializer']).toEqual({
      className: 'VarianceScaling',
      config: { scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: 11 },
    });
    const conv = new ModulatedDWConv2d({ filters: 4, styleDim: 6, affine: 'linear', seed: 12 });
    conv.apply([tfl.input({ shape: [4, 4, 8] }), tfl.input({ shape: [6] })]);
    const affine = pytorchLinearInitializer(12).apply([6, 8]);
    expect(Array.from(weightValues(conv, 'affineKernel'))).toEqual(Array.from(affine.dataSync()));
    tf.dispose([expected, affine]);
    up.dispose();
    conv.dispose();
  });
});
