import * as tf from '@tensorflow/tfjs-core';

/** Comparisons tfjs-core 4.22 registers no gradient for (it has one for GreaterEqual only). */
const COMPARISONS = ['Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual'];

/**
 * Registers, for each comparison kernel that has none, the zero gradient tfjs-core gives
 * `GreaterEqual`: comparisons are piecewise constant. The gradients of ReLU-like activations
 * (LeakyReLU's uses `Greater`) are built from comparisons, so a second derivative through a
 * discriminator — the R1 penalty's gradient with respect to its weights — needs them. Registering
 * only fills gaps: a gradient registered before (by tfjs or by the user) is kept, and nothing
 * that ran before changes behaviour.
 */
export function ensureComparisonGradients(): void {
  for (const kernelName of COMPARISONS) {
    if (tf.getGradient(kernelName) != null) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
  }
}
