export { measureLatency } from './latency.js';
export type { MeasureLatencyOptions, LatencyStats, LatencyResult } from './latency.js';
export * from './macs/index.js';
