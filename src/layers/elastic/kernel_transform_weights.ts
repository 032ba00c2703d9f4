import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { elasticKernel, kernelTransformPairs } from './kernel_transform.js';

/** `addWeight` as a layer exposes it to its helpers. */
export type AddWeight = (
  name: string,
  shape: number[],
  initializer: ReturnType<typeof tfl.initializers.ones>,
) => tfl.LayerVariable;

/**
 * The learned OFA kernel-transformation matrices of one layer (one per consecutive pair of
 * kernel sizes, identity-initialised, weights named `'7to5'`, `'5to3'`, ...).
 */
export class KernelTransforms {
  private readonly matrices: Record<string, tfl.LayerVariable> = {};

  constructor(readonly choices: readonly number[]) {}

  /** Creates the matrices through the owning layer's `addWeight`. */
  build(addWeight: AddWeight): void {
    for (const pair of kernelTransformPairs(this.choices)) {
      this.matrices[pair.name] = addWeight(
        pair.name,
        [pair.to * pair.to, pair.to * pair.to],
        tfl.initializers.identity({ gain: 1 }),
      );
    }
  }

  /** The active `k`×`k` kernel from a full `[K, K, a, b]` kernel (call inside a tidy). */
  apply(kernel: tf.Tensor4D, k: number): tf.Tensor4D {
    if (k === this.choices[this.choices.length - 1]) return kernel;
    const values: Record<string, tf.Tensor> = {};
    for (const [name, v] of Object.entries(this.matrices)) values[name] = v.read();
    return elasticKernel(kernel, k, this.choices, values);
  }
}
