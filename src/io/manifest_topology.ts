import type * as tf from '@tensorflow/tfjs-core';
import { modelFileError } from './file_errors.js';
import type { TopologyWeight } from './topology_weights.js';

const shapeText = (shape: readonly number[]): string => `[${shape.join(',')}]`;
const listed = (names: readonly string[], max = 6): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

/**
 * Refuses a manifest that does not describe exactly the weights of the topology: every entry
 * must name one of the model's weights (matched the way `tf.loadLayersModel` matches them), none
 * twice, none left out, with the weight's shape and dtype, and each layer's weights must come in
 * the layer's order. The files tfjs and the Python converter write keep each layer's order (tfjs
 * lists the trainable weights of all layers first, the converter sorts layers by name: both
 * allowed), so an inversion means edited names: names swapped between two weights of one shape
 * (a batch norm's gamma and beta) would otherwise load each into the other's place. Names
 * swapped between same-shaped weights of two layers can keep every layer's order; only the
 * digests of files saved by fileSystem() catch those. (A file tfjs saved after a single variable
 * was frozen, `v.trainable = false`, lists that variable after its layer's trainable ones and is
 * refused too.) Entries of the 'optimizer' group are not the model's and are left to tfjs.
 * `absent` says the file has no weightsManifest at all (for the message).
 */
export function checkManifestAgainstTopology(
  jsonPath: string,
  expected: readonly TopologyWeight[],
  manifest: readonly tf.io.WeightsManifestEntry[],
  absent: boolean,
): void {
  const entries = manifest.filter((e) => e.group !== 'optimizer');
  if (entries.length === 0 && expected.length > 0) {
    throw modelFileError(
      jsonPath,
      `${absent ? 'has no weightsManifest' : 'its weightsManifest lists no weights'}, but its topology has ` +
        `${expected.length} weights (${listed(expected.map((w) => w.originalName))}): loading it would give ` +
        'the model freshly initialized random weights',
    );
  }
  // tfjs-layers matches Keras 3 files ('dense/0') by position when the first name it sees ends in
  // a number; it sees the names in object-key order, which puts integer-like names first.
  const firstKey = Object.keys(Object.fromEntries(entries.map((e) => [e.name, 0])))[0] ?? '';
  const byPosition = !Number.isNaN(parseInt(firstKey.split('/').pop() ?? '', 10));
  const targets = new Map<string, TopologyWeight>();
  for (const w of expected) {
    const key = byPosition ? `${w.variableName.split('/').slice(0, -1).join('/')}/${w.index}` : w.originalName;
    targets.set(key, w);
  }
  const setBy = new Map<TopologyWeight, string>();
  const lastInLayer = new Map<string, TopologyWeight>();
  for (const entry of entries) {
    // tfjs also accepts 'layer/cell/kernel' for 'layer/kernel' (cell names added by TF 2.2).
    const tokens = entry.name.split('/');
    const shortened = [...tokens.slice(0, -2), tokens[tokens.length - 1]].join('/');
    const target = targets.get(entry.name) ?? targets.get(shortened);
    if (target == null) {
      const unset = expected.filter((w) => !setBy.has(w)).map((w) => w.originalName);
      throw modelFileError(
        jsonPath,
        `weight '${entry.name}' of the weightsManifest is not a weight of its topology` +
          (unset.length > 0 ? ` (weights without an entry so far: ${listed(unset)})` : ''),
      );
    }
    const other = setBy.get(target);
    if (other != null) {
      throw modelFileError(
        jsonPath,
        `weights '${other}' and '${entry.name}' of the weightsManifest both name the topology's weight '${target.originalName}'`,
      );
    }
    setBy.set(target, entry.name);
    if (shapeText(entry.shape) !== shapeText(target.shape)) {
      const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
      throw modelFileError(
        jsonPath,
        `weight '${entry.name}' has shape ${shapeText(entry.shape)} in the weightsManifest, but the topology's ` +
          `${target.originalName} has shape ${shapeText(target.shape)}` +
          (size(entry.shape) === size(target.shape) ? ' (same size: transposed or reshaped?)' : ''),
      );
    }
    if (entry.dtype !== target.dtype) {
      throw modelFileError(
        jsonPath,
        `weight '${entry.name}' has dtype '${entry.dtype}' in the weightsManifest, but the topology's ` +
          `${target.originalName} is ${target.dtype}`,
      );
    }
    const previous = lastInLayer.get(target.layer);
    if (previous != null && previous.index > target.index) {
      throw modelFileError(
        jsonPath,
        `the weightsManifest lists '${entry.name}' after '${setBy.get(previous)}', but layer '${target.layer}' holds ` +
          `${target.originalName} before ${previous.originalName}: tfjs and the converter keep a layer's order, so ` +
          'the names were edited (swapped names would load each weight into the other); refusing rather than guessing',
      );
    }
    lastInLayer.set(target.layer, target);
  }
  const unset = expected.filter((w) => !setBy.has(w));
  if (unset.length > 0) {
    throw modelFileError(
      jsonPath,
      `the weightsManifest has no entry for ${unset.length} of the topology's ${expected.length} weights: ` +
        `${listed(unset.map((w) => w.originalName))}`,
    );
  }
}
