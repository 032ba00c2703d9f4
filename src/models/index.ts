export * from './resnet/index.js';
export * from './mobilestylegan/index.js';
export * from './patchgan/index.js';
export * from './upscaler/index.js';
export * from './spade/index.js';
export * from './munit/index.js';
