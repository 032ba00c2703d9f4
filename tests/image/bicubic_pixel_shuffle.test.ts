/**
 * bicubicPixelShuffleKernel: a conv + depth-to-space that equals resizeBicubic's up-sampling (PIL's bicubic, itself
 * tested against PIL) away from the border, for every supported scale and channel count; the kernel's taps sum to 1
 * per output pixel (bicubic interpolates constants exactly); errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { bicubicPixelShuffleKernel, ConfigError, resizeBicubic } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { maxAbsDiff } from '../helpers/tensors.js';

describeBackends('bicubicPixelShuffleKernel', () => {
  it('equals resizeBicubic up-sampling inside the border (scales 2, 3, 4, 8; 1 and 3 channels)', () => {
    for (const scale of [2, 3, 4, 8]) {
      for (const channels of [1, 3]) {
        const { kernel, size } = bicubicPixelShuffleKernel(scale, channels);
        const [ours, ref] = tf.tidy(() => {
          const x = tf.randomUniform<tf.Rank.R4>([2, 12, 10, channels], 0, 1, 'float32', scale * 10 + channels);
          const k = tf.tensor4d(kernel, [size, size, channels, channels * scale * scale]);
          const y = tf.depthToSpace(tf.conv2d(x, k, 1, 'same'), scale, 'NHWC');
          const r = resizeBicubic(x, [12 * scale, 10 * scale]);
          // Bicubic reaches 2 LR pixels: compare what is 3 LR pixels inside the border.
          const m = 3 * scale;
          const crop = (t: tf.Tensor4D): tf.Tensor4D =>
            tf.slice(t, [0, m, m, 0], [2, 12 * scale - 2 * m, 10 * scale - 2 * m, channels]);
          return [crop(y), crop(r)];
        });
        expect(maxAbsDiff(ours, ref), `scale ${scale}, ${channels} channels`).toBeLessThan(1e-5);
        tf.dispose([ours, ref]);
      }
    }
  });

  it('has taps summing to 1 for every output sub-pixel and zero across channels', () => {
    const scale = 4;
    const { kernel, size } = bicubicPixelShuffleKernel(scale, 3);
    expect(size).toBe(5);
    const out = 48;
    for (let o = 0; o < out; o++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let t = 0; t < size * size; t++) sum += kernel[(t * 3 + c) * out + o]!;
        // Output channel o carries colour o % 3: its taps on that colour sum to 1, on the others to 0.
        expect(sum, `output ${o}, input colour ${c}`).toBeCloseTo(o % 3 === c ? 1 : 0, 6);
      }
    }
  });

  it('refuses scales and channel counts it cannot build, naming them', () => {
    expect(() => bicubicPixelShuffleKernel(1, 3)).toThrow(ConfigError);
    expect(() => bicubicPixelShuffleKernel(2.5, 3)).toThrow(/scale: got 2\.5/);
    expect(() => bicubicPixelShuffleKernel(4, 0)).toThrow(/channels: got 0/);
  });
});
