export { measureLatency } from './latency.js';
export type { MeasureLatencyOptions, LatencyStats, LatencyResult } from './latency.js';
export * from './macs/index.js';
export { FeatureStats } from './feature_stats.js';
export type { GaussianStats, FeatureStatsJSON } from './feature_stats.js';
export type { FeatureInput } from './features.js';
export { frechetDistance, frechetDistanceTerms, fid } from './frechet.js';
export type { FrechetOptions, FrechetTerms } from './frechet.js';
