export * from './resnet/index.js';
