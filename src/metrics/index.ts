export { measureLatency } from './latency.js';
export type { MeasureLatencyOptions, LatencyStats, LatencyResult } from './latency.js';
