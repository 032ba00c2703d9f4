import { registerLayer } from '../core/index.js';
import { SEPARABLE_SPADE_OPTIONS, SpadeBase, type SeparableSpadeConfig } from './spade_base.js';

/**
 * Config of {@link MobileSPADE}.
 *
 * @example
 * ```ts
 * const config: MobileSPADEConfig = { norm: 'none', hidden: 96, separableNorm: 'instance' };
 * const norm = new MobileSPADE(config);
 * ```
 */
export type MobileSPADEConfig = SeparableSpadeConfig;

/**
 * GAN Compression's MobileSPADE: {@link SPADE} whose γ and β branches are depthwise-separable
 * convs — depthwise k×k over the hidden channels (bias), instance norm without affine, pointwise
 * 1×1 to x's channels (bias). Runs only at the width it was built with; {@link ElasticSPADE}
 * slices (and exports to this layer).
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [16, 32, 64] });
 * const seg = tf.input({ shape: [256, 512, 36] });
 * const y = new MobileSPADE({ norm: 'instance', hidden: 128 }).apply([x, seg]);
 * ```
 */
export class MobileSPADE extends SpadeBase {
  /** The name this class is registered and serialized under. */
  static className = 'MobileSPADE';
  /** The options it takes (see {@link MobileSPADEConfig}). */
  static readonly options = SEPARABLE_SPADE_OPTIONS;

  constructor(config: MobileSPADEConfig) {
    super(config, MobileSPADE.options, 'separable', false);
  }
}
registerLayer(MobileSPADE);
