import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ModelFileError } from '../util/index.js';
import { importOptional } from '../util/index.js';

type Fs = typeof import('node:fs/promises');
type PathModule = typeof import('node:path');

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** Bytes per element of each weight dtype as stored on disk (after quantization, if any). */
const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

/**
 * A tfjs IO handler that saves to and loads from the local file system in Node, without
 * tfjs-node. It writes and reads the layout tfjs-node's `file://` handler uses: a directory with
 * `model.json` (topology + weights manifest) and one `weights.bin`.
 *
 * - Saving: `path` is the directory; it is created (with its parents) if needed.
 * - Loading: `path` is the `model.json` file (or the directory holding it). Every weights file
 *   the manifest lists is read relative to it, and its size is checked against the manifest.
 * - A missing file, a truncated weights file or malformed JSON raises a {@link ModelFileError}
 *   naming the file and what is wrong.
 *
 * @example
 * ```ts
 * await model.save(fileSystem('out/my-model'));
 * const again = await tf.loadLayersModel(fileSystem('out/my-model/model.json'));
 * ```
 */
export function fileSystem(path: string): tf.io.IOHandler {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ConfigError('path', path, 'a non-empty file system path');
  }
  if (path.startsWith('file://')) path = path.slice('file://'.length);
  return {
    save: (artifacts) => saveArtifacts(path, artifacts),
    load: () => loadArtifacts(path),
  };
}

async function nodeModules(): Promise<{ fs: Fs; path: PathModule }> {
  if (!tf.env().getBool('IS_NODE')) {
    throw new ConfigError(
      'fileSystem',
      'browser',
      'Node.js (fileSystem() uses node:fs; in browsers use tf.io.browserFiles or indexeddb://)',
    );
  }
  const [fs, path] = await Promise.all([
    importOptional<Fs>('node:fs/promises'),
    importOptional<PathModule>('node:path'),
  ]);
  return { fs, path };
}

async function saveArtifacts(dir: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  const { fs, path } = await nodeModules();
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ModelFileError(
      dir,
      'binary model topologies cannot be saved by fileSystem(); save a LayersModel (JSON topology)',
    );
  }
  const existing = await fs.stat(dir).catch(() => null);
  if (existing != null && !existing.isDirectory()) {
    throw new ModelFileError(dir, 'exists and is not a directory; fileSystem(path) saves into a directory');
  }
  await fs.mkdir(dir, { recursive: true });

  const weightSpecs = artifacts.weightSpecs ?? [];
  const weightData =
    artifacts.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const modelJson: Record<string, unknown> = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: weightSpecs }],
  };
  for (const key of [
    'trainingConfig',
    'signature',
    'userDefinedMetadata',
    'modelInitializer',
    'initializerSignature',
  ] as const) {
    if (artifacts[key] != null) modelJson[key] = artifacts[key];
  }
  await fs.writeFile(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
  await fs.writeFile(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData }) };
}

async function loadArtifacts(target: string): Promise<tf.io.ModelArtifacts> {
  const { fs, path } = await nodeModules();
  const stat = await fs.stat(target).catch(() => null);
  if (stat == null)
    throw new ModelFileError(
      target,
      'no such file (expected the model.json written by fileSystem().save or tfjs-node)',
    );
  const jsonPath = stat.isDirectory() ? path.join(target, MODEL_JSON) : target;
  const text = await fs.readFile(jsonPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ModelFileError(jsonPath, e.code === 'ENOENT' ? 'no such file' : `cannot be read (${e.message})`);
  });
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as tf.io.ModelJSON;
  } catch (e) {
    throw new ModelFileError(jsonPath, `malformed JSON: ${(e as Error).message}`);
  }
  if (modelJson == null || typeof modelJson !== 'object' || Array.isArray(modelJson)) {
    throw new ModelFileError(
      jsonPath,
      'malformed model JSON: expected an object with modelTopology and weightsManifest',
    );
  }
  if (modelJson.modelTopology == null) {
    throw new ModelFileError(jsonPath, 'malformed model JSON: the modelTopology field is missing');
  }
  if (modelJson.weightsManifest != null && !Array.isArray(modelJson.weightsManifest)) {
    throw new ModelFileError(jsonPath, 'malformed model JSON: weightsManifest is not an array');
  }
  const dir = path.dirname(jsonPath);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      if (group == null || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
        throw new ModelFileError(jsonPath, 'malformed weightsManifest: each group needs paths[] and weights[]');
      }
      const groupBuffers: ArrayBuffer[] = [];
      for (const rel of group.paths) {
        const file = path.join(dir, rel);
        const bytes = await fs.readFile(file).catch((e: NodeJS.ErrnoException) => {
          throw new ModelFileError(
            file,
            e.code === 'ENOENT' ? `no such file (listed in ${jsonPath})` : `cannot be read (${e.message})`,
          );
        });
        groupBuffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      }
      const expected = expectedBytes(group.weights, jsonPath);
      const actual = groupBuffers.reduce((sum, b) => sum + b.byteLength, 0);
      if (expected != null && actual !== expected) {
        const files = group.paths.map((p) => path.join(dir, p)).join(', ');
        throw new ModelFileError(
          files,
          actual < expected
            ? `truncated: holds ${actual} bytes, the manifest in ${jsonPath} needs ${expected}`
            : `holds ${actual} bytes, more than the ${expected} the manifest in ${jsonPath} describes`,
        );
      }
      specs.push(...group.weights);
      buffers.push(...groupBuffers);
    }
    return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
  });
}

/** Bytes the weights of one manifest group occupy, or null when it cannot be known (strings). */
function expectedBytes(weights: tf.io.WeightsManifestEntry[], jsonPath: string): number | null {
  let total = 0;
  for (const w of weights) {
    if (!Array.isArray(w.shape))
      throw new ModelFileError(jsonPath, `malformed weightsManifest: weight '${w.name}' has no shape`);
    const stored = w.quantization?.dtype ?? w.dtype;
    const size = BYTES_PER_ELEMENT[stored];
    if (size == null) return null;
    total += w.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}
