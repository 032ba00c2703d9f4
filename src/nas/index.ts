export { extractSubnet, type ExtractSubnetOptions } from './extract_subnet.js';
export { sortChannelsByImportance, type SortChannelsOptions, type SortReport } from './sort_channels.js';
export {
  recalibrateBatchNorm,
  type CalibrationBatch,
  type CalibrationBatches,
  type RecalibrateOptions,
  type RecalibrateReport,
} from './recalibrate_bn.js';
export { fuseDemodulation, type FuseDemodulationOptions } from './fuse_demodulation.js';
export type { SubnetSampler, SamplerState } from './sampler.js';
export { SearchSpace, type SearchSpaceJSON } from './search_space.js';
export type { SearchDimension, DimensionTarget, SettingField } from './search_dimension.js';
export type { FromModelOptions, WidthChoices, WidthDimensionInfo } from './model_space.js';
export type { FromConfigStringsOptions } from './config_string_space.js';
export { UniformSampler, type UniformSamplerOptions } from './uniform_sampler.js';
export { SandwichSampler, type SandwichSamplerOptions } from './sandwich_sampler.js';
export { AnycostSampler, type AnycostMode, type AnycostSamplerOptions } from './anycost_sampler.js';
export {
  ProgressiveShrinking,
  type ProgressiveShrinkingOptions,
  type ShrinkingPhase,
} from './progressive_shrinking.js';
export type {
  CostFunction,
  EvaluateFunction,
  SearchOptions,
  SearchRecord,
  SearchResult,
  SearchTiming,
} from './search_types.js';
export { evolutionSearch, type EvolutionSearchOptions, type GenerationInfo } from './evolution_search.js';
export { randomSearch, type RandomSearchOptions } from './random_search.js';
export { exhaustiveSearch, type ExhaustiveSearchOptions } from './exhaustive_search.js';
export { macsCost, paramsCost, type MacsCostOptions } from './macs_cost.js';
export { subnetEvaluator, type SubnetEvaluatorOptions } from './subnet_evaluator.js';
export { latencyCost, type LatencyCost, type LatencyCostOptions } from './latency_cost.js';
export type { LatencyCheck, LatencyEntry, LatencyTable, LatencyTableFile } from './latency_table.js';
