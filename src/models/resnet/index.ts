export { ResnetGenerator } from './resnet_generator.js';
export { MobileResnetGenerator } from './mobile_resnet_generator.js';
export type { ResnetGeneratorOptions } from './options.js';
