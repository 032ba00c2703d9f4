import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ModelFileError } from '../util/index.js';
import { MODEL_JSON, replaceModelFiles } from './atomic_replace.js';
import { ensureDirectory } from './ensure_directory.js';
import { errnoCode, fileCallError, modelFileError } from './file_errors.js';
import { nodeFileOps, nodeParts, type FileOps, type NodeParts } from './file_ops.js';
import { sealModelJson, sha256Hex, verifyModelJson, verifyWeightsFile } from './integrity.js';
import { groupBytes, parseManifest } from './manifest_check.js';
import { checkManifestAgainstTopology } from './manifest_topology.js';
import { topologyWeights } from './topology_weights.js';

// The real file calls, beside the handler that takes them.
export { nodeFileOps };

/** Optional model.json fields passed through unchanged. */
const PASSED_THROUGH = [
  'trainingConfig',
  'signature',
  'userDefinedMetadata',
  'modelInitializer',
  'initializerSignature',
] as const;

/**
 * A tfjs IO handler that saves to and loads from the local file system in Node, without
 * tfjs-node. A saved model is a directory holding `model.json` (topology + weights manifest, the
 * layout tfjs-node's `file://` handler and the Python converter use) and one weights file.
 *
 * - **Saving** (`path` is the directory, created with its parents if needed) is atomic: at every
 *   instant the directory holds the complete previous model or the complete new one, also when
 *   the disk fills up, the process is killed or the power fails midway. The weights go to a file
 *   named by their SHA-256 (`weights.<16 hex digits>.bin`), model.json is replaced last by a
 *   rename, and only then are the previous weights removed. A failure throws a
 *   {@link ModelFileError} naming the file and the cause in words (disk full, permission denied,
 *   read-only file system, not a directory ...), with the system error as its `cause`.
 *   model.json records SHA-256 digests of itself and of the weights (field
 *   `gancompressIntegrity`, ignored by other loaders).
 * - **Loading** (`path` is the model.json file or its directory) refuses, with a
 *   {@link ModelFileError} naming the file and the weight: a missing file, malformed JSON, a
 *   weights file of the wrong size, bytes that do not match the recorded digests, a topology
 *   with weights but no manifest (tfjs would silently use random weights), and any disagreement
 *   between manifest and topology — names, shapes, dtypes, the order of same-shaped weights in a
 *   layer, missing or extra entries. It checks by building the topology once with placeholder
 *   weights, so every error tfjs-layers would raise while building arrives here, before anything
 *   is allocated for the caller: no tensor leaks on any failure. Files from tfjs-node or the
 *   converter (no digests) get every check but the digests.
 *
 * One process saves into a directory at a time; loads may run concurrently with a save.
 *
 * @example
 * ```ts
 * await model.save(fileSystem('out/my-model'));
 * const again = await tf.loadLayersModel(fileSystem('out/my-model/model.json'));
 * ```
 */
export function fileSystem(path: string): tf.io.IOHandler {
  return fileSystemWith(path, nodeFileOps);
}

/**
 * {@link fileSystem} over another implementation of the file calls: the seam through which tests
 * fail (or kill) a save at any single write, fsync or rename.
 *
 * @example
 * ```ts
 * // Every rename fails as on a read-only disk: the save throws a ModelFileError and the model
 * // saved there before stays as it was.
 * const readOnly = fileSystemWith('out/my-model', async () => ({
 *   ...(await nodeFileOps()),
 *   rename: () => Promise.reject(Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' })),
 * }));
 * await model.save(readOnly).catch((e: unknown) => console.log((e as ModelFileError).message));
 * ```
 */
export function fileSystemWith(path: string, fileOps: () => Promise<FileOps>): tf.io.IOHandler {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ConfigError('path', path, 'a non-empty file system path');
  }
  if (path.startsWith('file://')) path = path.slice('file://'.length);
  const target = path;
  return {
    save: async (artifacts) => saveArtifacts(target, artifacts, await fileOps(), await nodeParts()),
    load: async () => loadArtifacts(target, await fileOps(), await nodeParts()),
  };
}

async function saveArtifacts(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
  ops: FileOps,
  parts: NodeParts,
): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ModelFileError(
      dir,
      'binary model topologies cannot be saved by fileSystem(); save a LayersModel (JSON topology)',
    );
  }
  await ensureDirectory(dir, ops, parts.path);
  const weightData =
    artifacts.weightData == null ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const bytes = new Uint8Array(weightData);
  const digest = sha256Hex(parts.crypto, bytes);
  const weightsName = `weights.${digest.slice(0, 16)}.bin`;
  const modelJson: Record<string, unknown> = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
  };
  for (const key of PASSED_THROUGH) if (artifacts[key] != null) modelJson[key] = artifacts[key];
  const text = sealModelJson(parts.crypto, modelJson, { [weightsName]: digest });
  const problems = await replaceModelFiles(dir, text, { name: weightsName, bytes }, ops, parts);
  const result: tf.io.SaveResult = {
    modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData }),
  };
  if (problems.length > 0) result.errors = problems;
  return result;
}

/** A weights file vanished between reading model.json and reading it: a save may have replaced both. */
class VanishedWeights extends Error {
  constructor(readonly error: ModelFileError) {
    super(error.message);
  }
}

async function loadArtifacts(target: string, ops: FileOps, parts: NodeParts): Promise<tf.io.ModelArtifacts> {
  let kind: Awaited<ReturnType<FileOps['kind']>>;
  try {
    kind = await ops.kind(target);
  } catch (e) {
    throw fileCallError(target, 'read', e);
  }
  if (kind == null) {
    throw modelFileError(target, 'no such file (expected the model.json written by fileSystem().save or tfjs-node)');
  }
  const jsonPath = kind === 'directory' ? parts.path.join(target, MODEL_JSON) : target;
  // A save running meanwhile may replace model.json and remove the weights it named between our
  // two reads; model.json has then changed, and reading it again gets the new, complete pair.
  for (let attempt = 1; ; attempt++) {
    const text = await readText(jsonPath, ops);
    try {
      return await loadModel(jsonPath, text, ops, parts);
    } catch (e) {
      if (!(e instanceof VanishedWeights)) throw e;
      const now = await readText(jsonPath, ops).catch(() => text);
      if (attempt >= 3 || now === text) throw e.error;
    }
  }
}

async function readText(jsonPath: string, ops: FileOps): Promise<string> {
  try {
    return new TextDecoder().decode(await ops.readFile(jsonPath));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') {
      throw modelFileError(
        jsonPath,
        'no such file (expected the model.json written by fileSystem().save or tfjs-node)',
        e,
      );
    }
    throw fileCallError(jsonPath, 'read', e);
  }
}

async function loadModel(
  jsonPath: string,
  text: string,
  ops: FileOps,
  { path, crypto }: NodeParts,
): Promise<tf.io.ModelArtifacts> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw modelFileError(jsonPath, `malformed JSON: ${(e as Error).message}`, e);
  }
  if (parsed == null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw modelFileError(jsonPath, 'malformed model JSON: expected an object with modelTopology and weightsManifest');
  }
  const json = parsed as Record<string, unknown> & tf.io.ModelJSON;
  if (json.modelTopology == null) {
    throw modelFileError(jsonPath, 'malformed model JSON: the modelTopology field is missing');
  }
  const integrity = verifyModelJson(crypto, jsonPath, json);
  const groups = parseManifest(jsonPath, json.weightsManifest);
  const dir = path.dirname(jsonPath);
  const buffers: ArrayBuffer[] = [];
  for (const group of groups) {
    const files = group.paths.map((rel) => path.join(dir, rel));
    const contents: Uint8Array[] = [];
    for (const file of files) {
      try {
        contents.push(await ops.readFile(file));
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') {
          throw new VanishedWeights(modelFileError(file, `no such file (listed in ${jsonPath})`, e));
        }
        throw fileCallError(file, 'read', e, `listed in ${jsonPath}`);
      }
    }
    const expected = groupBytes(group);
    const actual = contents.reduce((sum, b) => sum + b.byteLength, 0);
    if (expected != null && actual !== expected) {
      throw modelFileError(
        files.join(', '),
        actual < expected
          ? `truncated: holds ${actual} bytes, the manifest in ${jsonPath} needs ${expected}`
          : `holds ${actual} bytes, more than the ${expected} the manifest in ${jsonPath} describes`,
      );
    }
    contents.forEach((bytes, i) => {
      if (integrity != null) {
        verifyWeightsFile(crypto, integrity, files[i] as string, group.paths[i] as string, jsonPath, bytes);
      }
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    });
  }
  const specs = groups.flatMap((g) => g.weights);
  const declared = await topologyWeights(jsonPath, json);
  if (declared != null) checkManifestAgainstTopology(jsonPath, declared, specs, json.weightsManifest == null);
  const weightData = tf.io.CompositeArrayBuffer.join(buffers);
  return tf.io.getModelArtifactsForJSON(json, () => Promise.resolve([specs, weightData]));
}
