import * as tfl from '@tensorflow/tfjs-layers';
import { ConvTranspose2d, InstanceNorm } from '../../layers/common/index.js';
import type { Initializer } from '../../layers/core/index.js';
import type { ResnetConvFactory } from './trunk.js';

type ST = tfl.SymbolicTensor;

/** A bias-carrying, unpadded built-in conv. */
function conv(
  name: string,
  filters: number,
  kernelSize: number,
  strides: number,
  kernelInitializer: Initializer,
): tfl.layers.Layer {
  return tfl.layers.conv2d({
    name,
    filters,
    kernelSize,
    strides,
    padding: 'valid',
    kernelInitializer,
    biasInitializer: 'zeros',
  });
}

function convTranspose(name: string, filters: number, kernelInitializer: Initializer): tfl.layers.Layer {
  return new ConvTranspose2d({
    name,
    filters,
    kernelSize: 3,
    strides: 2,
    padding: 1,
    outputPadding: 1,
    kernelInitializer,
  });
}

/** The teacher's static layers: every block conv a full 3×3 conv. */
export const TEACHER_CONVS: ResnetConvFactory = {
  conv,
  convTranspose,
  blockConv: (name, x, filters, init) => conv(name, filters, 3, 1, init()).apply(x) as ST,
};

/**
 * The mobile generator's static layers: every block conv GAN Compression's SeparableConv2d —
 * depthwise 3×3 (`{name}_dw`, bias), instance norm (`{name}_norm`), pointwise 1×1 (`{name}`, bias).
 */
export const MOBILE_CONVS: ResnetConvFactory = {
  conv,
  convTranspose,
  blockConv: (name, x, filters, init) => {
    const dw = tfl.layers
      .depthwiseConv2d({
        name: `${name}_dw`,
        kernelSize: 3,
        padding: 'valid',
        depthwiseInitializer: init(),
        biasInitializer: 'zeros',
      })
      .apply(x) as ST;
    const normed = new InstanceNorm({ name: `${name}_norm` }).apply(dw) as ST;
    return conv(name, filters, 1, 1, init()).apply(normed) as ST;
  },
};
