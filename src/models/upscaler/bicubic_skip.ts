import * as tf from '@tensorflow/tfjs-core';
import { bicubicPixelShuffleKernel } from '../../image/index.js';
import { haarDwt } from '../../wavelet/index.js';

/**
 * The bicubic skip's conv kernel for an up-sampling head: in pixel-shuffle layout, or in the Haar-coefficient layout
 * that `log2(scale)` inverse DWTs turn into the same pixels. Each pixel-shuffle channel is one pixel of a
 * `scale × scale × 3` block; its coefficients are that one-hot block's forward DWTs (orthonormal, so the inverse
 * DWTs give the block back), and the wavelet kernel is the pixel kernel times that change of basis.
 */
export function bicubicSkipKernel(
  scale: number,
  head: 'pixelShuffle' | 'wavelet',
): { kernel: Float32Array; size: number } {
  const { kernel, size } = bicubicPixelShuffleKernel(scale, 3);
  if (head === 'pixelShuffle') return { kernel, size };
  const out = 3 * scale * scale;
  const basis = tf.tidy(() => {
    // One one-hot 1×1 pixel per pixel-shuffle channel, shuffled into its block, then analysed back to coefficients.
    let blocks = tf.depthToSpace(tf.reshape<tf.Rank.R4>(tf.eye(out), [out, 1, 1, out]), scale, 'NHWC');
    for (let level = 0; level < Math.log2(scale); level++) blocks = haarDwt(blocks);
    return tf.reshape(blocks, [out, out]).dataSync() as Float32Array;
  });
  const wavelet = new Float32Array(kernel.length);
  for (let tap = 0; tap < size * size * 3; tap++) {
    for (let m = 0; m < out; m++) {
      let sum = 0;
      for (let k = 0; k < out; k++) sum += kernel[tap * out + k]! * basis[k * out + m]!;
      wavelet[tap * out + m] = sum;
    }
  }
  return { kernel: wavelet, size };
}
