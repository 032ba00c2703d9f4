import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../../errors.js';
import { assertRank } from '../../util/checks.js';
import { effectiveKernel, intPair } from './geometry.js';

/** PyTorch `ConvTranspose2d` geometry; each entry is one number or `[h, w]`. */
export interface ConvTransposeGeometry {
  /** Default 1. */
  strides?: number | [number, number];
  /** PyTorch `padding`: removed from both ends of each axis. Default 0. */
  padding?: number | [number, number];
  /** PyTorch `output_padding`: added at the bottom/right; must be smaller than the stride or the dilation. Default 0. */
  outputPadding?: number | [number, number];
  /** Default 1. */
  dilationRate?: number | [number, number];
}

/** The geometry with every entry resolved to a `[h, w]` pair and checked. */
export interface ResolvedConvTransposeGeometry {
  strides: [number, number];
  padding: [number, number];
  outputPadding: [number, number];
  dilationRate: [number, number];
}

/** Validates a {@link ConvTransposeGeometry} and resolves it to pairs. */
export function resolveConvTransposeGeometry(g: ConvTransposeGeometry): ResolvedConvTransposeGeometry {
  const strides = intPair('strides', g.strides ?? 1, 1);
  const padding = intPair('padding', g.padding ?? 0, 0);
  const outputPadding = intPair('outputPadding', g.outputPadding ?? 0, 0);
  const dilationRate = intPair('dilationRate', g.dilationRate ?? 1, 1);
  for (let a = 0; a < 2; a++) {
    if ((outputPadding[a] as number) >= Math.max(strides[a] as number, dilationRate[a] as number)) {
      throw new ConfigError('outputPadding', g.outputPadding, `values smaller than the stride or the dilation (strides ${strides}, dilationRate ${dilationRate}), as PyTorch requires`);
    }
  }
  return { strides, padding, outputPadding, dilationRate };
}

/**
 * PyTorch's transposed-conv output length: `(n − 1)·s − 2p + d·(k − 1) + op + 1` (`null` stays unknown).
 *
 * @example
 * ```ts
 * convTransposeOutputLength(64, 3, 2, 1, 1); // 128 (GAN Compression's up-sampling convs)
 * ```
 */
export function convTransposeOutputLength(size: number | null, kernel: number, stride: number, padding: number, outputPadding: number, dilation = 1): number | null {
  if (size == null) return null;
  return (size - 1) * stride - 2 * padding + effectiveKernel(kernel, dilation) + outputPadding;
}

/**
 * Spreads a `[kh, kw, ...]` kernel out to `[d·(kh−1)+1, d·(kw−1)+1, ...]` with zeros between
 * the taps, so that ops without a dilation argument can run dilated kernels. Differentiable.
 */
export function dilateKernel(kernel: tf.Tensor4D, dilation: [number, number]): tf.Tensor4D {
  const [dh, dw] = dilation;
  if (dh === 1 && dw === 1) return kernel;
  return tf.tidy(() => {
    const [kh, kw, a, b] = kernel.shape;
    const spread = tf.pad(tf.reshape(kernel, [kh, 1, kw, 1, a, b]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
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
 * const y = convTranspose2d(x, filter, bias, { strides: 2, padding: 1, outputPadding: 1 });
 * ```
 */
export function convTranspose2d(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, geometry: ConvTransposeGeometry = {}): tf.Tensor4D {
  assertRank('x', x, 4);
  assertRank('filter', filter, 4);
  const g = resolveConvTransposeGeometry(geometry);
  const [n, h, w, cin] = x.shape;
  const [kh, kw, cout, fin] = filter.shape;
  if (fin !== cin) throw new ShapeError('filter', filter.shape, `[kh, kw, out, ${cin}] (its last axis must match the ${cin} input channels)`);
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new ShapeError('bias', bias.shape, `[${cout}]`);
  const oh = convTransposeOutputLength(h, kh, g.strides[0], g.padding[0], g.outputPadding[0], g.dilationRate[0]) as number;
  const ow = convTransposeOutputLength(w, kw, g.strides[1], g.padding[1], g.outputPadding[1], g.dilationRate[1]) as number;
  if (oh < 1 || ow < 1) throw new ShapeError('x', x.shape, `a size whose transposed-conv output is positive (got ${oh}×${ow})`);
  return tf.tidy(() => {
    const f = dilateKernel(filter, g.dilationRate);
    const [ekh, ekw] = f.shape;
    let y: tf.Tensor4D;
    const direct = g.outputPadding[0] < g.strides[0] && g.outputPadding[1] < g.strides[1] && g.padding[0] < ekh && g.padding[1] < ekw;
    if (direct) {
      // The gradient of a conv padded by p whose forward output is exactly n (true when op < s):
      // output row i collects input j through tap t where i = j·s + t − p, PyTorch's definition.
      const pads: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [g.padding[0], g.padding[0]], [g.padding[1], g.padding[1]], [0, 0]];
      y = tf.conv2dTranspose(x, f, [n, oh, ow, cout], g.strides, pads);
    } else {
      // op ≥ s (allowed when d > s) or p ≥ the kernel extent: take the full output, then crop p
      // and zero-extend to the size.
      const fh = (h - 1) * g.strides[0] + ekh;
      const fw = (w - 1) * g.strides[1] + ekw;
      const full = tf.conv2dTranspose(x, f, [n, fh, fw, cout], g.strides, 'valid');
      const extended = tf.pad(full, [[0, 0], [0, Math.max(0, g.padding[0] + oh - fh)], [0, Math.max(0, g.padding[1] + ow - fw)], [0, 0]]);
      y = tf.slice(extended, [0, g.padding[0], g.padding[1], 0], [n, oh, ow, cout]);
    }
    return bias == null ? y : tf.add(y, bias);
  });
}

/** NHWC output shape of a transposed conv with `channels` outputs (unknown sizes stay `null`). */
export function convTransposeOutputShape(s: readonly (number | null)[], kernelSize: readonly [number, number], g: ResolvedConvTransposeGeometry, channels: number): (number | null)[] {
  const len = (a: 0 | 1): number | null => convTransposeOutputLength(s[a + 1] ?? null, kernelSize[a], g.strides[a], g.padding[a], g.outputPadding[a], g.dilationRate[a]);
  return [s[0] ?? null, len(0), len(1), channels];
}

/**
 * MACs and parameters of a transposed conv from `cin` to `cout` channels: `'torchprofile'`
 * counts `outElements · Cin · kh · kw` (torchprofile 0.0.1), `'exact'` `inElements · Cout · kh · kw`.
 */
export function convTransposeCost(s: readonly (number | null)[], kernelSize: readonly [number, number], g: ResolvedConvTransposeGeometry, cout: number, useBias: boolean, convention: 'torchprofile' | 'exact'): { macs: number; params: number; outputShape: (number | null)[] } {
  const out = convTransposeOutputShape(s, kernelSize, g, cout);
  const cin = s[3] ?? Number.NaN;
  const taps = kernelSize[0] * kernelSize[1];
  const count = (shape: readonly (number | null)[]): number => shape.reduce<number>((n, d) => n * (d ?? Number.NaN), 1);
  const macs = convention === 'torchprofile' ? count(out) * cin * taps : count(s) * cout * taps;
  return { macs, params: taps * cin * cout + (useBias ? cout : 0), outputShape: out };
}

/** The config entries of a transposed conv's kernel size and geometry. */
export function convTransposeConfig(kernelSize: readonly [number, number], g: ResolvedConvTransposeGeometry): Record<string, number[]> {
  return { kernelSize: [...kernelSize], strides: [...g.strides], padding: [...g.padding], outputPadding: [...g.outputPadding], dilationRate: [...g.dilationRate] };
}
