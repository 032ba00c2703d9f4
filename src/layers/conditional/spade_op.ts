import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, assertFinite, assertOneOf, assertRank } from '../../util/index.js';
import { instanceNorm } from '../common/index.js';
import { resizeNearest } from './resize_nearest_op.js';

/** A γ or β branch of SPADE as one k×k conv (GauGAN's `SPADE`): kernel `[k, k, hidden, C]`. */
export interface SpadeConvBranch {
  kernel: tf.Tensor4D;
  bias?: tf.Tensor1D;
}

/**
 * A γ or β branch as GAN Compression's depthwise-separable conv (`MobileSPADE`): depthwise k×k
 * over the hidden channels `[k, k, hidden, 1]`, instance norm without affine (unless `norm` is
 * `'none'`), pointwise 1×1 `[1, 1, hidden, C]`.
 */
export interface SpadeSeparableBranch {
  depthwiseKernel: tf.Tensor4D;
  depthwiseBias?: tf.Tensor1D;
  pointwiseKernel: tf.Tensor4D;
  pointwiseBias?: tf.Tensor1D;
  /** Norm between the two convs. Default `'instance'` (GAN Compression's `separable_conv_norm`). */
  norm?: 'instance' | 'none';
}

/** The weights of {@link spade}, in tfjs layouts. */
export interface SpadeWeights {
  /** `mlp_shared`: k×k conv from the label channels to the hidden width, `[k, k, labels, hidden]`. */
  sharedKernel: tf.Tensor4D;
  sharedBias?: tf.Tensor1D;
  /** γ branch: hidden → C. */
  gamma: SpadeConvBranch | SpadeSeparableBranch;
  /** β branch: hidden → C. */
  beta: SpadeConvBranch | SpadeSeparableBranch;
}

/** Options of {@link spade}. */
export interface SpadeOptions {
  /**
   * The parameter-free normalisation of `x`: `'none'` when `x` arrives normalised (GauGAN's sync
   * batch norm is a separate layer, so that recalibration and export treat it as every batch
   * norm) or `'instance'` (`spadeinstance3x3`). Default `'none'`.
   */
  norm?: 'none' | 'instance';
  /** Epsilon of the instance norms (of `x` and inside separable branches). Default 1e-5. */
  epsilon?: number;
}

const isSeparable = (b: SpadeConvBranch | SpadeSeparableBranch): b is SpadeSeparableBranch =>
  (b as Partial<SpadeSeparableBranch>).depthwiseKernel != null;

type ExplicitPads = [[number, number], [number, number], [number, number], [number, number]];

/** PyTorch's `padding=k//2` for a k×k kernel (k odd): the same zeros on every side. */
function halfKernelPads(kernel: tf.Tensor4D): ExplicitPads {
  const p = Math.floor(kernel.shape[0] / 2);
  return [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
}

/** A stride-1 k×k conv with k//2 zero padding. */
function conv(x: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor1D | undefined): tf.Tensor4D {
  return tf.fused.conv2d({ x, filter: kernel, strides: 1, pad: halfKernelPads(kernel), bias });
}

function branch(actv: tf.Tensor4D, b: SpadeConvBranch | SpadeSeparableBranch, epsilon: number): tf.Tensor4D {
  if (!isSeparable(b)) return conv(actv, b.kernel, b.bias);
  let h: tf.Tensor4D = tf.depthwiseConv2d(actv, b.depthwiseKernel, 1, halfKernelPads(b.depthwiseKernel));
  if (b.depthwiseBias != null) h = tf.add(h, b.depthwiseBias);
  if ((b.norm ?? 'instance') === 'instance') h = instanceNorm(h, { epsilon });
  return conv(h, b.pointwiseKernel, b.pointwiseBias);
}

/** Checks every weight's shape against x (C channels) and the map (L label channels). */
function checkWeights(w: SpadeWeights, c: number, labels: number): void {
  const k = w.sharedKernel.shape[0];
  const hidden = w.sharedKernel.shape[3];
  const expect = (name: string, t: tf.Tensor | undefined, shape: number[], why: string): void => {
    if (t == null) return;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new ShapeError(name, t.shape, `[${shape.join(', ')}] (${why})`);
  };
  if (w.sharedKernel.rank !== 4 || k % 2 !== 1 || w.sharedKernel.shape[1] !== k)
    throw new ShapeError('weights.sharedKernel', w.sharedKernel.shape, '[k, k, labels, hidden] with an odd k');
  expect('weights.sharedKernel', w.sharedKernel, [k, k, labels, hidden], `segmap has ${labels} label channels`);
  expect('weights.sharedBias', w.sharedBias, [hidden], 'one per hidden channel');
  for (const name of ['gamma', 'beta'] as const) {
    const b = w[name];
    if (isSeparable(b)) {
      const kd = b.depthwiseKernel.shape[0];
      if (kd % 2 !== 1) throw new ShapeError(`weights.${name}.depthwiseKernel`, b.depthwiseKernel.shape, 'an odd k');
      expect(
        `weights.${name}.depthwiseKernel`,
        b.depthwiseKernel,
        [kd, kd, hidden, 1],
        'depthwise over the hidden channels',
      );
      expect(`weights.${name}.depthwiseBias`, b.depthwiseBias, [hidden], 'one per hidden channel');
      expect(`weights.${name}.pointwiseKernel`, b.pointwiseKernel, [1, 1, hidden, c], `x has ${c} channels`);
      expect(`weights.${name}.pointwiseBias`, b.pointwiseBias, [c], `x has ${c} channels`);
    } else {
      const kb = b.kernel.shape[0];
      if (kb % 2 !== 1) throw new ShapeError(`weights.${name}.kernel`, b.kernel.shape, 'an odd k');
      expect(`weights.${name}.kernel`, b.kernel, [kb, kb, hidden, c], `hidden ${hidden} → x's ${c} channels`);
      expect(`weights.${name}.bias`, b.bias, [c], `x has ${c} channels`);
    }
  }
}

/**
 * Spatially-adaptive normalisation (SPADE, Park et al. 2019), as GauGAN and GAN Compression
 * compute it: `x` is normalised without parameters (or arrives normalised), the segmentation
 * map is resized to `x`'s size by nearest neighbour (PyTorch's rule), a shared k×k conv + ReLU
 * embeds it (`mlp_shared`), and two branches give the per-pixel scale γ and shift β:
 * `out = x̂ · (1 + γ) + β`. Branches are plain convs (`SPADE`) or depthwise-separable with an
 * instance norm inside (`MobileSPADE`). All convs are stride 1 with k//2 zero padding.
 *
 * @param x Features `[N, H, W, C]`.
 * @param segmap Segmentation map `[N, H', W', labels]` (one-hot labels, plus GauGAN's
 *   instance-edge channel), any size: it is resized to H×W.
 * @example
 * ```ts
 * const x = tf.randomNormal([1, 8, 16, 4]) as tf.Tensor4D;
 * const seg = tf.randomUniform([1, 32, 64, 3]) as tf.Tensor4D;
 * const w = {
 *   sharedKernel: tf.randomNormal([3, 3, 3, 5]) as tf.Tensor4D,
 *   gamma: { kernel: tf.randomNormal([3, 3, 5, 4]) as tf.Tensor4D },
 *   beta: { kernel: tf.randomNormal([3, 3, 5, 4]) as tf.Tensor4D },
 * };
 * const y = spade(x, seg, w, { norm: 'instance' }); // [1, 8, 16, 4]
 * ```
 */
export function spade(
  x: tf.Tensor4D,
  segmap: tf.Tensor4D,
  weights: SpadeWeights,
  options: SpadeOptions = {},
): tf.Tensor4D {
  assertRank('x', x, 4);
  assertRank('segmap', segmap, 4);
  const norm = options.norm ?? 'none';
  assertOneOf('options.norm', norm, ['none', 'instance'] as const);
  const epsilon = options.epsilon ?? 1e-5;
  assertFinite('options.epsilon', epsilon, { positive: true });
  const [n, h, w, c] = x.shape;
  if (segmap.shape[0] !== n)
    throw new ShapeError('segmap', segmap.shape, `[${n}, H, W, labels] (one map per sample of x)`);
  checkWeights(weights, c, segmap.shape[3]);
  return tf.tidy(() => {
    const normalized = norm === 'instance' ? instanceNorm(x, { epsilon }) : x;
    const seg = resizeNearest(segmap, [h, w]);
    const actv = tf.relu(conv(seg, weights.sharedKernel, weights.sharedBias));
    const gamma = branch(actv, weights.gamma, epsilon);
    const beta = branch(actv, weights.beta, epsilon);
    return tf.add(tf.mul(normalized, tf.add(gamma, 1)), beta);
  });
}
