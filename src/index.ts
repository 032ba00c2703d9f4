/**
 * gancompress — GAN-compression building blocks for TensorFlow.js.
 *
 * The public API, by module in the order of docs/architecture.md.
 *
 * @packageDocumentation
 */

// tfjs-layers registers every op gradient on import (tfjs-core alone registers none), so a user
// who imported only tfjs-core, a backend and this library can still train.
import '@tensorflow/tfjs-layers';

// util
export {
  BackendError,
  ConfigError,
  describeValue,
  GanCompressError,
  ModelFileError,
  type Padding2d,
  type PadMode,
  type Pads2d,
  Random,
  type RandomState,
  ShapeError,
} from './util/index.js';

// backend
export {
  BACKEND_PACKAGES,
  type BackendName,
  initBackend,
  registerWasmTrainingKernels,
  WASM_TRAINING_KERNELS,
} from './backend/index.js';

// io
export { fileSystem } from './io/index.js';

// image
export {
  type ColourRangeOptions,
  resizeBicubic,
  type ResizeBicubicOptions,
  rgbToY,
  rgbToYCbCr,
  yCbCrToRgb,
} from './image/index.js';

// layers/core
export {
  type ChannelAxes,
  type ChannelAxis,
  type ChannelPermutable,
  type ChannelRole,
  type ConvWeightOptions,
  type CostedLayer,
  type ElasticLayer,
  type ElasticSetting,
  type ElasticSpace,
  hasChannelAxes,
  type HasChannelAxes,
  hasChannelRole,
  type HasChannelRole,
  type Initializer,
  type InitializerSpec,
  isChannelPermutable,
  isCostedLayer,
  isElasticLayer,
  isStaticExportable,
  type Kwargs,
  type LayerArgs,
  type LayerCost,
  type LayerShape,
  type MacConvention,
  type StaticExportable,
  validateElasticSetting,
} from './layers/core/index.js';

// layers/common
export {
  convTranspose2d,
  ConvTranspose2d,
  type ConvTranspose2dConfig,
  type ConvTransposeGeometry,
  type ConvTransposeLayerOptions,
  convTransposeOutputLength,
  instanceNorm,
  InstanceNorm,
  type InstanceNormConfig,
  type InstanceNormOptions,
  pad2d,
  ReflectionPad2d,
  type ReflectionPad2dConfig,
  type ResolvedConvTransposeGeometry,
} from './layers/common/index.js';

// wavelet
export {
  type ChannelLayout,
  fromMobileStyleGanLayout,
  type HaarDecomposition,
  haarDwt,
  HaarDWT,
  haarIdwt,
  HaarIDWT,
  type HaarLayerConfig,
  haarWavedec,
  haarWaverec,
  IDWTUpsample,
  type IDWTUpsampleConfig,
  maxHaarLevels,
  type PyramidResize,
  toMobileStyleGanLayout,
  waveletPyramid,
  type WaveletPyramidLevel,
  type WaveletPyramidOptions,
} from './wavelet/index.js';

// layers/elastic
export {
  ElasticBatchNorm,
  type ElasticBatchNormConfig,
  ElasticConv2dTranspose,
  type ElasticConv2dTransposeConfig,
  ElasticConvBase,
  type ElasticConvGeometryConfig,
  ElasticDepthwiseConv2d,
  type ElasticDepthwiseConv2dConfig,
  ElasticInstanceNorm,
  type ElasticInstanceNormConfig,
  elasticKernel,
  ElasticKernelConvBase,
  ElasticSeparableConv2d,
  type ElasticSeparableConv2dConfig,
  type KernelTransformPair,
  kernelTransformPairs,
  OnceForAllConv,
  type OnceForAllConvConfig,
} from './layers/elastic/index.js';

// layers/modulated
export {
  BlurUpsample,
  type BlurUpsampleConfig,
  combinedSeparableKernel,
  ConstantInput,
  type ConstantInputConfig,
  type Demodulation,
  demodulationCoefficients,
  ElasticModulatedConv,
  EqualLinear,
  type EqualLinearConfig,
  firUpsample2d,
  FusedModulatedConv2d,
  type FusedModulatedConv2dConfig,
  getNoise,
  kernelEnergy,
  modulatedConv2d,
  ModulatedConv2d,
  type ModulatedConv2dConfig,
  type ModulatedConv2dOpOptions,
  ModulatedConvBase,
  type ModulatedConvKind,
  type ModulatedConvOpOptions,
  type ModulatedConvOptions,
  modulatedDwConv2d,
  ModulatedDWConv2d,
  type ModulatedDWConv2dConfig,
  type ModulatedSpec,
  noiseLayers,
  type NoiseMode,
  type NoiseSetting,
  PixelNorm,
  type PixelNormConfig,
  type RoleValues,
  scaledLeakyRelu,
  SelectStyle,
  type SelectStyleConfig,
  separableKernelEnergy,
  setNoise,
  type SpecInput,
  type SpecKey,
  type StyleAffine,
  type StyledActivation,
  StyledConv,
  type StyledConvConfig,
  type StyledOutputOptions,
  ToWavelets,
  type ToWaveletsConfig,
  upfirdn2d,
  type UpFirDnOptions,
  type WeightRole,
} from './layers/modulated/index.js';

// graph
export {
  checkSubnet,
  getElasticLayers,
  getSubnet,
  maxSubnet,
  minSubnet,
  setSubnet,
  type SubnetChoices,
  type SubnetConfig,
  withSubnet,
} from './graph/index.js';

// metrics
export {
  ConfusionMatrix,
  type ConfusionMatrixOptions,
  countMacs,
  type CountMacsOptions,
  countParams,
  type CountParamsOptions,
  type CustomCount,
  type CustomCounter,
  extractFeatureStats,
  type ExtractOptions,
  type FeatureExtractor,
  type FeatureInput,
  FeatureStats,
  type FeatureStatsJSON,
  fid,
  fidFromExtractor,
  frechetDistance,
  frechetDistanceTerms,
  type FrechetOptions,
  type FrechetTerms,
  type GaussianStats,
  type ImageSource,
  type IoUResult,
  kid,
  type KidOptions,
  type KidResult,
  type LatencyResult,
  type LatencyStats,
  type LayerMacs,
  type MacCount,
  meanIoU,
  measureLatency,
  type MeasureLatencyOptions,
  type PredictingModel,
  psnr,
  ssim,
  type SsimOptions,
} from './metrics/index.js';

// nas
export {
  type CalibrationBatch,
  type CalibrationBatches,
  extractSubnet,
  type ExtractSubnetOptions,
  fuseDemodulation,
  type FuseDemodulationOptions,
  recalibrateBatchNorm,
  type RecalibrateOptions,
  type RecalibrateReport,
  sortChannelsByImportance,
  type SortChannelsOptions,
  type SortReport,
} from './nas/index.js';
// nas: search spaces, samplers, searches, cost models
export {
  type AnycostMode,
  AnycostSampler,
  type AnycostSamplerOptions,
  type CostFunction,
  type EvaluateFunction,
  evolutionSearch,
  type EvolutionSearchOptions,
  exhaustiveSearch,
  type ExhaustiveSearchOptions,
  type GenerationInfo,
  macsCost,
  type MacsCostOptions,
  paramsCost,
  randomSearch,
  type RandomSearchOptions,
  type SearchOptions,
  type SearchRecord,
  type SearchResult,
  type SearchTiming,
  subnetEvaluator,
  type SubnetEvaluatorOptions,
  type DimensionTarget,
  type FromConfigStringsOptions,
  type FromModelOptions,
  ProgressiveShrinking,
  type ProgressiveShrinkingOptions,
  type SamplerState,
  SandwichSampler,
  type SandwichSamplerOptions,
  type SearchDimension,
  SearchSpace,
  type SearchSpaceJSON,
  type SettingField,
  type ShrinkingPhase,
  type SubnetSampler,
  UniformSampler,
  type UniformSamplerOptions,
  type WidthChoices,
  type WidthDimensionInfo,
} from './nas/index.js';

// models
export {
  MappingNetwork,
  type MappingNetworkOptions,
  MOBILE_STYLEGAN_CHANNELS,
  MobileResnetGenerator,
  MobileSynthesisNetwork,
  mobileSynthesisStyleCount,
  resnetConfigFromString,
  type ResnetConfigOptions,
  resnetConfigToString,
  ResnetGenerator,
  type ResnetGeneratorOptions,
  STYLEGAN2_CONFIG_F_CHANNELS,
  styleGan2StyleCount,
  StyleGan2SynthesisNetwork,
  type StyleMode,
  SuperMobileResnetGenerator,
  type SynthesisNetworkOptions,
} from './models/index.js';
