import { ConfigError, ShapeError } from '../../util/index.js';
import { assertInt } from '../../util/index.js';
import { numElements, type LayerCost, type LayerShape, type MacConvention } from '../core/index.js';
import type { ChannelAxes } from '../core/index.js';
import { effectiveKernel, intPair } from '../../util/index.js';

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

/**
 * Validates a {@link ConvTransposeGeometry} and resolves it to pairs; errors name each entry
 * after `prefix` (a layer's `'name.'`, or nothing for the op's own arguments).
 */
export function resolveConvTransposeGeometry(g: ConvTransposeGeometry, prefix = ''): ResolvedConvTransposeGeometry {
  const strides = intPair(`${prefix}strides`, g.strides ?? 1, 1);
  const padding = intPair(`${prefix}padding`, g.padding ?? 0, 0);
  const outputPadding = intPair(`${prefix}outputPadding`, g.outputPadding ?? 0, 0);
  const dilationRate = intPair(`${prefix}dilationRate`, g.dilationRate ?? 1, 1);
  for (let a = 0; a < 2; a++) {
    if ((outputPadding[a] as number) >= Math.max(strides[a] as number, dilationRate[a] as number)) {
      throw new ConfigError(
        `${prefix}outputPadding`,
        g.outputPadding,
        `values smaller than the stride or the dilation (strides ${strides}, dilationRate ${dilationRate}), as PyTorch requires`,
      );
    }
  }
  return { strides, padding, outputPadding, dilationRate };
}

/** The options every transposed-conv layer takes besides its weights: width, kernel and geometry. */
export interface ConvTransposeLayerOptions extends ConvTransposeGeometry {
  /** Output channels (the maximum width for an elastic layer). */
  filters: number;
  /** Kernel size `k` or `[kh, kw]`. */
  kernelSize: number | [number, number];
}

/** {@link ConvTransposeLayerOptions}, checked and resolved. */
export interface ResolvedConvTransposeLayerOptions {
  filters: number;
  kernelSize: [number, number];
  geometry: ResolvedConvTransposeGeometry;
}

/** Checks and resolves a transposed-conv layer's options, naming each after the layer. */
export function resolveConvTransposeLayerOptions(
  layerName: string,
  config: ConvTransposeLayerOptions,
): ResolvedConvTransposeLayerOptions {
  assertInt(`${layerName}.filters`, config.filters, 1);
  return {
    filters: config.filters,
    kernelSize: intPair(`${layerName}.kernelSize`, config.kernelSize, 1),
    geometry: resolveConvTransposeGeometry(config, `${layerName}.`),
  };
}

/**
 * PyTorch's transposed-conv output length: `(n − 1)·s − 2p + d·(k − 1) + op + 1` (`null` stays unknown).
 *
 * @example
 * ```ts
 * convTransposeOutputLength(64, 3, 2, 1, 1); // 128 (GAN Compression's up-sampling convs)
 * ```
 */
export function convTransposeOutputLength(
  size: number | null,
  kernel: number,
  stride: number,
  padding: number,
  outputPadding: number,
  dilation = 1,
): number | null {
  if (size == null) return null;
  return (size - 1) * stride - 2 * padding + effectiveKernel(kernel, dilation) + outputPadding;
}

/**
 * NHWC output shape of a transposed conv with `channels` outputs (unknown sizes stay `null`),
 * after checking that layer `layerName`'s input shape `s` is rank 4.
 */
export function convTransposeOutputShape(
  layerName: string,
  s: LayerShape,
  kernelSize: readonly [number, number],
  g: ResolvedConvTransposeGeometry,
  channels: number,
): LayerShape {
  if (s.length !== 4) throw new ShapeError(`${layerName} input`, [...s], 'rank 4 (NHWC)');
  const len = (a: 0 | 1): number | null =>
    convTransposeOutputLength(
      s[a + 1] ?? null,
      kernelSize[a],
      g.strides[a],
      g.padding[a],
      g.outputPadding[a],
      g.dilationRate[a],
    );
  return [s[0] ?? null, len(0), len(1), channels];
}

/**
 * MACs and parameters of layer `layerName`'s transposed conv from the input's channels to
 * `cout`: `'torchprofile'` counts `outElements · Cin · kh · kw` (torchprofile 0.0.1), `'exact'`
 * `inElements · Cout · kh · kw`.
 */
export function convTransposeCost(
  layerName: string,
  s: LayerShape,
  kernelSize: readonly [number, number],
  g: ResolvedConvTransposeGeometry,
  cout: number,
  useBias: boolean,
  convention: MacConvention,
): LayerCost {
  const out = convTransposeOutputShape(layerName, s, kernelSize, g, cout);
  const cin = s[3] ?? Number.NaN;
  const taps = kernelSize[0] * kernelSize[1];
  const macs = convention === 'torchprofile' ? numElements(out) * cin * taps : numElements(s) * cout * taps;
  return { macs, params: taps * cin * cout + (useBias ? cout : 0), outputShape: out };
}

/** The channel axes of a transposed conv's `[kh, kw, out, in]` kernel and its bias (tfjs's layout). */
export function convTransposeChannelAxes(): ChannelAxes {
  return {
    inputs: [{ weight: 'kernel', axis: 3 }],
    outputs: [
      { weight: 'kernel', axis: 2 },
      { weight: 'bias', axis: 0 },
    ],
  };
}

/** The config entries of a transposed conv's kernel size and geometry. */
export function convTransposeConfig(
  kernelSize: readonly [number, number],
  g: ResolvedConvTransposeGeometry,
): Record<string, number[]> {
  return {
    kernelSize: [...kernelSize],
    strides: [...g.strides],
    padding: [...g.padding],
    outputPadding: [...g.outputPadding],
    dilationRate: [...g.dilationRate],
  };
}
