import * as tf from '@tensorflow/tfjs-core';
import { expectClose } from './tensors.js';

/**
 * Compares tfjs's gradient of the scalar `f(p)` at `p` with central finite differences (in
 * float64 arithmetic on the float32 losses), element by element.
 */
export function checkGradient(
  f: (p: tf.Tensor) => tf.Scalar,
  p: tf.Tensor,
  step = 1e-2,
  atol = 1e-3,
  label = '',
): void {
  const analytic = tf.tidy(() => tf.grad(f)(p));
  const base = Float32Array.from(p.dataSync());
  const numeric = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const at = (delta: number): number =>
      tf.tidy(() => {
        const v = Float32Array.from(base);
        v[i] = (v[i] as number) + delta;
        return f(tf.tensor(v, p.shape)).dataSync()[0] as number;
      });
    numeric[i] = (at(step) - at(-step)) / (2 * step);
  }
  expectClose(analytic, numeric, atol, 1e-3, `${label} gradient`);
  analytic.dispose();
}
