/**
 * gancompress — GAN-compression building blocks for TensorFlow.js.
 *
 * @packageDocumentation
 */

// tfjs-layers registers every op gradient on import (tfjs-core alone registers none), so a user
// who imported only tfjs-core, a backend and this library can still train.
import '@tensorflow/tfjs-layers';

export * from './errors.js';
export { Random } from './util/random.js';
export * from './backend/index.js';
export * from './io/index.js';
export * from './metrics/index.js';
export * from './wavelet/index.js';
export * from './layers/index.js';
export * from './models/index.js';
export * from './nas/index.js';
