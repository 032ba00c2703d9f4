export { SuperResidualUpscaler, type SuperResidualUpscalerOptions } from './super_residual_upscaler.js';
