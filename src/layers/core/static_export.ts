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
 * // An elastic 3×3 conv (its call left out) stands for itself as a built-in conv2d at its active width.
 * class MyElasticConv extends tf.layers.Layer implements StaticExportable {
 *   kernel = tf.variable(tf.randomNormal([3, 3, 16, 32]));
 *   activeOut = 8;
 *   exportStatic(inputs: tf.SymbolicTensor[]): tf.SymbolicTensor {
 *     const input = inputs[0] as tf.SymbolicTensor;
 *     const cin = input.shape[3] as number; // the input width comes from the incoming tensor
 *     const conv = tf.layers.conv2d({
 *       name: this.name, filters: this.activeOut, kernelSize: 3, padding: 'same', useBias: false,
 *     });
 *     const y = conv.apply(input) as tf.SymbolicTensor;
 *     tf.tidy(() => conv.setWeights([tf.slice(this.kernel, [0, 0, 0, 0], [3, 3, cin, this.activeOut])]));
 *     return y;
 *   }
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
 * // what extractSubnet does with each layer: an exportable one rebuilds itself from static layers
 * const input = tf.input({ shape: [32, 32, 3] });
 * const y = isStaticExportable(layer) ? layer.exportStatic([input]) : (layer.apply(input) as tf.SymbolicTensor);
 * ```
 */
export function isStaticExportable(layer: unknown): layer is StaticExportable {
  return typeof (layer as Partial<StaticExportable> | null)?.exportStatic === 'function';
}
