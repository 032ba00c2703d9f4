import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../../util/index.js';
import { assertRank } from '../../util/index.js';
import {
  resolveConvTransposeGeometry,
  transposedLength,
  type ConvTransposeGeometry,
} from './conv_transpose_geometry.js';
import { effectiveKernel } from '../../util/index.js';

/**
 * Spreads a `[kh, kw, ...]` kernel out to `[d·(kh−1)+1, d·(kw−1)+1, ...]` with zeros between
 * the taps, so that ops without a dilation argument can run dilated kernels. Differentiable.
 */
export function dilateKernel(kernel: tf.Tensor4D, dilation: [number, number]): tf.Tensor4D {
  const [dh, dw] = dilation;
  if (dh === 1 && dw === 1) return kernel;
  return tf.tidy(() => {
    const [kh, kw, a, b] = kernel.shape;
    const spread = tf.pad(tf.reshape(kernel, [kh, 1, kw, 1, a, b]), [
      [0, 0],
      [0, dh - 1],
      [0, 0],
      [0, dw - 1],
      [0, 0],
      [0, 0],
    ]);
    const grid = tf.reshape(spread, [kh * dh, kw * dw, a, b]);
    return tf.slice(grid, [0, 0, 0, 0], [effectiveKernel(kh, dh), effectiveKernel(kw, dw), a, b]) as tf.Tensor4D;
  });
}

/**
 * A transposed convolution with PyTorch `ConvTranspose2d` geometry on NHWC tensors. `filter` is
 * in tfjs's conv2dTranspose layout `[kh, kw, outChannels, inChannels]` (PyTorch's
 * `[in, out, kh, kw]` permuted by `[2, 3, 1, 0]`). Output size per axis:
 * `(n − 1)·s − 2p + d·(k − 1) + op + 1`.
 *
 * @example
 * ```ts
 * // nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1): 64×64 → 128×128
 * const input = tf.randomNormal([1, 64, 64, 64]) as tf.Tensor4D;
 * const filter = tf.randomNormal([3, 3, 32, 64]) as tf.Tensor4D; // [kh, kw, out, in]
 * const bias = tf.zeros([32]) as tf.Tensor1D;
 * const y = convTranspose2d(input, filter, bias, { strides: 2, padding: 1, outputPadding: 1 });
 * console.log(y.shape); // [1, 128, 128, 32]
 * ```
 */
export function convTranspose2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  geometry: ConvTransposeGeometry = {},
): tf.Tensor4D {
  assertRank('x', x, 4);
  assertRank('filter', filter, 4);
  const g = resolveConvTransposeGeometry(geometry);
  const [n, h, w, cin] = x.shape;
  const [kh, kw, cout, fin] = filter.shape;
  if (fin !== cin)
    throw new ShapeError(
      'filter',
      filter.shape,
      `[kh, kw, out, ${cin}] (its last axis must match the ${cin} input channels)`,
    );
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== cout))
    throw new ShapeError('bias', bias.shape, `[${cout}]`);
  const oh = transposedLength(h, kh, g.strides[0], g.padding[0], g.outputPadding[0], g.dilationRate[0]);
  const ow = transposedLength(w, kw, g.strides[1], g.padding[1], g.outputPadding[1], g.dilationRate[1]);
  if (oh < 1 || ow < 1)
    throw new ShapeError('x', x.shape, `a size whose transposed-conv output is positive (got ${oh}×${ow})`);
  return tf.tidy(() => {
    const f = dilateKernel(filter, g.dilationRate);
    const [ekh, ekw] = f.shape;
    let y: tf.Tensor4D;
    const direct =
      g.outputPadding[0] < g.strides[0] &&
      g.outputPadding[1] < g.strides[1] &&
      g.padding[0] < ekh &&
      g.padding[1] < ekw;
    if (direct) {
      // The gradient of a conv padded by p whose forward output is exactly n (true when op < s):
      // output row i collects input j through tap t where i = j·s + t − p, PyTorch's definition.
      const pads: [[number, number], [number, number], [number, number], [number, number]] = [
        [0, 0],
        [g.padding[0], g.padding[0]],
        [g.padding[1], g.padding[1]],
        [0, 0],
      ];
      y = tf.conv2dTranspose(x, f, [n, oh, ow, cout], g.strides, pads);
    } else {
      // op ≥ s (allowed when d > s) or p ≥ the kernel extent: take the full output, then crop p
      // and zero-extend to the size.
      const fh = (h - 1) * g.strides[0] + ekh;
      const fw = (w - 1) * g.strides[1] + ekw;
      const full = tf.conv2dTranspose(x, f, [n, fh, fw, cout], g.strides, 'valid');
      const extended = tf.pad(full, [
        [0, 0],
        [0, Math.max(0, g.padding[0] + oh - fh)],
        [0, Math.max(0, g.padding[1] + ow - fw)],
        [0, 0],
      ]);
      y = tf.slice(extended, [0, g.padding[0], g.padding[1], 0], [n, oh, ow, cout]);
    }
    return bias == null ? y : tf.add(y, bias);
  });
}
