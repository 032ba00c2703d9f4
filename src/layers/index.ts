export { isCostedLayer } from './cost.js';
export type { CostedLayer, LayerCost, LayerShape, MacConvention } from './cost.js';
export * from './common/index.js';
export * from './elastic/index.js';
export * from './modulated/index.js';
