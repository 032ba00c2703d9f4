export {
  isElasticLayer,
  validateElasticSetting,
  type ElasticLayer,
  type ElasticSetting,
  type ElasticSpace,
} from './elastic_layer.js';
export {
  hasChannelAxes,
  hasChannelRole,
  isChannelPermutable,
  type ChannelAxes,
  type ChannelAxis,
  type ChannelPermutable,
  type ChannelRole,
  type HasChannelAxes,
  type HasChannelRole,
} from './channel_permutable.js';
export { isStaticExportable, type StaticExportable } from './static_export.js';
export { elasticKernel, kernelTransformPairs, type KernelTransformPair } from './kernel_transform.js';
export type { ElasticConvGeometryConfig } from './elastic_geometry.js';
export { ElasticConvBase } from './elastic_conv_base.js';
export { ElasticKernelConvBase } from './elastic_kernel_conv_base.js';
export { OnceForAllConv, type OnceForAllConvConfig } from './once_for_all_conv.js';
export { ElasticDepthwiseConv2d, type ElasticDepthwiseConv2dConfig } from './elastic_depthwise_conv_2d.js';
export { ElasticSeparableConv2d, type ElasticSeparableConv2dConfig } from './elastic_separable_conv_2d.js';
export { ElasticConv2dTranspose, type ElasticConv2dTransposeConfig } from './elastic_conv_2d_transpose.js';
export { ElasticBatchNorm, type ElasticBatchNormConfig } from './elastic_batch_norm.js';
export { ElasticInstanceNorm, type ElasticInstanceNormConfig } from './elastic_instance_norm.js';
