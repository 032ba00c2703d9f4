import type * as tf from '@tensorflow/tfjs-core';
import { describeValue } from '../util/index.js';
import { modelFileError } from './file_errors.js';

/** One group of a weights manifest, checked: the files to concatenate and the weights they hold. */
export interface ManifestGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Bytes per element of each dtype tfjs can decode, as stored on disk (strings: variable). */
const BYTES_PER_ELEMENT: Record<string, number | null> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  string: null,
};

/** Storage dtypes of quantized weights, and their bytes per element. */
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * Checks the structure of a model.json's `weightsManifest` and returns its groups; an absent
 * manifest gives no groups (whether the model needs weights is the topology check's question).
 * Every entry needs a unique non-empty name, a shape of non-negative integers and a dtype tfjs can
 * decode; errors name the file and the entry.
 */
export function parseManifest(jsonPath: string, manifest: unknown): ManifestGroup[] {
  if (manifest == null) return [];
  if (!Array.isArray(manifest)) {
    throw modelFileError(
      jsonPath,
      `malformed model JSON: weightsManifest is not an array (got ${describeValue(manifest)})`,
    );
  }
  const seen = new Set<string>();
  return manifest.map((group: unknown, g) => {
    const { paths, weights } = (group ?? {}) as { paths?: unknown; weights?: unknown };
    if (
      !Array.isArray(paths) ||
      !paths.every((p) => typeof p === 'string' && p.length > 0) ||
      !Array.isArray(weights)
    ) {
      throw modelFileError(
        jsonPath,
        `malformed weightsManifest: each group needs paths[] (file names) and weights[]; group ${g} is ${describeValue(group)}`,
      );
    }
    weights.forEach((entry: unknown, i) => {
      checkEntry(jsonPath, entry, `group ${g}, entry ${i}`);
      const name = entry.name;
      if (seen.has(name)) {
        throw modelFileError(
          jsonPath,
          `weight '${name}' is listed twice in the weightsManifest (again in group ${g}, entry ${i})`,
        );
      }
      seen.add(name);
    });
    return { paths: paths as string[], weights: weights as tf.io.WeightsManifestEntry[] };
  });
}

function checkEntry(jsonPath: string, entry: unknown, where: string): asserts entry is tf.io.WeightsManifestEntry {
  const e = (entry ?? {}) as Partial<tf.io.WeightsManifestEntry>;
  if (typeof e.name !== 'string' || e.name.length === 0) {
    throw modelFileError(jsonPath, `malformed weightsManifest: ${where} has no name (got ${describeValue(entry)})`);
  }
  const label = `weight '${e.name}' (${where})`;
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw modelFileError(
      jsonPath,
      `malformed weightsManifest: ${label} has shape ${describeValue(e.shape)}, expected an array of non-negative integers`,
    );
  }
  if (typeof e.dtype !== 'string' || !(e.dtype in BYTES_PER_ELEMENT)) {
    throw modelFileError(
      jsonPath,
      `${label} has dtype ${describeValue(e.dtype)}; tfjs decodes only ${Object.keys(BYTES_PER_ELEMENT).join(', ')}`,
    );
  }
  const q = e.quantization as unknown;
  if (q != null) {
    const { dtype, scale, min } = q as { dtype?: unknown; scale?: unknown; min?: unknown };
    const numbers = dtype === 'float16' || (Number.isFinite(scale) && Number.isFinite(min));
    const decoded = e.dtype === 'float32' || e.dtype === 'int32';
    if (typeof dtype !== 'string' || !(dtype in QUANTIZED_BYTES) || !numbers || !decoded) {
      throw modelFileError(
        jsonPath,
        `malformed weightsManifest: ${label} has quantization ${describeValue(q)}, expected a float32 or int32 weight ` +
          `with dtype ${Object.keys(QUANTIZED_BYTES).join(', ')} (and finite scale and min for the integer ones)`,
      );
    }
  }
}

/** Bytes a group's weights occupy on disk, or null when it cannot be known (string weights). */
export function groupBytes(group: ManifestGroup): number | null {
  let total = 0;
  for (const w of group.weights) {
    const size = w.quantization != null ? QUANTIZED_BYTES[w.quantization.dtype] : BYTES_PER_ELEMENT[w.dtype];
    if (size == null) return null;
    total += w.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}
