export {
  kernelEnergy,
  separableKernelEnergy,
  combinedSeparableKernel,
  demodulationCoefficients,
} from './demodulation.js';
export {
  modulatedConv2d,
  modulatedDwConv2d,
  type Demodulation,
  type ModulatedConvOpOptions,
  type ModulatedConv2dOpOptions,
} from './modulated_conv_op.js';
export { upfirdn2d, firUpsample2d, type UpFirDnOptions } from './fir.js';
export { scaledLeakyRelu } from './activation.js';
export { ModulatedConvBase } from './modulated_conv_base.js';
export type {
  ModulatedConvKind,
  ModulatedConvOptions,
  StyledOutputOptions,
  StyleAffine,
  NoiseMode,
  StyledActivation,
  ModulatedSpec,
  SpecKey,
  SpecInput,
} from './modulated_spec.js';
export { ElasticModulatedConv } from './elastic_modulated_conv.js';
export { ModulatedConv2d, type ModulatedConv2dConfig } from './modulated_conv_2d.js';
export { ModulatedDWConv2d, type ModulatedDWConv2dConfig } from './modulated_dw_conv_2d.js';
export { StyledConv, type StyledConvConfig } from './styled_conv.js';
export { ToWavelets, type ToWaveletsConfig } from './to_wavelets.js';
export { FusedModulatedConv2d, type FusedModulatedConv2dConfig } from './fused_modulated_conv_2d.js';
export { ConstantInput, type ConstantInputConfig } from './constant_input.js';
export { SelectStyle, type SelectStyleConfig } from './select_style.js';
export { EqualLinear, type EqualLinearConfig } from './equal_linear.js';
export { PixelNorm, type PixelNormConfig } from './pixel_norm.js';
export { BlurUpsample, type BlurUpsampleConfig } from './blur_upsample.js';
export { setNoise, getNoise, noiseLayers, type NoiseSetting } from './noise.js';
export type { WeightRole, RoleValues } from './modulated_weights.js';
