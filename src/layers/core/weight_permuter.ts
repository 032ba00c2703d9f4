import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';
import {
  hasChannelAxes,
  isChannelPermutable,
  type ChannelAxis,
  type ChannelPermutable,
  type ChannelRole,
} from './channel_role.js';
import { l1PerIndex, permuteWeight } from './weight_ops.js';

/**
 * {@link ChannelPermutable} over a layer's weights, from a table of the axes its input and its
 * output channels index. Serves this library's layers (through `HasChannelAxes`) and the
 * built-in tfjs layers the channel graph knows alike, so all permute and measure importance the
 * same way. A weight the layer does not have (a bias with `useBias: false`) is skipped.
 */
export class WeightPermuter implements ChannelPermutable {
  constructor(
    private readonly layer: tfl.layers.Layer,
    private readonly role: ChannelRole,
    private readonly inputAxes: readonly ChannelAxis[],
    private readonly outputAxes: readonly ChannelAxis[],
  ) {}

  private variable(name: string): tfl.LayerVariable | undefined {
    return this.layer.weights.find((w) => w.originalName.split('/').pop() === name);
  }

  channelRole(): ChannelRole {
    return this.role;
  }

  permuteInputChannels(perm: readonly number[]): void {
    this.permute(this.inputAxes, perm);
  }

  permuteOutputChannels(perm: readonly number[]): void {
    this.permute(this.outputAxes, perm);
  }

  private permute(axes: readonly ChannelAxis[], perm: readonly number[]): void {
    for (const a of axes) {
      const v = this.variable(a.weight);
      if (v != null) permuteWeight(v, a.axis, perm, a.block ?? 1);
    }
  }

  /** Whether the layer has a weight indexed by input channel (which then fixes its input width). */
  hasInputWeights(): boolean {
    return this.inputAxes.some((a) => this.variable(a.weight) != null);
  }

  /** L1 norm of each output filter (the first output axis's weight). */
  outputChannelImportance(): Float32Array {
    const a = this.outputAxes[0];
    const v = a == null ? undefined : this.variable(a.weight);
    if (a == null || v == null)
      throw new ConfigError(
        `layer '${this.layer.name}'`,
        a == null ? 'no output-channel weights' : `no weight '${a.weight}'`,
        'a built layer whose output channels index a weight',
      );
    return l1PerIndex(v.read(), a.axis);
  }

  /** L1 norm of the weights reading each input channel, summed over the kernels (rank ≥ 2) that read it. */
  inputChannelImportance(): Float32Array {
    let sum: Float32Array | null = null;
    for (const a of this.inputAxes) {
      const v = this.variable(a.weight);
      if (v == null || v.shape.length < 2) continue;
      const l1 = l1PerIndex(v.read(), a.axis, a.block ?? 1);
      sum = sum == null ? l1 : sum.map((x, i) => x + (l1[i] as number));
    }
    return sum ?? new Float32Array(0);
  }
}

/**
 * The permutation hooks of a layer playing `role`: the layer itself when it implements
 * `ChannelPermutable`, a {@link WeightPermuter} over its weight axes when it declares them
 * (`HasChannelAxes`), otherwise null (it cannot be re-ordered).
 */
export function channelPermuterOf(layer: tfl.layers.Layer, role: ChannelRole): ChannelPermutable | null {
  if (isChannelPermutable(layer)) return layer;
  if (hasChannelAxes(layer)) {
    const axes = layer.channelAxes();
    return new WeightPermuter(layer, role, axes.inputs, axes.outputs);
  }
  return null;
}
