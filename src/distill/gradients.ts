import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradients of `variables` from `tf.variableGrads`, in the variables' order: null where a
 * variable got none (not reached, or frozen).
 */
export function orderedGradients(variables: readonly tf.Variable[], grads: tf.NamedTensorMap): (tf.Tensor | null)[] {
  return variables.map((v) => grads[v.name] ?? null);
}

/** The global L2 norm √(Σ ‖g‖²) of the gradients (0 when there are none). */
export function globalNorm(grads: readonly (tf.Tensor | null)[]): tf.Scalar {
  return tf.tidy(() => {
    const squares = grads.filter((g): g is tf.Tensor => g != null).map((g) => tf.sum(tf.square(g)));
    return squares.length === 0 ? tf.scalar(0) : tf.sqrt(tf.addN(squares) as tf.Scalar);
  });
}

/**
 * PyTorch's `clip_grad_norm_`: scales every gradient by min(1, maxNorm / (norm + 1e-6)). Returns
 * new tensors and disposes the inputs. Computed on the device: nothing is read back.
 */
export function clipGradients(grads: (tf.Tensor | null)[], norm: tf.Scalar, maxNorm: number): (tf.Tensor | null)[] {
  const scale = tf.tidy(() => tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))));
  const clipped = grads.map((g) => (g == null ? null : tf.mul(g, scale)));
  scale.dispose();
  tf.dispose(grads.filter((g): g is tf.Tensor => g != null));
  return clipped;
}

/**
 * Applies gradients in the variables' fixed order. tfjs optimizers keep their slots (Adam's
 * moments) by position in this list, so the order must not depend on which gradients exist: a
 * missing gradient is passed as null, which every tfjs optimizer skips (as PyTorch skips a
 * parameter whose `.grad` is None).
 */
export function applyInOrder(
  optimizer: tf.Optimizer,
  variables: readonly tf.Variable[],
  grads: readonly (tf.Tensor | null)[],
): void {
  const named = variables.map((v, i) => ({ name: v.name, tensor: grads[i] ?? null }));
  optimizer.applyGradients(named as Parameters<tf.Optimizer['applyGradients']>[0]);
}
