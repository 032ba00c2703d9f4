/**
 * The demo's teacher: a fixed image-to-image filter standing in for a pretrained generator
 * (none can be downloaded here). It is non-linear — contrast normalisation, sepia toning and an
 * unsharp mask, squashed by tanh into [-1, 1] — and a small conv generator can learn it from
 * pseudo-pairs, the way GAN Compression distils an unpaired (CycleGAN) teacher from its outputs.
 */
import * as tf from '@tensorflow/tfjs-core';

const SEPIA = [
  [0.393, 0.349, 0.272],
  [0.769, 0.686, 0.534],
  [0.189, 0.168, 0.131],
];
const BINOMIAL = [1, 4, 6, 4, 1];

let filters: { sepia: tf.Tensor2D; blur: tf.Tensor4D } | null = null;

/** Teacher output for images in [-1, 1]: [N, H, W, 3] → [N, H, W, 3]. */
export function teacher(x: tf.Tensor4D): tf.Tensor4D {
  // Built on first use: tensors need the backend the demo chooses at start-up.
  filters ??= tf.tidy(() => {
    const g = tf.tensor1d(BINOMIAL);
    const blur = tf.tile(tf.reshape(tf.div(tf.outerProduct(g, g), 256), [5, 5, 1, 1]), [1, 1, 3, 1]) as tf.Tensor4D;
    return { sepia: tf.keep(tf.tensor2d(SEPIA)), blur: tf.keep(blur) };
  });
  const { sepia, blur } = filters;
  return tf.tidy(() => {
    // Contrast-normalise each image and channel first, as the generators' instance norms do,
    // so the filter is a function a GAN-Compression generator can represent exactly.
    const { mean, variance } = tf.moments(x, [1, 2], true);
    x = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))) as tf.Tensor4D;
    const [n, h, w] = x.shape;
    const toned = tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), sepia), [n, h, w, 3]);
    const detail = tf.sub(x, tf.depthwiseConv2d(x, blur, 1, 'same'));
    return tf.tanh(tf.add(tf.mul(toned, 0.5), tf.mul(detail, 0.5))) as tf.Tensor4D;
  });
}
