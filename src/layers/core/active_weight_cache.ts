import * as tf from '@tensorflow/tfjs-core';

/**
 * Keeps the sliced / kernel-transformed weights of an elastic layer's active setting between
 * inference calls, so a supernet running a fixed sub-network does not re-slice on every call.
 *
 * - Only outside gradient recording (`training` not set and no tape active): a cached tensor is
 *   not connected to the variables, so it must never stand in for them while gradients are taken.
 * - An entry is made on the second call in a row with the same key and weights, so one-off calls
 *   (as after every `setActive`) allocate nothing that outlives them.
 * - It is valid while the key (setting, input width) and the weight tensors are the same: a
 *   weight write (`setWeights`, an optimizer step, a channel permutation) gives the variable a new
 *   data id, which invalidates the entry.
 */
export class ActiveWeightCache {
  private entry: { key: string; sources: object[]; tensors: tf.Tensor[] } | null = null;
  private last: { key: string; sources: object[] } | null = null;

  /** The weights for `key`: cached, or computed by `compute` (inside the caller's tidy). */
  get<T extends tf.Tensor[]>(key: string, sources: tf.Tensor[], training: boolean, compute: () => T): T {
    if (training || tf.engine().state.gradientDepth > 0) return compute();
    const ids = sources.map((t) => t.dataId);
    const same = (e: { key: string; sources: object[] } | null): boolean =>
      e != null && e.key === key && e.sources.length === ids.length && ids.every((id, i) => id === e.sources[i]);
    if (this.entry != null && same(this.entry)) return this.entry.tensors as T;
    this.clear();
    const value = compute();
    if (same(this.last)) {
      // Clones share the data but not the handle, so disposing the cache never frees a variable.
      const tensors = value.map((t) => tf.keep(tf.clone(t)));
      this.entry = { key, sources: ids, tensors };
      this.last = null;
      return tensors as T;
    }
    this.last = { key, sources: ids };
    return value;
  }

  /** Frees the cached tensors. */
  clear(): void {
    if (this.entry != null) tf.dispose(this.entry.tensors);
    this.entry = null;
  }
}
