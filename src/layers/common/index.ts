export { pad2d } from './pad_op.js';
export { instanceNorm, type InstanceNormOptions } from './instance_norm_op.js';
export { convTranspose2d } from './conv_transpose_op.js';
export {
  convTransposeOutputLength,
  type ConvTransposeGeometry,
  type ConvTransposeLayerOptions,
  type ResolvedConvTransposeGeometry,
} from './conv_transpose_geometry.js';
export { ReflectionPad2d, type ReflectionPad2dConfig } from './reflection_pad_2d.js';
export { InstanceNorm, type InstanceNormConfig } from './instance_norm.js';
export { ConvTranspose2d, type ConvTranspose2dConfig } from './conv_transpose_2d.js';
export {
  CONV_TRANSPOSE_LAYER_OPTIONS,
  convTransposeChannelAxes,
  convTransposeCost,
  convTransposeGeometryOf,
  convTransposeOutputShape,
} from './conv_transpose_geometry.js';
export { dilateKernel } from './conv_transpose_op.js';
export { PixelShuffle, type PixelShuffleConfig } from './pixel_shuffle.js';
