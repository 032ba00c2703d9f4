/**
 * How a layer's output channels relate to its input channels, for the channel graph that
 * `sortChannelsByImportance`, `setSubnet` (width checks) and `extractSubnet` build.
 *
 * - `'produce'`: the output channels are a new channel space (convs, dense): the layer *consumes*
 *   its input's channels and *produces* its own.
 * - `'follow'`: output channel `i·multiplier + j` belongs to input channel `i` (norms, depthwise
 *   convs, activations): permuting the input permutes the output the same way. With a `divisor`
 *   d, each output channel instead combines d input channels (an inverse wavelet transform's
 *   sub-bands): the output width is the input width / d.
 * - `'barrier'`: no relation the graph can use (a wavelet transform's band-major blocks): the
 *   channels on both sides are never re-ordered and the output keeps its declared width; `reason`
 *   says why.
 */
export interface ChannelRole {
  kind: 'produce' | 'follow' | 'barrier';
  /** `'follow'` only: output channels per input channel (a depthwise multiplier). Default 1. */
  multiplier?: number;
  /**
   * `'follow'` only: input channels per output channel (4 for an IDWT). Default 1. The input
   * width must be a multiple of it, and channels are not sorted across such a layer. Unless the
   * input width is fixed, output channel `i` must read input channels `i·d … i·d + d − 1`, so
   * that the first k input channels make the first k/d output channels.
   */
  divisor?: number;
  /**
   * True when the layer runs only at the input width it was applied to: its weights or its
   * channel layout are built for that width and it does not slice its input (static layers with
   * weights, an IDWT whose sub-bands are blocks of the full width). `setSubnet` then refuses a
   * sub-network that would feed it another width. Default false: the layer takes any width (up
   * to the one it was built with, for elastic layers). A `'barrier'` with it keeps its inputs at
   * their width.
   */
  fixedInputWidth?: boolean;
  /**
   * Which input carries the channels when the layer takes several (default 0); the other
   * inputs are treated as fixed (never permuted).
   */
  channelInput?: number;
  /** `'barrier'` only: why the channels cannot be related (for the reports and errors). */
  reason?: string;
}

/**
 * A layer that tells the channel graph how its channels relate ({@link ChannelRole}) — enough
 * for `setSubnet`'s width checks. A layer that can also re-order its weights implements the
 * whole {@link ChannelPermutable}.
 *
 * @example
 * ```ts
 * class MyIdwt extends tf.layers.Layer implements HasChannelRole {
 *   channelRole(): ChannelRole { return { kind: 'follow', divisor: 4 }; }
 * }
 * ```
 */
export interface HasChannelRole {
  /** How output channels relate to input channels. */
  channelRole(): ChannelRole;
}

/**
 * True when `layer` implements {@link HasChannelRole}.
 *
 * @example
 * ```ts
 * const role = hasChannelRole(layer) ? layer.channelRole() : null;
 * ```
 */
export function hasChannelRole(layer: unknown): layer is HasChannelRole {
  return typeof (layer as Partial<HasChannelRole> | null)?.channelRole === 'function';
}

/**
 * An axis of one of a layer's weights that is indexed by channel: the weight's short name (as
 * given to `addWeight`, e.g. `'kernel'`), the axis, and how many consecutive entries belong to
 * one channel (a depthwise multiplier).
 */
export interface ChannelAxis {
  weight: string;
  axis: number;
  block?: number;
}

/** The weight axes a layer's input channels and its output channels index. */
export interface ChannelAxes {
  /** Axes indexed by input channel (a producer's kernel input axis, a follower's per-channel parameters). */
  inputs: ChannelAxis[];
  /** Producers: axes indexed by output channel (kernel output axis, bias). */
  outputs: ChannelAxis[];
}

/**
 * A layer whose per-channel weights are described by a table of axes ({@link ChannelAxes}):
 * the channel graph re-orders them and measures importance from them, as it does for the
 * built-in tfjs layers it knows, so the layer needs no permutation code of its own.
 *
 * @example
 * ```ts
 * class MyNorm extends tf.layers.Layer implements HasChannelAxes {
 *   channelRole(): ChannelRole { return { kind: 'follow' }; }
 *   channelAxes(): ChannelAxes { return { inputs: [{ weight: 'gamma', axis: 0 }], outputs: [] }; }
 * }
 * ```
 */
export interface HasChannelAxes extends HasChannelRole {
  /** The weight axes indexed by input and by output channel. */
  channelAxes(): ChannelAxes;
}

/**
 * True when `layer` implements {@link HasChannelAxes}.
 *
 * @example
 * ```ts
 * const axes = hasChannelAxes(layer) ? layer.channelAxes() : null;
 * ```
 */
export function hasChannelAxes(layer: unknown): layer is HasChannelAxes {
  return hasChannelRole(layer) && typeof (layer as Partial<HasChannelAxes>).channelAxes === 'function';
}

/**
 * A layer whose channels can be re-ordered without changing what the network computes — the
 * hook `sortChannelsByImportance` uses. `perm[i]` is the old index of new channel `i` and
 * always covers the full (maximum) width.
 *
 * @example
 * ```ts
 * // A 1×1 conv (weights and call left out): re-ordering gathers the kernel's input or output axis.
 * class MyConv extends tf.layers.Layer implements ChannelPermutable {
 *   kernel = tf.variable(tf.randomNormal([1, 1, 8, 16]));
 *   channelRole(): ChannelRole { return { kind: 'produce' }; }
 *   permuteInputChannels(perm: readonly number[]): void {
 *     tf.tidy(() => this.kernel.assign(tf.gather(this.kernel, [...perm], 2)));
 *   }
 *   permuteOutputChannels(perm: readonly number[]): void {
 *     tf.tidy(() => this.kernel.assign(tf.gather(this.kernel, [...perm], 3)));
 *   }
 *   outputChannelImportance(): Float32Array {
 *     return tf.tidy(() => tf.sum(tf.abs(this.kernel), [0, 1, 2]).dataSync() as Float32Array);
 *   }
 * }
 * ```
 */
export interface ChannelPermutable extends HasChannelRole {
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
 * // the layers sortChannelsByImportance can re-order, and how
 * for (const l of model.layers) if (isChannelPermutable(l)) console.log(`${l.name}: ${l.channelRole().kind}`);
 * ```
 */
export function isChannelPermutable(layer: unknown): layer is ChannelPermutable {
  return hasChannelRole(layer) && typeof (layer as Partial<ChannelPermutable>).permuteInputChannels === 'function';
}
