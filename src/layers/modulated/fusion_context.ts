import type * as tfl from '@tensorflow/tfjs-layers';

/** What `fuseDemodulation` asks of a modulated layer while it exports the fused network. */
export interface FusionContext {
  /** Builds the fused (inference) form of `layer` on `inputs` and returns its output. */
  exportFused(layer: tfl.layers.Layer, inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor;
}

let active: FusionContext | null = null;

/** The fusion in progress, if any (modulated layers export their fused form while it runs). */
export function activeFusion(): FusionContext | null {
  return active;
}

/** Runs `fn` (synchronously) with `context` active. */
export function withFusion<T>(context: FusionContext, fn: () => T): T {
  const previous = active;
  active = context;
  try {
    return fn();
  } finally {
    active = previous;
  }
}
