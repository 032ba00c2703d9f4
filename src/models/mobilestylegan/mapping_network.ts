import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';
import { EqualLinear } from '../../layers/modulated/index.js';
import { PixelNorm } from '../../layers/modulated/index.js';
import { assertFinite, assertInt } from '../../util/index.js';

/** Options of {@link MappingNetwork}. */
export interface MappingNetworkOptions {
  /** Length of z and w. Default 512. */
  styleDim?: number;
  /** Number of EqualLinear layers. Default 8. */
  numLayers?: number;
  /** Learning-rate multiplier of every layer. Default 0.01. */
  lrMul?: number;
  /** Seed of the initialisation. Default 0. */
  seed?: number;
  /** Model name. Default `'mapping_network'`. */
  name?: string;
}

const KNOWN = ['styleDim', 'numLayers', 'lrMul', 'seed', 'name'];

/**
 * StyleGAN2's mapping network z → w (MobileStyleGAN reuses the teacher's, frozen): `PixelNorm`,
 * then `numLayers` `EqualLinear(styleDim → styleDim, lrMul 0.01)` each followed by
 * `leakyRelu(·, 0.2)·√2`. With the defaults it has 8·(512·512 + 512) = 2,101,248 parameters.
 * Layer names: `pixel_norm`, `mapping<i>`.
 *
 * @example
 * ```ts
 * const mapping = MappingNetwork();
 * const w = mapping.predict(tf.randomNormal([4, 512])) as tf.Tensor; // [4, 512]
 * ```
 */
export function MappingNetwork(options: MappingNetworkOptions = {}): tfl.LayersModel {
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, `an object with some of ${KNOWN.join(', ')}`);
  for (const key of Object.keys(options))
    if (!KNOWN.includes(key))
      throw new ConfigError(
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        `no such option (known: ${KNOWN.join(', ')})`,
      );
  const styleDim = options.styleDim ?? 512;
  const numLayers = options.numLayers ?? 8;
  const lrMul = options.lrMul ?? 0.01;
  const seed = options.seed ?? 0;
  const name = options.name ?? 'mapping_network';
  assertInt('options.styleDim', styleDim, 1);
  assertInt('options.numLayers', numLayers, 1);
  assertFinite('options.lrMul', lrMul, { positive: true });
  assertInt('options.seed', seed);
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('options.name', name, 'a non-empty string');
  const z = tfl.input({ shape: [styleDim], name: `${name}_z` });
  let x = new PixelNorm({ name: 'pixel_norm' }).apply(z) as tfl.SymbolicTensor;
  for (let i = 0; i < numLayers; i++) {
    x = new EqualLinear({
      name: `mapping${i}`,
      units: styleDim,
      lrMul,
      activation: 'lrelu',
      seed: seed * 1009 + i,
    }).apply(x) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: z, outputs: x, name });
}
