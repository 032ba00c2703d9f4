import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { l1PerIndex, permuteWeight, prefix } from '../core/index.js';
import type { Initializer } from '../core/index.js';

/**
 * What a weight of a modulated conv layer is, which fixes how it is sliced to an active width
 * and permuted with the channels:
 * - `affineKernel` `[styleDim, Cin]`, `affineBias` `[Cin]`: the style's affine map;
 * - `kernel` `[k, k, Cin, Cout]` (dense), `depthwise` `[k, k, Cin, 1]`, `pointwise` `[1, 1, Cin, Cout]`;
 * - `styleInv` `[Cin]`: MobileStyleGAN's fixed demodulation vector;
 * - `noiseStrength` `[1]`, `bias` `[Cout]`, `noise` `[1, H, W, 1]` (the fixed noise map).
 */
export type WeightRole =
  | 'affineKernel'
  | 'affineBias'
  | 'kernel'
  | 'depthwise'
  | 'pointwise'
  | 'styleInv'
  | 'noiseStrength'
  | 'bias'
  | 'noise';

/** Axis indexed by input channel, per role. */
const IN_AXIS: Partial<Record<WeightRole, number>> = {
  affineKernel: 1,
  affineBias: 0,
  kernel: 2,
  depthwise: 2,
  pointwise: 2,
  styleInv: 0,
};
/** Axis indexed by output channel, per role. */
const OUT_AXIS: Partial<Record<WeightRole, number>> = { kernel: 3, pointwise: 3, bias: 0 };

/** One weight to create: its role, shape, initializer and whether it is a parameter. */
export interface WeightSpec {
  role: WeightRole;
  shape: number[];
  init: Initializer;
  trainable: boolean;
}

/** Values of some roles (sliced, folded, ...). */
export type RoleValues = Partial<Record<WeightRole, tf.Tensor>>;

/**
 * The weights of a modulated conv layer by role: created through the layer's `addWeight` (so
 * they are tracked, saved and name-scoped as `<layer>/<role>`), sliced to first-k widths and
 * permuted along their channel axes.
 */
export class ModulatedWeights {
  private readonly variables = new Map<WeightRole, tfl.LayerVariable>();
  private readonly order: WeightRole[] = [];

  /** Creates the weights in `specs` order (`layer.weights` then lists the parameters first, the buffers after). */
  build(
    specs: WeightSpec[],
    addWeight: (name: string, shape: number[], init: Initializer, trainable: boolean) => tfl.LayerVariable,
  ): void {
    for (const s of specs) {
      this.variables.set(s.role, addWeight(s.role, s.shape, s.init, s.trainable));
      this.order.push(s.role);
    }
  }

  /** True once built with a weight of this role. */
  has(role: WeightRole): boolean {
    return this.variables.has(role);
  }

  /** The variable of `role` (undefined when the layer has none). */
  variable(role: WeightRole): tfl.LayerVariable | undefined {
    return this.variables.get(role);
  }

  /** The roles, in creation order. */
  roles(): readonly WeightRole[] {
    return this.order;
  }

  /** The role of one of these variables. */
  roleOf(variable: tfl.LayerVariable): WeightRole {
    for (const [role, v] of this.variables) if (v === variable) return role;
    throw new Error(`${variable.name} is not a weight of this layer`);
  }

  /** Every weight's first-k slice for `c` input and `o` output channels (call inside a tidy). */
  sliced(c: number, o: number): RoleValues {
    const out: RoleValues = {};
    for (const role of this.order)
      out[role] = sliceRole(role, (this.variables.get(role) as tfl.LayerVariable).read(), c, o);
    return out;
  }

  /** Trainable parameters at `c` input and `o` output channels. */
  parameterCount(c: number, o: number): number {
    let total = 0;
    for (const role of this.order) {
      const v = this.variables.get(role) as tfl.LayerVariable;
      if (!v.trainable) continue;
      total += slicedShape(role, v.shape as number[], c, o).reduce((a, b) => a * b, 1);
    }
    return total;
  }

  /** Re-orders every input-channel axis by `perm` (no gradient recorded). */
  permuteInput(perm: readonly number[]): void {
    for (const role of this.order) {
      const axis = IN_AXIS[role];
      if (axis != null) permuteWeight(this.variables.get(role) as tfl.LayerVariable, axis, perm);
    }
  }

  /** Re-orders every output-channel axis by `perm`. */
  permuteOutput(perm: readonly number[]): void {
    for (const role of this.order) {
      const axis = OUT_AXIS[role];
      if (axis != null) permuteWeight(this.variables.get(role) as tfl.LayerVariable, axis, perm);
    }
  }

  /** L1 norm over every axis but the channel axis of `role` (`'in'` or `'out'`). */
  l1(role: WeightRole, side: 'in' | 'out'): Float32Array {
    const axis = (side === 'in' ? IN_AXIS : OUT_AXIS)[role] as number;
    return l1PerIndex((this.variables.get(role) as tfl.LayerVariable).read(), axis);
  }
}

/** The shape of `role`'s slice at `c` input and `o` output channels. */
export function slicedShape(role: WeightRole, shape: readonly number[], c: number, o: number): number[] {
  const out = [...shape];
  const i = IN_AXIS[role];
  const j = OUT_AXIS[role];
  if (i != null) out[i] = c;
  if (j != null) out[j] = o;
  return out;
}

/** The first-k slice of one weight. */
export function sliceRole(role: WeightRole, value: tf.Tensor, c: number, o: number): tf.Tensor {
  return prefix(value, slicedShape(role, value.shape, c, o));
}
