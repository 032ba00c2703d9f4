export { ResnetGenerator } from './resnet_generator.js';
export { MobileResnetGenerator } from './mobile_resnet_generator.js';
export { SuperMobileResnetGenerator } from './super_mobile_resnet_generator.js';
export { resnetConfigFromString, resnetConfigToString, type ResnetConfigOptions } from './config_string.js';
export type { ResnetGeneratorOptions } from './options.js';
export { Clamp, type ClampConfig } from './clamp.js';
