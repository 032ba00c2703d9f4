import { validateElasticSetting, type ElasticLayer, type ElasticSetting, type ElasticSpace } from '../core/index.js';
import { ModulatedConvBase } from './modulated_conv_base.js';

/**
 * A modulated conv with an elastic output width (Anycost GAN's first-k channels): it owns
 * `filters` output channels and runs the first `outChannels` of them; the input width follows
 * the input. The affine map's outputs, `styleInv` and the kernels' input axes are sliced to the
 * input's width, the kernels' output axes and the bias to the active width.
 *
 * @example
 * ```ts
 * const widths = model.layers.filter((l) => l instanceof ElasticModulatedConv).map((l) => l.getActive());
 * ```
 */
export abstract class ElasticModulatedConv extends ModulatedConvBase implements ElasticLayer {
  elasticSpace(): ElasticSpace {
    return { maxOutChannels: this.spec.filters };
  }

  getActive(): ElasticSetting {
    return { outChannels: this.activeOut };
  }

  setActive(setting: ElasticSetting): void {
    this.activeOut = validateElasticSetting(this.name, this.elasticSpace(), setting, this.getActive())
      .outChannels as number;
    this.cache.clear();
  }
}
