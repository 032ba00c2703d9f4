export { measureLatency } from './latency.js';
export type { MeasureLatencyOptions, LatencyStats, LatencyResult } from './latency.js';
export * from './macs/index.js';
export { FeatureStats } from './feature_stats.js';
export type { GaussianStats, FeatureStatsJSON } from './feature_stats.js';
export type { FeatureInput } from './features.js';
export { frechetDistance, frechetDistanceTerms, fid } from './frechet.js';
export type { FrechetOptions, FrechetTerms } from './frechet.js';
export { kid } from './kid.js';
export type { KidOptions, KidResult } from './kid.js';
export { psnr } from './psnr.js';
export { ssim } from './ssim.js';
export type { SsimOptions } from './ssim.js';
export { ConfusionMatrix, meanIoU } from './confusion_matrix.js';
export type { ConfusionMatrixOptions, IoUResult } from './confusion_matrix.js';
export { extractFeatureStats, fidFromExtractor } from './fid_extractor.js';
export type { FeatureExtractor, PredictingModel, ImageSource, ExtractOptions } from './fid_extractor.js';
export {
  superResolutionScores,
  type SuperResolutionScore,
  type SuperResolutionScoreOptions,
} from './super_resolution.js';
