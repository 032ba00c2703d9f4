import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * A layer that can stand for itself, at its active setting, as static layers — the hook
 * `extractSubnet` uses. `exportStatic` builds the equivalent static layers (built-in tfjs
 * layers wherever one exists) on the given symbolic inputs, copies the sliced (and, for elastic
 * kernels, transformed) weights into them, and returns the output. The input width is read from
 * `inputs[i].shape`. The last layer it creates should be named like this layer, so features can
 * still be captured by name; helper layers get the name plus a suffix (`_pad`, `_dw`, ...).
 *
 * @example
 * ```ts
 * exportStatic(inputs: tf.SymbolicTensor[]): tf.SymbolicTensor {
 *   const conv = tf.layers.conv2d({ name: this.name, filters: this.active, kernelSize: 3, padding: 'same' });
 *   const y = conv.apply(inputs[0]) as tf.SymbolicTensor;
 *   conv.setWeights(this.slicedWeights(inputs[0].shape[3] as number));
 *   return y;
 * }
 * ```
 */
export interface StaticExportable {
  /** Builds and fills the static equivalent on `inputs`; returns its output. */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor;
}

/**
 * True when `layer` implements {@link StaticExportable}.
 *
 * @example
 * ```ts
 * const y = isStaticExportable(layer) ? layer.exportStatic([x]) : copyLayer(layer).apply(x);
 * ```
 */
export function isStaticExportable(layer: unknown): layer is StaticExportable {
  return typeof (layer as Partial<StaticExportable> | null)?.exportStatic === 'function';
}
