import * as tfl from '@tensorflow/tfjs-layers';
import { registerLayer } from '../core/index.js';
import { fillWeights } from '../core/index.js';
import type { StaticExportable } from '../core/index.js';
import { validateElasticSetting, type ElasticLayer, type ElasticSetting, type ElasticSpace } from '../core/index.js';
import { MobileSPADE } from './mobile_spade.js';
import { SEPARABLE_SPADE_OPTIONS, SpadeBase, type SeparableSpadeConfig } from './spade_base.js';

/**
 * Config of {@link ElasticSPADE}.
 *
 * @example
 * ```ts
 * const config: ElasticSPADEConfig = { name: 'head_0_norm_0', norm: 'none', hidden: 128 };
 * const norm = new ElasticSPADE(config);
 * ```
 */
export type ElasticSPADEConfig = SeparableSpadeConfig;

/**
 * GAN Compression's SuperMobileSPADE: a {@link MobileSPADE} holding full-width weights that runs
 * the channels x has (γ and β output the first C filters) and the first `outChannels` hidden
 * channels of the shared embedding, its elastic setting — `{ outChannels }` is the **hidden**
 * width here (GAN Compression's `config['hidden']`); the layer's output width always follows x.
 * `extractSubnet` exports it as a {@link MobileSPADE} with the sliced weights.
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [16, 32, 1024] });
 * const seg = tf.input({ shape: [256, 512, 36] });
 * const norm = new ElasticSPADE({ name: 'head_0_norm_0', norm: 'none', hidden: 128 });
 * const y = norm.apply([x, seg]);
 * norm.setActive({ outChannels: 64 }); // hidden width 64 (2·c of the config string)
 * ```
 */
export class ElasticSPADE extends SpadeBase implements ElasticLayer, StaticExportable {
  /** The name this class is registered and serialized under. */
  static className = 'ElasticSPADE';
  /** The options it takes (see {@link ElasticSPADEConfig}). */
  static readonly options = SEPARABLE_SPADE_OPTIONS;

  constructor(config: ElasticSPADEConfig) {
    super(config, ElasticSPADE.options, 'separable', true);
  }

  /** The hidden width is elastic up to `hidden`. */
  elasticSpace(): ElasticSpace {
    return { maxOutChannels: this.hidden };
  }

  getActive(): ElasticSetting {
    return { outChannels: this.activeHidden };
  }

  setActive(setting: ElasticSetting): void {
    const next = validateElasticSetting(this.name, this.elasticSpace(), setting, this.getActive());
    this.activeHidden = next.outChannels ?? this.activeHidden;
  }

  /** A {@link MobileSPADE} (named like this layer) at x's width and the active hidden width. */
  exportStatic(inputs: tfl.SymbolicTensor[]): tfl.SymbolicTensor {
    const [x, seg] = inputs as [tfl.SymbolicTensor, tfl.SymbolicTensor];
    const c = this.checkX(x.shape);
    this.checkSegmap(seg.shape, null);
    const copy = new MobileSPADE({
      name: this.name,
      norm: this.norm,
      hidden: this.activeHidden,
      kernelSize: this.kernelSize,
      epsilon: this.epsilon,
      separableNorm: this.separableNorm,
    });
    const y = copy.apply([x, seg]) as tfl.SymbolicTensor;
    fillWeights(copy, () => this.activeWeightList(c));
    return y;
  }
}
registerLayer(ElasticSPADE);
