import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError, FeatureStats, frechetDistance } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { expectNoLeak } from '../helpers/tensors.js';
import { features, toRows } from './generator.js';

/** Two-pass float64 mean and unbiased covariance (the textbook reference). */
function twoPass(x: Float64Array, n: number, d: number): { mu: Float64Array; sigma: Float64Array } {
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j]! += (x[i * d + j] as number) / n;
  const sigma = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < d; p++) {
      const a = (x[i * d + p] as number) - (mu[p] as number);
      for (let q = 0; q < d; q++) sigma[p * d + q]! += (a * ((x[i * d + q] as number) - (mu[q] as number))) / (n - 1);
    }
  }
  return { mu, sigma };
}

function maxRel(a: Float64Array, b: Float64Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m / scale;
}

describe('FeatureStats', () => {
  it('streams to the two-pass mean and covariance (np.cov convention), whatever the batch sizes', () => {
    const [n, d] = [700, 37];
    const x = features(7, n, d, 5);
    const ref = twoPass(x, n, d);
    for (const chunk of [1, 13, 256, 300, 700]) {
      const s = new FeatureStats(d);
      for (let i = 0; i < n; i += chunk)
        s.updateRows(x.subarray(i * d, Math.min(n, i + chunk) * d), Math.min(chunk, n - i));
      expect(s.count).toBe(n);
      expect(maxRel(s.mean(), ref.mu)).toBeLessThan(1e-13);
      expect(maxRel(s.covariance(), ref.sigma)).toBeLessThan(1e-13);
    }
  });

  it('is stable for features far from zero (a naive Σx² − nμ² would lose every digit)', () => {
    // Values 1e9 + u: the covariance must equal that of u exactly representable deviations.
    const [n, d] = [600, 6];
    const u = features(9, n, d, 2);
    const shifted = u.map((v) => 1e9 + v);
    const centred = shifted.map((v) => v - 1e9); // exact (Sterbenz), the values actually stored
    const s = new FeatureStats(d).updateRows(shifted, n);
    expect(maxRel(s.covariance(), twoPass(centred, n, d).sigma)).toBeLessThan(1e-9);
  });

  it('merge equals accumulating everything in one object', () => {
    const [d, n1, n2] = [20, 333, 91];
    const x1 = features(11, n1, d, 4);
    const x2 = features(12, n2, d, 4).map((v) => v + 3);
    const all = new Float64Array((n1 + n2) * d);
    all.set(x1);
    all.set(x2, n1 * d);
    const merged = new FeatureStats(d).updateRows(x1, n1).merge(new FeatureStats(d).updateRows(x2, n2));
    const ref = twoPass(all, n1 + n2, d);
    expect(merged.count).toBe(n1 + n2);
    expect(maxRel(merged.mean(), ref.mu)).toBeLessThan(1e-13);
    expect(maxRel(merged.covariance(), ref.sigma)).toBeLessThan(1e-13);
  });

  it('binary form round-trips bit for bit and has the documented size', () => {
    const d = 9;
    const s = new FeatureStats(d).updateRows(features(13, 50, d, 3), 50);
    const bytes = s.toBinary();
    expect(bytes.byteLength).toBe(32 + 8 * (d + (d * (d + 1)) / 2));
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('GCFS');
    const back = FeatureStats.fromBinary(bytes);
    expect(back.count).toBe(50);
    expect(Array.from(back.mean())).toEqual(Array.from(s.mean()));
    expect(Array.from(back.covariance())).toEqual(Array.from(s.covariance()));
    // From an ArrayBuffer (fetch) and a Node Buffer view with an offset.
    expect(FeatureStats.fromBinary(bytes.slice().buffer).count).toBe(50);
    const padded = Buffer.concat([Buffer.alloc(3), Buffer.from(bytes)]).subarray(3);
    expect(Array.from(FeatureStats.fromBinary(padded).mean())).toEqual(Array.from(s.mean()));
    // Continuing to accumulate after a round trip equals never having serialised.
    const more = features(14, 30, d, 3);
    back.updateRows(more, 30);
    s.updateRows(more, 30);
    expect(maxRel(back.covariance(), s.covariance())).toBeLessThan(1e-14);
  });

  it('JSON form round-trips to the last ulp and is a { mu, sigma } input', () => {
    const d = 5;
    const s = new FeatureStats(d).updateRows(features(15, 40, d, 2), 40);
    const json = JSON.parse(JSON.stringify(s)) as ReturnType<FeatureStats['toJSON']>;
    expect(json.format).toBe('gancompress-feature-stats');
    expect(json.count).toBe(40);
    expect(json.sigma).toHaveLength(d);
    const back = FeatureStats.fromJSON(json);
    expect(Array.from(back.mean())).toEqual(Array.from(s.mean()));
    expect(maxRel(back.covariance(), s.covariance())).toBeLessThan(1e-15);
    expect(frechetDistance(json, s)).toBeCloseTo(0, 10);
    // Python-written statistics (pytorch-fid's mu/sigma plus a count) load the same way.
    const fromPython = FeatureStats.fromJSON({ count: 40, mu: json.mu, sigma: json.sigma });
    expect(fromPython.count).toBe(40);
    // Fewer than two vectors: sigma is all zeros.
    expect(new FeatureStats(2).update([[1, 2]]).toJSON().sigma).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('rejects bad constructors, serialised data and inputs', () => {
    expect(() => new FeatureStats(0)).toThrow(/dim: got 0, expected an integer in \[1, 16384\]/);
    expect(() => FeatureStats.fromBinary(new Uint8Array(40))).toThrow(
      /data: got '40 bytes', expected FeatureStats binary data starting with 'GCFS'/,
    );
    const bytes = new FeatureStats(3)
      .update([
        [1, 2, 3],
        [3, 2, 1],
      ])
      .toBinary();
    expect(() => FeatureStats.fromBinary(bytes.subarray(0, bytes.length - 8))).toThrow(
      /expected 104 bytes for dimension 3/,
    );
    const wrongVersion = bytes.slice();
    wrongVersion[4] = 9;
    expect(() => FeatureStats.fromBinary(wrongVersion)).toThrow(/data version: got 9, expected 1/);
    expect(() => FeatureStats.fromBinary('x' as never)).toThrow(ConfigError);
    expect(() => FeatureStats.fromJSON({ count: 1.5, mu: [0], sigma: [[1]] })).toThrow(/json.count: got 1.5/);
    expect(() => FeatureStats.fromJSON({ count: 3, mu: [0, 1], sigma: [[1]] })).toThrow(
      /json.sigma: got shape \[1\], expected 2 rows of 2/,
    );
    expect(() => new FeatureStats(2).updateRows([1, 2, 3], 2)).toThrow(/data.length: got 3, expected n · dim = 4/);
    expect(() => FeatureStats.fromFeatures([])).toThrow(/features: got '0 rows', expected at least one feature vector/);
    expect(() => new FeatureStats(2).update([[1, 2], [3]])).toThrow(
      /features\[1\]: got shape \[1\], expected \[2\] like features\[0\]/,
    );
  });
});

describeBackends('FeatureStats from tensors', () => {
  it('update reads [n, d] tensors (float32 or int32) without disposing or leaking', async () => {
    const x = features(21, 40, 6, 2);
    const t = tf.tensor2d(Float32Array.from(x), [40, 6]);
    const i = tf.tensor2d(
      [
        [1, 2],
        [3, 5],
        [4, 4],
      ],
      undefined,
      'int32',
    );
    const s = await expectNoLeak(() => new FeatureStats(6).update(t));
    const ref = new FeatureStats(6).update(toRows(Float32Array.from(x), 40, 6));
    expect(Array.from(s.covariance())).toEqual(Array.from(ref.covariance()));
    const mean = FeatureStats.fromFeatures(i).mean();
    expect(mean[0]).toBeCloseTo(8 / 3, 15);
    expect(mean[1]).toBeCloseTo(11 / 3, 15);
    expect(t.isDisposed).toBe(false);
    expect(() => new FeatureStats(6).update(tf.zeros([2, 3, 1]) as never)).toThrow(
      /features: got shape \[2,3,1\], expected rank 2/,
    );
    expect(() => new FeatureStats(2).update(tf.tensor2d([[true, false]], undefined, 'bool') as never)).toThrow(
      /features.dtype: got 'bool'/,
    );
    tf.dispose([t, i]);
  });
});
