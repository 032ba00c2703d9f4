export { AdaINGenerator } from './adain_generator.js';
export { SuperMobileAdaINGenerator } from './super_mobile_adain_generator.js';
export { munitConfigFromString, munitConfigToString, type MunitConfigOptions } from './config_string.js';
export { GlobalAveragePool2d } from './global_average_pool.js';
export type { AdaINGeneratorOptions } from './options.js';
