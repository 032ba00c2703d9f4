import { ConfigError } from '../../util/index.js';
import type { MappingTarget, TorchMapping } from '../mapping.js';
import { ganCompressionResnetMapping } from './gan_compression.js';
import { mobileStyleGanSynthesisMapping, styleGanMappingNetworkMapping } from './mobilestylegan.js';

/**
 * The mappings {@link loadTorchWeights} and {@link toTorchStateDict} try, in order, when no
 * `mapping` is given (the first whose `matches` accepts the model is used). The extension point
 * for further reference architectures: GauGAN's SPADE generators and MUNIT's, once the library
 * builds them, add their mapping here. (GAN Compression's adaptors are not listed: a 1×1 conv is
 * too generic to recognise; pass `ganCompressionAdaptorMapping` explicitly.)
 *
 * @example
 * ```ts
 * BUILTIN_TORCH_MAPPINGS.map((m) => m.name); // ['gan-compression-resnet', 'mobilestylegan-synthesis', 'stylegan2-mapping-network']
 * ```
 */
export const BUILTIN_TORCH_MAPPINGS: readonly TorchMapping[] = [
  ganCompressionResnetMapping,
  mobileStyleGanSynthesisMapping,
  styleGanMappingNetworkMapping,
];

/** `mapping` when given (checked), else the first built-in mapping that matches `target`. */
export function resolveMapping(target: MappingTarget, mapping: unknown): TorchMapping {
  if (mapping != null) {
    const m = mapping as Partial<TorchMapping>;
    if (typeof m !== 'object' || typeof m.bind !== 'function' || typeof m.name !== 'string')
      throw new ConfigError('options.mapping', mapping, 'a TorchMapping { name, matches, bind }');
    return m as TorchMapping;
  }
  const found = BUILTIN_TORCH_MAPPINGS.find((m) => m.matches(target));
  if (found == null)
    throw new ConfigError(
      'options.mapping',
      undefined,
      `a mapping: no built-in mapping recognises '${target.name}' (built-in: ${BUILTIN_TORCH_MAPPINGS.map((m) => m.name).join(', ')}; adaptors need ganCompressionAdaptorMapping)`,
    );
  return found;
}
