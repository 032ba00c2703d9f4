export * from './upscaler/index.js';
