export { resizeBicubic } from './resize_bicubic.js';
export type { ResizeBicubicOptions } from './resize_bicubic.js';
export { bicubicWeights, cubicKernel } from './bicubic_weights.js';
export { rgbToY, rgbToYCbCr, yCbCrToRgb } from './ycbcr.js';
export type { ColourRangeOptions } from './ycbcr.js';
export { assertImages } from './checks.js';
export { bicubicPixelShuffleKernel } from './bicubic_pixel_shuffle.js';
