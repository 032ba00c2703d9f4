export { superResolutionPair, centreCrop, type SrPair } from './sr_pair.js';
export { SrCropSampler, type LabelledImage, type SrCropSamplerOptions } from './crop_sampler.js';
export { upscale, rescale, checkUpscalerModel, type UpscalerModel } from './upscaler_model.js';
export { labelImages, type LabelImagesOptions } from './label_images.js';
export {
  trainUpscaler,
  type TrainUpscalerOptions,
  type TrainUpscalerResult,
  type UpscalerLossWeights,
} from './train_upscaler.js';
export { evaluateUpscaler, type UpscalerScores } from './evaluate_upscaler.js';
export { searchUpscaler, type SearchUpscalerOptions } from './search_upscaler.js';
export { upscalerModelDefinition, type UpscalerDefinitionOptions } from './upscaler_definition.js';
