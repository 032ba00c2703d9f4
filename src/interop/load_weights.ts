import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { setNoise } from '../layers/modulated/index.js';
import { ConfigError, describeValue } from '../util/index.js';
import {
  WeightMappingError,
  targetLayers,
  type MappingTarget,
  type TorchBinding,
  type TorchMapping,
} from './mapping.js';
import { resolveMapping } from './mappings/builtin.js';
import type { TorchStateDict, TorchTensor } from './torch_tensor.js';

/** Options of {@link loadTorchWeights}. */
export interface LoadTorchWeightsOptions {
  /** The correspondence of names and layouts. Default: the built-in mapping that recognises the model. */
  mapping?: TorchMapping;
  /**
   * Refuse (default true) a checkpoint with missing reference tensors, tensors no weight takes,
   * or model weights without a reference name. Tensors of the wrong shape or type are refused
   * either way (as PyTorch's `load_state_dict` does).
   */
  strict?: boolean;
  /**
   * Read only the checkpoint tensors whose names start with `prefix`, without it — a sub-module
   * of a larger state dict (`'student.'`, `'mapping_net.'`, `'module.'` of DataParallel).
   */
  prefix?: string;
}

/** What {@link loadTorchWeights} did. */
export interface LoadTorchWeightsReport {
  /** The mapping used. */
  mapping: string;
  /** Reference names loaded into the model (and checked constants). */
  loaded: string[];
  /** Reference names the checkpoint lacks (non-strict mode; those weights kept their values). */
  missing: string[];
  /** Checkpoint names (under the prefix) no weight took (non-strict mode). */
  unused: string[];
  /** Model weights no reference name fills (non-strict mode; they kept their values). */
  unmapped: string[];
}

const same = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function floatData(t: TorchTensor): Float32Array | null {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof Float64Array) return Float32Array.from(t.data);
  return null;
}

/**
 * Loads a PyTorch checkpoint (as {@link readTorchCheckpoint} gives it) into a model or layer,
 * converting each tensor from the reference layout (NCHW activations, OIHW / IOHW kernels,
 * `[out, in]` linear weights) to tfjs's. The mapping gives the reference names: by default the
 * built-in one that recognises the model (GAN Compression's ResNet generators, MobileStyleGAN's
 * synthesis and mapping networks; see {@link BUILTIN_TORCH_MAPPINGS}).
 *
 * Everything is checked before any weight changes: in strict mode (the default) a missing
 * tensor, an unused one, a model weight without a reference name and a tensor of the wrong
 * shape or type each raise a {@link WeightMappingError} naming every offender; non-strict mode
 * loads what matches and reports the rest. Reference buffers the model does not hold (the
 * IDWT filters of MobileStyleGAN) are checked against their known values.
 *
 * @example
 * ```ts
 * const teacher = ResnetGenerator({ ngf: 64 });
 * const report = loadTorchWeights(teacher, await readTorchCheckpoint('latest_net_G.pth'));
 * report.loaded.length; // 2 per conv: 2·(3 + 18 + 2 + 1) = 48
 * ```
 */
export function loadTorchWeights(
  model: MappingTarget,
  checkpoint: TorchStateDict,
  options: LoadTorchWeightsOptions = {},
): LoadTorchWeightsReport {
  if (!(model instanceof tfl.LayersModel) && !(model instanceof tfl.layers.Layer))
    throw new ConfigError('model', model, 'a tf.LayersModel or a built layer');
  if (checkpoint == null || typeof checkpoint !== 'object')
    throw new ConfigError('checkpoint', checkpoint, 'named tensors (readTorchCheckpoint gives them)');
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, '{ mapping?, strict?, prefix? }');
  for (const key of Object.keys(options))
    if (!['mapping', 'strict', 'prefix'].includes(key))
      throw new ConfigError(
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        'no such option (known: mapping, strict, prefix)',
      );
  const strict = options.strict ?? true;
  if (typeof strict !== 'boolean') throw new ConfigError('options.strict', strict, 'true or false');
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new ConfigError('options.prefix', prefix, 'a string');
  const mapping = resolveMapping(model, options.mapping);
  const bindings = mapping.bind(model);
  checkUnique(bindings, mapping.name);

  const entries = new Map<string, TorchTensor>();
  for (const name of Object.keys(checkpoint))
    if (name.startsWith(prefix)) entries.set(name.slice(prefix.length), checkpoint[name] as TorchTensor);

  const missing: string[] = [];
  const mismatched: string[] = [];
  const loaded: string[] = [];
  const writes: { variable: tfl.LayerVariable; data: Float32Array }[] = [];
  const noise: { layer: tfl.layers.Layer; shape: number[]; data: Float32Array }[] = [];
  const used = new Set<string>();
  for (const b of bindings) {
    const t = entries.get(b.torchName);
    if (t == null) {
      if (b.kind === 'weight') missing.push(`${prefix}${b.torchName}`);
      continue;
    }
    used.add(b.torchName);
    const name = `${prefix}${b.torchName}`;
    const tfShape = b.kind === 'constant' ? b.shape : (b.variable.shape as number[]);
    const expected = b.kind === 'constant' ? b.shape : b.layout.torchShape(tfShape);
    const data = floatData(t);
    if (data == null) {
      mismatched.push(`${name}: got ${t.dtype}, expected a floating-point tensor`);
      continue;
    }
    if (!same(t.shape, expected)) {
      mismatched.push(`${name}: got shape [${t.shape.join(', ')}], expected [${expected.join(', ')}]`);
      continue;
    }
    if (b.kind === 'constant') {
      if (b.check && b.data.some((v, i) => Math.abs(v - (data[i] as number)) > 1e-6))
        mismatched.push(
          `${name}: got ${describeValue(Array.from(data))}, expected ${describeValue(Array.from(b.data))} (${b.reason})`,
        );
      else loaded.push(name);
      continue;
    }
    const converted = b.layout.toTfjs(data, tfShape);
    if (b.kind === 'noise') noise.push({ layer: b.layer, shape: tfShape, data: converted });
    else writes.push({ variable: b.variable, data: converted });
    loaded.push(name);
  }
  const unused = [...entries.keys()].filter((n) => !used.has(n)).map((n) => `${prefix}${n}`);
  const bound = new Set(bindings.flatMap((b) => (b.kind === 'constant' ? [] : [b.variable])));
  const unmapped = targetLayers(model)
    .flatMap((l) => l.weights)
    .filter((v) => !bound.has(v))
    .map((v) => v.originalName);
  if (mismatched.length > 0 || (strict && (missing.length > 0 || unused.length > 0 || unmapped.length > 0)))
    throw new WeightMappingError(
      mapping.name,
      strict ? missing : [],
      strict ? unused : [],
      mismatched,
      strict ? unmapped : [],
    );

  tf.tidy(() => {
    for (const w of writes) w.variable.write(tf.tensor(w.data, w.variable.shape as number[], 'float32'));
  });
  if (noise.length > 0) {
    const maps = Object.fromEntries(noise.map((n) => [n.layer.name, tf.tensor(n.data, n.shape, 'float32')]));
    try {
      setNoise(model, maps);
    } finally {
      tf.dispose(Object.values(maps));
    }
  }
  return { mapping: mapping.name, loaded, missing, unused, unmapped };
}

/** Refuses a mapping that binds one name twice or one weight twice. */
export function checkUnique(bindings: TorchBinding[], mapping: string): void {
  const names = new Set<string>();
  const variables = new Set<tfl.LayerVariable>();
  for (const b of bindings) {
    if (names.has(b.torchName))
      throw new ConfigError(`mapping '${mapping}'`, `'${b.torchName}' bound twice`, 'one binding per reference name');
    names.add(b.torchName);
    if (b.kind !== 'constant') {
      if (variables.has(b.variable))
        throw new ConfigError(
          `mapping '${mapping}'`,
          `weight '${b.variable.originalName}' bound twice`,
          'one reference name per weight',
        );
      variables.add(b.variable);
    }
  }
}
