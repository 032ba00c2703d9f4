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
