import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../util/index.js';
import { STATS_ROWS, type NormShape } from './instance_norm_math.js';

/**
 * The fused instance norm kernel: input `{ x, gamma?, beta? }` (x float32 NHWC, gamma and beta
 * `[C]`), attributes {@link InstanceNormAttrs}; outputs `[y, stats]`, stats `[B, 3, C]` (mean,
 * 1/σ and γ per sample and channel, for the gradient). `instanceNorm` runs it when the current
 * backend has it.
 *
 * @example
 * ```ts
 * const [y] = tf.engine().runKernel(INSTANCE_NORM_KERNEL, { x }, { epsilon: 1e-5, activation: 'relu' }) as tf.Tensor[];
 * ```
 */
export const INSTANCE_NORM_KERNEL = 'GancompressInstanceNorm';
/**
 * The gradient kernel of {@link INSTANCE_NORM_KERNEL}: input `{ dy, x, y, stats }` (y and stats
 * as the forward kernel returned them), the same attributes; outputs `[dx, dgamma, dbeta]`.
 *
 * @example
 * ```ts
 * const hasGradient = tf.getKernel(INSTANCE_NORM_GRAD_KERNEL, 'wasm') != null;
 * ```
 */
export const INSTANCE_NORM_GRAD_KERNEL = 'GancompressInstanceNormGrad';

/**
 * Attributes of both instance norm kernels.
 *
 * @example
 * ```ts
 * const attrs: InstanceNormAttrs = { epsilon: 1e-5, activation: 'relu' };
 * ```
 */
export interface InstanceNormAttrs {
  /** Added to the variance (> 0). */
  epsilon: number;
  /** Applied after the affine map: 'relu' fuses a ReLU. */
  activation: 'linear' | 'relu';
}

const ACTIVATIONS = ['linear', 'relu'];

/** The checked attributes and geometry of a kernel call. */
export interface NormCall {
  shape: NormShape;
  epsilon: number;
  relu: boolean;
}

/**
 * Checks a call's inputs and attributes (the ops check theirs, but a direct runKernel call may
 * not, and a wrong shape would make the wasm kernels read other tensors' memory).
 */
export function checkNormCall(kernel: string, x: tf.TensorInfo, attrs: tf.NamedAttrMap): NormCall {
  if (x.shape.length !== 4) throw new ShapeError(`${kernel}: x`, x.shape, 'rank 4 (NHWC)');
  if (x.dtype !== 'float32') throw new ConfigError(`${kernel}: x.dtype`, x.dtype, "'float32'");
  const { epsilon, activation } = attrs as unknown as Partial<InstanceNormAttrs>;
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon))
    throw new ConfigError(`${kernel}: epsilon`, epsilon, 'a finite number > 0');
  if (typeof activation !== 'string' || !ACTIVATIONS.includes(activation))
    throw new ConfigError(`${kernel}: activation`, activation, `one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}`);
  const [batch, h, w, channels] = x.shape as [number, number, number, number];
  return { shape: { batch, pixels: h * w, channels }, epsilon, relu: activation === 'relu' };
}

/** Throws unless `t` is float32 of exactly `shape`. */
export function checkInput(kernel: string, name: string, t: tf.TensorInfo | undefined, shape: number[]): tf.TensorInfo {
  if (t == null) throw new ConfigError(`${kernel}: ${name}`, t, 'a tensor');
  if (t.dtype !== 'float32' || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
    throw new ShapeError(`${kernel}: ${name}`, t.shape, `float32 [${shape.join(',')}]`);
  return t;
}

/** The `[C]` parameters given, checked. */
export function affineInputs(kernel: string, inputs: tf.NamedTensorInfoMap, c: number) {
  const gamma = inputs['gamma'] == null ? null : checkInput(kernel, 'gamma', inputs['gamma'], [c]);
  const beta = inputs['beta'] == null ? null : checkInput(kernel, 'beta', inputs['beta'], [c]);
  return { gamma, beta };
}

/** The inputs of the gradient kernel, checked against each other. */
export function gradInputs(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) {
  const k = INSTANCE_NORM_GRAD_KERNEL;
  const x = inputs['x'] as tf.TensorInfo;
  const call = checkNormCall(k, x, attrs);
  const dy = checkInput(k, 'dy', inputs['dy'], [...x.shape]);
  const y = checkInput(k, 'y', inputs['y'], [...x.shape]);
  const { batch, channels } = call.shape;
  const stats = checkInput(k, 'stats', inputs['stats'], [batch, STATS_ROWS, channels]);
  return { call, x, dy, y, stats };
}
