export * from './resnet/index.js';
export * from './mobilestylegan/index.js';
export * from './patchgan/index.js';
export * from './upscaler/index.js';
