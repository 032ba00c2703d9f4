export { nearestIndices, resizeNearest } from './resize_nearest_op.js';
export {
  spade,
  type SpadeConvBranch,
  type SpadeOptions,
  type SpadeSeparableBranch,
  type SpadeWeights,
} from './spade_op.js';
export { munitLayerNorm, type MunitLayerNormOptions } from './munit_layer_norm_op.js';
export { adaptiveInstanceNorm, type AdaINStyle } from './adain_op.js';
export { ResizeNearest, type ResizeNearestConfig } from './resize_nearest.js';
export {
  SpadeBase,
  SPADE_OPTIONS,
  SEPARABLE_SPADE_OPTIONS,
  type SpadeConfig,
  type SeparableSpadeConfig,
} from './spade_base.js';
export { SPADE, type SPADEConfig } from './spade.js';
export { MobileSPADE, type MobileSPADEConfig } from './mobile_spade.js';
export { ElasticSPADE, type ElasticSPADEConfig } from './elastic_spade.js';
export { spadeResnetBlock, type SpadeBlockKind, type SpadeResnetBlockOptions } from './spade_resnet_block.js';
export { MUNITLayerNorm, ElasticMUNITLayerNorm, type MUNITLayerNormConfig } from './munit_layer_norm.js';
export {
  AdaptiveInstanceNorm,
  ElasticAdaptiveInstanceNorm,
  type AdaptiveInstanceNormConfig,
} from './adaptive_instance_norm.js';
