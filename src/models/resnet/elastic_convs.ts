import * as tfl from '@tensorflow/tfjs-layers';
import { ElasticConv2dTranspose, ElasticSeparableConv2d, OnceForAllConv } from '../../layers/elastic/index.js';
import type { ResnetConvFactory } from './trunk.js';

/**
 * GAN Compression's super modules: SuperConv2d (stem, downsampling, head), SuperConvTranspose2d
 * (upsampling) and SuperSeparableConv2d (residual blocks), with the mobile generator's names,
 * so that an extracted sub-network is laid out exactly like {@link MobileResnetGenerator}.
 */
export const ELASTIC_CONVS: ResnetConvFactory = {
  conv: (name, filters, kernelSize, strides, kernelInitializer) =>
    new OnceForAllConv({
      name,
      filters,
      kernelSize,
      strides,
      padding: 'valid',
      kernelInitializer,
      biasInitializer: 'zeros',
    }),
  convTranspose: (name, filters, kernelInitializer) =>
    new ElasticConv2dTranspose({
      name,
      filters,
      kernelSize: 3,
      strides: 2,
      padding: 1,
      outputPadding: 1,
      kernelInitializer,
      biasInitializer: 'zeros',
    }),
  blockConv: (name, x, filters, init) =>
    new ElasticSeparableConv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'valid',
      depthwiseInitializer: init(),
      pointwiseInitializer: init(),
      biasInitializer: 'zeros',
    }).apply(x) as tfl.SymbolicTensor,
};
