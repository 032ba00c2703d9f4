import { assertInt } from '../util/index.js';
import { cubicKernel } from './bicubic_weights.js';

/**
 * Bicubic up-sampling by an integer `scale` written as a convolution followed by a pixel shuffle (depth-to-space):
 * the `[k, k, channels, channels·scale²]` kernel (k = 5 for scales up to 4, zero-padded 'same') whose outputs,
 * rearranged by `tf.depthToSpace(·, scale, 'NHWC')`, are PIL's bicubic up-sampling (Keys, a = −0.5, pixel centres)
 * away from the image border — where PIL renormalises the taps inside the image and the conv sees zeros. Output
 * sub-pixel `(i, j)` of channel `c` is kernel channel `(i·scale + j)·channels + c`, as depth-to-space reads them.
 *
 * This is how an upscaler can start from bicubic and learn a residual on top with nothing but a conv and a pixel
 * shuffle, which every runtime has.
 *
 * @example
 * ```ts
 * const kernel = bicubicPixelShuffleKernel(4, 3);            // Float32Array of 5·5·3·48
 * const skip = tf.layers.conv2d({ filters: 48, kernelSize: 5, padding: 'same', useBias: false });
 * ```
 */
export function bicubicPixelShuffleKernel(scale: number, channels: number): { kernel: Float32Array; size: number } {
  assertInt('scale', scale, 2, 8);
  assertInt('channels', channels, 1, 256); // the kernel holds (size·channels·scale)² weights: 400 MB at 256
  // Output sub-pixel i of LR pixel h sits at LR coordinate h + d, d = (i + ½)/scale − ½; its taps are the LR pixels
  // within 2 of it.
  const offsets = Array.from({ length: scale }, (_, i) => (i + 0.5) / scale - 0.5);
  const reach = Math.max(...offsets.map((d) => Math.ceil(Math.abs(d) + 2 - 1e-9))) - 1;
  const size = 2 * reach + 1;
  const taps = offsets.map((d) => Array.from({ length: size }, (_, t) => cubicKernel(d - (t - reach))));
  const out = channels * scale * scale;
  const kernel = new Float32Array(size * size * channels * out);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let i = 0; i < scale; i++) {
        for (let j = 0; j < scale; j++) {
          const w = (taps[i] as number[])[y]! * (taps[j] as number[])[x]!;
          for (let c = 0; c < channels; c++) {
            kernel[((y * size + x) * channels + c) * out + (i * scale + j) * channels + c] = w;
          }
        }
      }
    }
  }
  return { kernel, size };
}
