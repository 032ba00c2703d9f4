/**
 * How a layer's output channels relate to its input channels, for the channel graph that
 * `sortChannelsByImportance`, `setSubnet` (tie checks) and `extractSubnet` build.
 *
 * - `'produce'`: the output channels are a new channel space (convs, dense): the layer *consumes*
 *   its input's channels and *produces* its own.
 * - `'follow'`: output channel `i·multiplier + j` belongs to input channel `i` (norms, depthwise
 *   convs, activations): permuting the input permutes the output the same way.
 */
export interface ChannelRole {
  kind: 'produce' | 'follow';
  /** `'follow'` only: output channels per input channel (a depthwise multiplier). Default 1. */
  multiplier?: number;
  /**
   * Which input carries the channels when the layer takes several (default 0); the other
   * inputs are treated as fixed (never permuted).
   */
  channelInput?: number;
}

/**
 * A layer whose channels can be re-ordered without changing what the network computes — the
 * hook `sortChannelsByImportance` uses. `perm[i]` is the old index of new channel `i` and
 * always covers the full (maximum) width.
 *
 * @example
 * ```ts
 * class MyElasticConv extends tf.layers.Layer implements ChannelPermutable {
 *   channelRole(): ChannelRole { return { kind: 'produce' }; }
 *   permuteInputChannels(perm: readonly number[]) { ... gather the kernel's input axis ... }
 *   permuteOutputChannels(perm: readonly number[]) { ... gather the output axis and the bias ... }
 *   outputChannelImportance() { ... L1 norm of each output filter ... }
 * }
 * ```
 */
export interface ChannelPermutable {
  /** How output channels relate to input channels. */
  channelRole(): ChannelRole;
  /**
   * Re-orders everything indexed by input channel: a producer's kernel input axis, a follower's
   * per-channel parameters (for a multiplier m, the blocks of m output channels move with their
   * input channel).
   */
  permuteInputChannels(perm: readonly number[]): void;
  /** Producers: re-orders the output axis (kernel, bias). */
  permuteOutputChannels?(perm: readonly number[]): void;
  /** Producers: L1 norm of each output filter (GAN Compression's importance). */
  outputChannelImportance?(): Float32Array;
  /** Producers: L1 norm of the weights reading each input channel (OFA's importance). */
  inputChannelImportance?(): Float32Array;
}

/**
 * True when `layer` implements {@link ChannelPermutable}.
 *
 * @example
 * ```ts
 * if (isChannelPermutable(layer) && layer.channelRole().kind === 'produce') layer.permuteOutputChannels?.(perm);
 * ```
 */
export function isChannelPermutable(layer: unknown): layer is ChannelPermutable {
  const l = layer as Partial<ChannelPermutable> | null;
  return typeof l?.channelRole === 'function' && typeof l.permuteInputChannels === 'function';
}
