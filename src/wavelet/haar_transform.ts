import * as tf from '@tensorflow/tfjs-core';
import { HAAR_MATRIX, haarMatrixValues } from './haar_matrix.js';
import { fromPhases, toPhases, type PhaseMethod } from './phases.js';

/*
 * The whole-tensor formulations of haarDwt / haarIdwt, without gradients (the public ops wrap
 * them in tf.customGrad: the transform is orthonormal, so each one's gradient is the other).
 * They run on the backends that have no one-pass kernel (haar_kernels.ts): webgl, webgpu,
 * tensorflow. Two formulations, picked per backend by what its kernels do fast
 * (bench/wavelet.bench.ts measures both on cpu and wasm):
 *
 * - 'blocks': the 2×2 phases as [M, 4, C] blocks and one batched 4×4 matmul. Fast where
 *   depthToSpace and batched matmul are (cpu, webgl, tfjs-node).
 * - 'bands': one stride-2 depthwise conv per band for analysis, transposes and a plain 2-D
 *   matmul for synthesis. The wasm backend runs batched matmul and depthToSpace as slow generic
 *   loops but depthwise convs, 2-D matmuls and transposes through XNNPACK / tight C++.
 */

/** Which formulation computes the transform. */
export type HaarStrategy = 'blocks' | 'bands';

/** The formulation that is fastest on `backend` (measured in bench/wavelet.bench.ts). */
export function preferredStrategy(backend: string = tf.getBackend()): HaarStrategy {
  return backend === 'wasm' ? 'bands' : 'blocks';
}

function phaseMethod(strategy: HaarStrategy): PhaseMethod {
  return strategy === 'bands' ? 'transpose' : 'depthToSpace';
}

/** `[N, H, W, C]` (even H, W) → `[N, H/2, W/2, 4C]`, band-major `[LL | LH | HL | HH]`. */
export function haarAnalysis(x: tf.Tensor4D, strategy: HaarStrategy = preferredStrategy()): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, hh, ww, c] = x.shape;
    const [h, w] = [hh / 2, ww / 2];
    if (strategy === 'blocks') {
      const k = tf.tensor3d(haarMatrixValues(), [1, 4, 4]);
      return tf.reshape(tf.matMul(k, toPhases(x, 'depthToSpace')), [n, h, w, 4 * c]);
    }
    const bands = HAAR_MATRIX.map((row) => tf.depthwiseConv2d(x, bandFilter(row, c), 2, 'valid'));
    return tf.reshape(tf.transpose(tf.reshape(tf.stack(bands, 0), [4, n * h * w, c]), [1, 0, 2]), [n, h, w, 4 * c]);
  });
}

/** Inverse of {@link haarAnalysis}: `[N, h, w, 4C]` → `[N, 2h, 2w, C]`. */
export function haarSynthesis(y: tf.Tensor4D, strategy: HaarStrategy = preferredStrategy()): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c4] = y.shape;
    const c = c4 / 4;
    const m = n * h * w;
    let phases: tf.Tensor3D;
    if (strategy === 'blocks') {
      phases = tf.matMul(tf.tensor3d(haarMatrixValues(), [1, 4, 4]), tf.reshape(y, [m, 4, c]));
    } else {
      // Bands innermost so the 4×4 mix is a 2-D matmul; the matrix is symmetric.
      const interleaved = tf.reshape(tf.transpose(tf.reshape(y, [m, 4, c]), [0, 2, 1]), [m * c, 4]);
      const mixed = tf.matMul(interleaved, tf.tensor2d(haarMatrixValues(), [4, 4]));
      phases = tf.transpose(tf.reshape(mixed, [m, c, 4]), [0, 2, 1]);
    }
    return fromPhases(phases, n, h, w, phaseMethod(strategy));
  });
}

/** The `[2, 2, C, 1]` depthwise filter computing one band (one row of the Haar matrix) per channel. */
function bandFilter(row: readonly number[], c: number): tf.Tensor4D {
  const values = new Float32Array(4 * c);
  for (let p = 0; p < 4; p++) values.fill(row[p] as number, p * c, (p + 1) * c);
  return tf.tensor4d(values, [2, 2, c, 1]);
}
