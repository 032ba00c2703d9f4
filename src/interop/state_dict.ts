import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../util/index.js';
import { checkUnique } from './load_weights.js';
import type { MappingTarget, TorchMapping } from './mapping.js';
import { resolveMapping } from './mappings/builtin.js';
import { writeSafetensors } from './safetensors.js';
import type { TorchStateDict } from './torch_tensor.js';

/** Options of {@link toTorchStateDict} and {@link torchTensors}. */
export interface ToTorchStateDictOptions {
  /** The correspondence of names and layouts. Default: the built-in mapping that recognises the model. */
  mapping?: TorchMapping;
  /** Prepended to every name (`'student.'`). Default none. */
  prefix?: string;
  /** String metadata for the safetensors header (`__metadata__`). */
  metadata?: Record<string, string>;
}

function check(model: unknown, options: unknown): ToTorchStateDictOptions {
  if (!(model instanceof tfl.LayersModel) && !(model instanceof tfl.layers.Layer))
    throw new ConfigError('model', model, 'a tf.LayersModel or a built layer');
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, '{ mapping?, prefix?, metadata? }');
  for (const key of Object.keys(options))
    if (!['mapping', 'prefix', 'metadata'].includes(key))
      throw new ConfigError(
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        'no such option (known: mapping, prefix, metadata)',
      );
  const o = options as ToTorchStateDictOptions;
  if (o.prefix != null && typeof o.prefix !== 'string') throw new ConfigError('options.prefix', o.prefix, 'a string');
  return o;
}

/**
 * The model's weights as the reference implementation's state dict — plain named float32
 * arrays in the reference layouts (no tfjs tensors), reference buffers included (MobileStyleGAN's
 * IDWT filters). See {@link toTorchStateDict} for the file.
 *
 * @example
 * ```ts
 * const tensors = torchTensors(ResnetGenerator({ ngf: 8 }));
 * tensors['model.1.weight']?.shape; // [8, 3, 7, 7]
 * ```
 */
export function torchTensors(
  model: MappingTarget,
  options: Omit<ToTorchStateDictOptions, 'metadata'> = {},
): TorchStateDict {
  const o = check(model, options);
  const mapping = resolveMapping(model, o.mapping);
  const bindings = mapping.bind(model);
  checkUnique(bindings, mapping.name);
  const prefix = o.prefix ?? '';
  const out: TorchStateDict = Object.create(null) as TorchStateDict;
  for (const b of bindings) {
    if (b.kind === 'noise') continue; // the reference classes have no such buffer until traced
    if (b.kind === 'constant') {
      out[`${prefix}${b.torchName}`] = { shape: [...b.shape], dtype: 'float32', data: b.data.slice() };
      continue;
    }
    const tfShape = b.variable.shape as number[];
    const values = b.variable.read().dataSync();
    const data = b.layout.toTorch(values instanceof Float32Array ? values : Float32Array.from(values), tfShape);
    out[`${prefix}${b.torchName}`] = { shape: b.layout.torchShape(tfShape), dtype: 'float32', data };
  }
  return out;
}

/**
 * The model's weights as a `.safetensors` file under the reference implementation's names and
 * layouts, which the reference PyTorch classes load with `load_state_dict(strict=True)` (read
 * with `safetensors.torch.load_file`). The mapping is the built-in one that recognises the
 * model unless given; the same model always gives the same bytes.
 *
 * @example
 * ```ts
 * const sub = extractSubnet(supernet, resnetConfigFromString('16_16_32_16_32_32_16_16'));
 * fs.writeFileSync('student.safetensors', toTorchStateDict(sub));
 * // Python: SubMobileResnetGenerator(...).load_state_dict(load_file('student.safetensors'))
 * ```
 */
export function toTorchStateDict(model: MappingTarget, options: ToTorchStateDictOptions = {}): Uint8Array {
  const o = check(model, options);
  const { metadata, ...rest } = o;
  return writeSafetensors(torchTensors(model, rest), metadata);
}
