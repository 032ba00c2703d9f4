import * as tf from '@tensorflow/tfjs-core';

/*
 * The 2×2 phases of an NHWC tensor as blocks [N·h·w, 4, C] (phase p = 2·dy + dx, the order of
 * tf.depthToSpace), and back. tfjs has no spaceToDepth, and a general transpose is a slow
 * per-element loop on the cpu backend, so the forward direction is written as a chain of
 * depthToSpace calls when the shape allows (see depthToSpaceChain); depthToSpace itself is a
 * slow generic kernel on wasm, where transposes are fast. Neither depthToSpace nor these chains
 * have registered gradients: callers wrap them in tf.customGrad.
 */

/** How to move phases to channels on the current backend. */
export type PhaseMethod = 'depthToSpace' | 'transpose';

/** depthToSpace is fast everywhere except the wasm backend's generic kernel. */
export function preferredPhaseMethod(backend: string = tf.getBackend()): PhaseMethod {
  return backend === 'wasm' ? 'transpose' : 'depthToSpace';
}

/**
 * Block sizes (outermost first) whose successive depthToSpace calls move the row-phase axis
 * `dy` (size 2) from before the column axis `j` (size `w`) to after it, above an inner block of
 * `inner` values: each call moves one factor f of `j` outward past `dy`, which depthToSpace
 * allows when f divides the block below it. `null` when some prime factor of `w` does not
 * divide `inner` (then no chain exists).
 */
export function depthToSpaceChain(w: number, inner: number): number[] | null {
  const factors: number[] = [];
  let rest = w;
  let below = inner;
  while (rest > 1) {
    const f = gcd(rest, below);
    if (f === 1) return null;
    factors.unshift(f);
    rest /= f;
    below *= f;
  }
  return factors;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** `[N, H, W, C]` → `[N·h·w, 4, C]` with `out[(n,i,j), 2·dy + dx, c] = x[n, 2i + dy, 2j + dx, c]`. */
export function toPhases(x: tf.Tensor4D, method: PhaseMethod = preferredPhaseMethod()): tf.Tensor3D {
  const [n, hh, ww, c] = x.shape;
  const h = hh / 2;
  const w = ww / 2;
  const chain = method === 'depthToSpace' ? depthToSpaceChain(w, 2 * c) : null;
  if (chain == null) {
    // (n·i, dy, j, dx·c) → (n·i, j, dy, dx·c)
    return tf.reshape(tf.transpose(tf.reshape(x, [n * h, 2, w, 2 * c]), [0, 2, 1, 3]), [n * h * w, 4, c]);
  }
  let t: tf.Tensor = x;
  let outer = n * h;
  let after = w;
  for (const f of chain) {
    // (outer, dy, f, rest) → (outer, f, dy, rest): depthToSpace of a [outer, 1, 2, f·rest] image.
    after /= f;
    const rest = after * 2 * c;
    t = tf.depthToSpace(tf.reshape<tf.Rank.R4>(t, [outer, 1, 2, f * rest]), f);
    outer *= f;
  }
  return tf.reshape(t, [n * h * w, 4, c]);
}

/** Inverse of {@link toPhases}: `[N·h·w, 4, C]` → `[N, 2h, 2w, C]`. */
export function fromPhases(
  p: tf.Tensor3D,
  n: number,
  h: number,
  w: number,
  method: PhaseMethod = preferredPhaseMethod(),
): tf.Tensor4D {
  const c = p.shape[2];
  if (method === 'depthToSpace') return tf.depthToSpace(tf.reshape<tf.Rank.R4>(p, [n, h, w, 4 * c]), 2);
  return tf.reshape(tf.transpose(tf.reshape(p, [n * h, w, 2, 2 * c]), [0, 2, 1, 3]), [n, 2 * h, 2 * w, c]);
}
