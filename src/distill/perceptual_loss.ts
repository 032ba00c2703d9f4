import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertOneOf, ConfigError, ShapeError } from '../util/index.js';
import { assertOptions, assertSameShape, assertWeight } from './checks.js';
import { buildTap } from './tap_layers.js';

/** The distance {@link perceptualLoss} takes between features. */
export type PerceptualNorm = 'l1' | 'l2';

/** Options of {@link perceptualLoss}. */
export interface PerceptualOptions {
  /** The extractor's layers whose outputs are compared (names as {@link tapLayers} takes them). */
  layers: string[];
  /** One weight per layer. Default 1 each. */
  weights?: number[];
  /**
   * Distance between the features: `'l1'` (mean |a − b|, MobileStyleGAN's VGG16 loss) or `'l2'`
   * (mean (a − b)², Johnson et al.). Default `'l1'`.
   */
  norm?: PerceptualNorm;
}

/** A perceptual loss: `(pred, target) → scalar`, as {@link perceptualLoss} returns it. */
export type PerceptualLoss = (pred: tf.Tensor, target: tf.Tensor) => tf.Scalar;

/**
 * A perceptual (feature) loss on any user-supplied feature extractor: both images go through the
 * extractor, and the loss is Σᵢ weightᵢ · distance(φᵢ(pred), φᵢ(target)) over the named layers.
 * MobileStyleGAN uses an ImageNet VGG16 with `layers` relu1_2, relu2_2, relu3_3, relu4_3, L1,
 * weights 1, and feeds images in [−1, 1] without ImageNet normalisation; preprocess the images
 * yourself if your extractor expects otherwise. The extractor is only read (its weights get
 * gradients only if you pass them to an optimizer), and it runs up to the deepest named layer.
 *
 * @param extractor any `tf.LayersModel` taking the images.
 * @throws {@link ConfigError} for unknown layers, a weight count that differs from the layer
 *   count, or a bad norm; the returned function throws {@link ShapeError} when `pred` and `target`
 *   differ in shape or do not fit the extractor's input.
 *
 * @example
 * ```ts
 * const input = tf.input({ shape: [16, 16, 3] });
 * const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'c1' }).apply(input);
 * const c2 = tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', name: 'c2' }).apply(c1);
 * const vggLike = tf.model({ inputs: input, outputs: c2 as tf.SymbolicTensor });
 * const loss = perceptualLoss(vggLike, { layers: ['c1', 'c2'], weights: [1, 0.5], norm: 'l1' });
 * const value = loss(fakeImages, realImages); // scalar, images [N, 16, 16, 3]
 * ```
 */
export function perceptualLoss(extractor: tfl.LayersModel, options: PerceptualOptions): PerceptualLoss {
  assertOptions('options', options, ['layers', 'weights', 'norm']);
  const norm = options.norm ?? 'l1';
  assertOneOf('options.norm', norm, ['l1', 'l2'] as const);
  const layers = options.layers;
  const features = buildTap('extractor', extractor, 'options.layers', layers, false);
  const weights = options.weights ?? layers.map(() => 1);
  if (!Array.isArray(weights) || weights.length !== layers.length)
    throw new ConfigError('options.weights', weights, `${layers.length} numbers, one per layer of options.layers`);
  weights.forEach((w, i) => assertWeight(`options.weights[${i}]`, w));
  if (features.outputs.length !== layers.length)
    throw new ConfigError('options.layers', layers, 'layers with one output each');
  const inputShape = extractor.inputs[0]?.shape ?? [];
  return (pred: tf.Tensor, target: tf.Tensor): tf.Scalar => {
    assertSameShape('pred', pred, 'target', target);
    const fits =
      extractor.inputs.length === 1 &&
      pred.rank === inputShape.length &&
      inputShape.every((d, i) => i === 0 || d == null || d === pred.shape[i]);
    if (!fits)
      throw new ShapeError(
        'pred',
        pred.shape,
        `the extractor's single input [${inputShape.map((d) => d ?? 'any').join(',')}]`,
      );
    return tf.tidy(() => {
      const both = features.apply(tf.concat([pred, target], 0)) as tf.Tensor | tf.Tensor[];
      const list = Array.isArray(both) ? both : [both];
      const n = pred.shape[0];
      let total: tf.Tensor = tf.scalar(0);
      list.forEach((f, i) => {
        const [a, b] = tf.split(f, [n, n], 0) as [tf.Tensor, tf.Tensor];
        const d = tf.sub(a, b);
        const distance = norm === 'l1' ? tf.mean(tf.abs(d)) : tf.mean(tf.square(d));
        total = tf.add(total, tf.mul(distance, weights[i] as number));
      });
      return total as tf.Scalar;
    });
  };
}
