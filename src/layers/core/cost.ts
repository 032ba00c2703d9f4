import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * How multiply-accumulates are counted (DESIGN.md, "MAC counting").
 *
 * - `'torchprofile'` (default everywhere): the rules of torchprofile 0.0.1, which every
 *   GAN-compression paper reports — a transposed conv is counted at its *output* resolution
 *   (`outElements · Cin · kh · kw`), instance/layer norm as one MAC per output element, batch norm 0.
 * - `'exact'`: a transposed conv counted at its *input* resolution (`inElements · Cout · kh · kw`,
 *   the multiplies it really does), norms 0, element-wise products (modulation, scaling, noise) 0:
 *   only convolutions, linears and the wavelet transforms count.
 */
export type MacConvention = 'torchprofile' | 'exact';

/** An NHWC shape with the batch axis first; unknown sizes are `null`. */
export type LayerShape = tfl.Shape;

/** What one layer costs at its current (active) configuration for given input shapes. */
export interface LayerCost {
  /**
   * Multiply-accumulates for the given input shape(s), batch included. `NaN` when a needed
   * size is unknown (`null`).
   */
  macs: number;
  /** Parameters the layer uses at its active configuration (sliced weights for elastic layers). */
  params: number;
  /**
   * The output shape(s) the layer really produces for these inputs at its active
   * configuration. For elastic layers this is the *active* width, which `computeOutputShape`
   * (the declared, maximum width) does not give.
   */
  outputShape: LayerShape | LayerShape[];
}

/**
 * Implemented by every layer of this library that computes something, so that `countMacs` and
 * `countParams` can cost it from shapes alone (no forward pass) at its active sub-network.
 *
 * @example
 * ```ts
 * if (isCostedLayer(layer)) {
 *   const { macs, params, outputShape } = layer.computeCost([1, 64, 64, 16], 'torchprofile');
 * }
 * ```
 */
export interface CostedLayer {
  /**
   * MACs, parameters and the actual output shape for the actual input shape(s), following
   * `convention`. Must not create tensors or change the layer's state.
   */
  computeCost(inputShape: LayerShape | LayerShape[], convention: MacConvention): LayerCost;
}

/**
 * True when `layer` implements {@link CostedLayer}.
 *
 * @example
 * ```ts
 * model.layers.filter(isCostedLayer).forEach((l) => console.log(l.name));
 * ```
 */
export function isCostedLayer(layer: unknown): layer is CostedLayer {
  return typeof (layer as Partial<CostedLayer> | null)?.computeCost === 'function';
}

/** Product of the sizes in a shape (batch included); `NaN` when any size is unknown. */
export function numElements(shape: LayerShape): number {
  let n = 1;
  for (const d of shape) n *= d == null ? Number.NaN : d;
  return n;
}
