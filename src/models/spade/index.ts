export { SPADEGenerator } from './spade_generator.js';
export { MobileSPADEGenerator } from './mobile_spade_generator.js';
export { SuperMobileSPADEGenerator } from './super_mobile_spade_generator.js';
export { spadeConfigFromString, spadeConfigToString, type SpadeConfigOptions } from './config_string.js';
export type { SpadeDataset, SpadeGeneratorOptions, SpadeUpsampling } from './options.js';
