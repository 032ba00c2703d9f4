import { registerLayer } from '../core/index.js';
import { SPADE_OPTIONS, SpadeBase, type SpadeConfig } from './spade_base.js';

/**
 * Config of {@link SPADE}.
 *
 * @example
 * ```ts
 * const config: SPADEConfig = { norm: 'none', hidden: 128, kernelSize: 3 }; // GauGAN's spadesyncbatch3x3
 * const norm = new SPADE(config);
 * ```
 */
export type SPADEConfig = SpadeConfig;

/**
 * GauGAN's SPADE layer (Park et al. 2019) on inputs `[x, segmap]`: the map is resized to x by
 * nearest neighbour, embedded by a shared k×k conv + ReLU (`mlp_shared`, `hidden` channels), and
 * two k×k convs give γ and β: `x̂ · (1 + γ) + β` (see {@link spade}). `x̂` is x itself with
 * `norm: 'none'` (put GauGAN's parameter-free batch norm before it) or x instance-normalised.
 * Runs only at the width it was built with; {@link ElasticSPADE} slices.
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [16, 32, 64] });
 * const seg = tf.input({ shape: [256, 512, 36] });
 * const bn = tf.layers.batchNormalization({ center: false, scale: false, epsilon: 1e-5 });
 * const y = new SPADE({ norm: 'none', hidden: 128 }).apply([bn.apply(x) as tf.SymbolicTensor, seg]);
 * ```
 */
export class SPADE extends SpadeBase {
  /** The name this class is registered and serialized under. */
  static className = 'SPADE';
  /** The options it takes (see {@link SPADEConfig}). */
  static readonly options = SPADE_OPTIONS;

  constructor(config: SPADEConfig) {
    super(config, SPADE.options, 'conv', false);
  }
}
registerLayer(SPADE);
