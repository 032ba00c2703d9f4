import { ConfigError, ShapeError } from '../../util/index.js';
import { assertInt } from '../../util/index.js';
import {
  limitedPair,
  numElements,
  option,
  optionSchema,
  SIZE_LIMITS,
  type LayerCost,
  type LayerShape,
  type MacConvention,
} from '../core/index.js';
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
  const strides = limitedPair(`${prefix}strides`, g.strides ?? 1, 1, SIZE_LIMITS.kernel);
  const padding = limitedPair(`${prefix}padding`, g.padding ?? 0, 0, SIZE_LIMITS.extent);
  const dilationRate = limitedPair(`${prefix}dilationRate`, g.dilationRate ?? 1, 1, SIZE_LIMITS.kernel);
  const outputPadding = checkOutputPadding(`${prefix}outputPadding`, g.outputPadding ?? 0, strides, dilationRate);
  return { strides, padding, outputPadding, dilationRate };
}

/** PyTorch's rule: each output padding smaller than the stride or the dilation along its axis. */
function checkOutputPadding(
  argument: string,
  given: unknown,
  strides: readonly [number, number],
  dilationRate: readonly [number, number],
): [number, number] {
  const outputPadding = intPair(argument, given, 0);
  for (let a = 0; a < 2; a++) {
    if ((outputPadding[a] as number) >= Math.max(strides[a] as number, dilationRate[a] as number)) {
      throw new ConfigError(
        argument,
        given,
        `values smaller than the stride or the dilation (strides ${strides.join(',')}, dilationRate ${dilationRate.join(',')}), as PyTorch requires`,
      );
    }
  }
  return outputPadding;
}

/** The options every transposed-conv layer takes besides its weights: width, kernel and geometry. */
export interface ConvTransposeLayerOptions extends ConvTransposeGeometry {
  /** Output channels (the maximum width for an elastic layer). */
  filters: number;
  /** Kernel size `k` or `[kh, kw]`. */
  kernelSize: number | [number, number];
}

/**
 * The schema of {@link ConvTransposeLayerOptions} (see `OptionSchema`): pairs resolved and
 * written as `[h, w]`, the output padding checked against the stride and dilation as PyTorch does.
 *
 * @example
 * ```ts
 * const { filters, kernelSize, strides } = CONV_TRANSPOSE_LAYER_OPTIONS.parse('up', { filters: 8, kernelSize: 3, strides: 2 });
 * ```
 */
export const CONV_TRANSPOSE_LAYER_OPTIONS = optionSchema({
  filters: option.int({ min: 1, limit: SIZE_LIMITS.width }),
  kernelSize: option.intPair({ min: 1, limit: SIZE_LIMITS.kernel }),
  strides: option.intPair({ min: 1, limit: SIZE_LIMITS.kernel, default: 1 }),
  padding: option.intPair({ min: 0, limit: SIZE_LIMITS.extent, default: 0 }),
  dilationRate: option.intPair({ min: 1, limit: SIZE_LIMITS.kernel, default: 1 }),
  // After strides and dilationRate, which it is checked against.
  outputPadding: option.custom<[number, number]>({
    expected: 'an integer >= 0 or a pair [h, w] of them, smaller than the stride or the dilation',
    parse: (argument, value, resolved) =>
      checkOutputPadding(
        argument,
        value,
        resolved['strides'] as [number, number],
        resolved['dilationRate'] as [number, number],
      ),
    write: (v) => [...v],
    default: [0, 0],
  }),
});

/** The geometry part of resolved transposed-conv options. */
export function convTransposeGeometryOf(values: ResolvedConvTransposeGeometry): ResolvedConvTransposeGeometry {
  const { strides, padding, outputPadding, dilationRate } = values;
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
export function convTransposeOutputLength(
  size: number | null,
  kernel: number,
  stride: number,
  padding: number,
  outputPadding: number,
  dilation = 1,
): number | null {
  if (size != null) assertInt('size', size, 1);
  assertInt('kernel', kernel, 1);
  assertInt('stride', stride, 1);
  assertInt('padding', padding, 0);
  assertInt('dilation', dilation, 1);
  assertInt('outputPadding', outputPadding, 0, Math.max(stride, dilation) - 1);
  if (size == null) return null;
  const out = transposedLength(size, kernel, stride, padding, outputPadding, dilation);
  if (out < 1)
    throw new ShapeError(
      'size',
      [size],
      `a length n with (n − 1)·s − 2p + d·(k − 1) + op + 1 >= 1 (here ${out}: padding ${padding} is too large)`,
    );
  return out;
}

/** `(n − 1)·s − 2p + d·(k − 1) + op + 1`, unchecked (callers check their arguments and the result). */
export function transposedLength(
  size: number,
  kernel: number,
  stride: number,
  padding: number,
  outputPadding: number,
  dilation: number,
): number {
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
  const len = (a: 0 | 1): number | null => {
    const n = s[a + 1] ?? null;
    if (n == null) return null;
    const out = transposedLength(n, kernelSize[a], g.strides[a], g.padding[a], g.outputPadding[a], g.dilationRate[a]);
    if (!Number.isInteger(n) || n < 1 || out < 1)
      throw new ShapeError(
        `${layerName} input`,
        [...s],
        `sizes whose transposed-conv output is at least 1 (padding ${g.padding.join(',')} leaves ${out} along axis ${a + 1})`,
      );
    return out;
  };
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
