import { float32, inversePermutation, transposeArray } from './permute.js';

/**
 * How a reference (PyTorch) tensor and a tfjs weight hold the same numbers: a transpose (and
 * a reshape, which moves no data). Conversions are exact and invertible.
 */
export interface TorchLayout {
  /** What the layout is, for messages (`'conv [O, I, kh, kw] → [kh, kw, I, O]'`). */
  readonly description: string;
  /** The reference shape of a tfjs weight of shape `tfShape`. */
  torchShape(tfShape: readonly number[]): number[];
  /** Reference data (of `torchShape(tfShape)`) in tfjs's layout. */
  toTfjs(data: Float32Array, tfShape: readonly number[]): Float32Array;
  /** tfjs data in the reference layout. */
  toTorch(data: Float32Array, tfShape: readonly number[]): Float32Array;
}

/**
 * A layout where tfjs's weight is `transpose(view, perm)` of the reference tensor seen with the
 * shape `view(tfShape)`, and the reference tensor's own shape is `torch(tfShape)` (same data order
 * as the view).
 */
function permuted(
  description: string,
  perm: readonly number[],
  view: (s: readonly number[]) => number[],
  torch: (s: readonly number[]) => number[] = view,
): TorchLayout {
  const inverse = inversePermutation(perm);
  return {
    description,
    torchShape: (s) => torch(s),
    toTfjs: (data, s) => transposeArray(data, view(s), perm, float32),
    toTorch: (data, s) => transposeArray(data, s, inverse, float32),
  };
}

const at = (s: readonly number[], i: number): number => s[i] as number;

/**
 * `nn.Conv2d` weight `[O, I, kh, kw]` ↔ tfjs conv kernel `[kh, kw, I, O]`.
 *
 * @example
 * ```ts
 * CONV_LAYOUT.torchShape([3, 3, 16, 32]); // [32, 16, 3, 3]
 * ```
 */
export const CONV_LAYOUT: TorchLayout = permuted('conv [O, I, kh, kw] ↔ [kh, kw, I, O]', [2, 3, 1, 0], (s) => [
  at(s, 3),
  at(s, 2),
  at(s, 0),
  at(s, 1),
]);

/**
 * A depthwise `nn.Conv2d` (groups = C) weight `[C·M, 1, kh, kw]` ↔ tfjs depthwise kernel
 * `[kh, kw, C, M]` (output channel `c·M + m` in both).
 *
 * @example
 * ```ts
 * DEPTHWISE_LAYOUT.torchShape([3, 3, 64, 1]); // [64, 1, 3, 3]
 * ```
 */
export const DEPTHWISE_LAYOUT: TorchLayout = permuted(
  'depthwise [C·M, 1, kh, kw] ↔ [kh, kw, C, M]',
  [2, 3, 0, 1],
  (s) => [at(s, 2), at(s, 3), at(s, 0), at(s, 1)],
  (s) => [at(s, 2) * at(s, 3), 1, at(s, 0), at(s, 1)],
);

/**
 * `nn.ConvTranspose2d` weight `[I, O, kh, kw]` ↔ tfjs conv2dTranspose kernel `[kh, kw, O, I]`
 * (this library's `ConvTranspose2d` kernel too).
 *
 * @example
 * ```ts
 * CONV_TRANSPOSE_LAYOUT.torchShape([3, 3, 128, 256]); // [256, 128, 3, 3]: nn.ConvTranspose2d(256, 128, 3)
 * ```
 */
export const CONV_TRANSPOSE_LAYOUT: TorchLayout = permuted(
  'transposed conv [I, O, kh, kw] ↔ [kh, kw, O, I]',
  [2, 3, 1, 0],
  (s) => [at(s, 3), at(s, 2), at(s, 0), at(s, 1)],
);

/**
 * `nn.Linear` weight `[out, in]` ↔ tfjs dense kernel `[in, out]`.
 *
 * @example
 * ```ts
 * Array.from(LINEAR_LAYOUT.toTfjs(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2])); // [1, 4, 2, 5, 3, 6]
 * ```
 */
export const LINEAR_LAYOUT: TorchLayout = permuted('linear [out, in] ↔ [in, out]', [1, 0], (s) => [at(s, 1), at(s, 0)]);

/**
 * An NCHW tensor `[N, C, H, W]` ↔ NHWC `[N, H, W, C]` (constant inputs, noise maps).
 *
 * @example
 * ```ts
 * NCHW_LAYOUT.torchShape([1, 4, 4, 512]); // [1, 512, 4, 4]
 * ```
 */
export const NCHW_LAYOUT: TorchLayout = permuted('[N, C, H, W] ↔ [N, H, W, C]', [0, 2, 3, 1], (s) => [
  at(s, 0),
  at(s, 3),
  at(s, 1),
  at(s, 2),
]);

/**
 * The same numbers in the same order (biases, scalars).
 *
 * @example
 * ```ts
 * SAME_LAYOUT.torchShape([64]); // [64]
 * ```
 */
export const SAME_LAYOUT: TorchLayout = {
  description: 'as is',
  torchShape: (s) => [...s],
  toTfjs: (data) => data.slice(),
  toTorch: (data) => data.slice(),
};

/**
 * The same numbers with the reference's extra unit axes, e.g. a bias `[1, C, 1, 1]` ↔ `[C]`.
 *
 * @example
 * ```ts
 * const bias4d = reshapeLayout((s) => [1, s[0] ?? 0, 1, 1]);
 * bias4d.torchShape([12]); // [1, 12, 1, 1]
 * ```
 */
export function reshapeLayout(torchShape: (tfShape: readonly number[]) => number[]): TorchLayout {
  return {
    description: 'reshaped',
    torchShape,
    toTfjs: (data) => data.slice(),
    toTorch: (data) => data.slice(),
  };
}
