export { countMacs } from './count_macs.js';
export { countParams } from './count_params.js';
export type { CountMacsOptions, CountParamsOptions, CustomCount, CustomCounter, LayerMacs, MacCount } from './types.js';
