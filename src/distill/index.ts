export {
  reconstructionLoss,
  RECONSTRUCTION_TYPES,
  type ReconstructionOptions,
  type ReconstructionType,
} from './reconstruction_loss.js';
export {
  featureDistillationLoss,
  type FeatureDistanceType,
  type FeatureDistillationOptions,
} from './feature_distillation_loss.js';
export { ganLoss, GAN_LOSS_TYPES, type GanLoss, type GanLossType } from './gan_loss.js';
export { r1Penalty, type Discriminator, type R1Options } from './r1_penalty.js';
export { perceptualLoss, type PerceptualLoss, type PerceptualNorm, type PerceptualOptions } from './perceptual_loss.js';
export { waveletLoss, type WaveletLossOptions } from './wavelet_loss.js';
export { kernelAlignmentLoss } from './kernel_alignment_loss.js';
export { FeatureMapper, type FeatureMapperConfig, type FeatureMapperOptions } from './feature_mapper.js';
export {
  applyDiffAugment,
  DIFF_AUGMENT_OPS,
  diffAugment,
  type DiffAugmentDraw,
  type DiffAugmentOp,
  type DiffAugmentOptions,
  drawDiffAugment,
} from './diff_augment.js';
export { tapLayers } from './tap_layers.js';
export { type BatchLike, type DataSource, type DatasetLike, type DistillBatch, type TeacherOutputs } from './batch.js';
export { cacheTeacher, type CacheProgress, type CacheTeacherOptions, TeacherCache } from './teacher_cache.js';
export { Distiller } from './distiller.js';
export type { DistillerLosses, DistillerOptions, DistillType, ResolvedLosses } from './distiller_options.js';
export type { StepRecord } from './distiller_step.js';
export type { FitCallbacks, FitLog, FitOptions, FitResult, RecordNumber } from './distiller_fit.js';
export type { CheckpointInfo, RestoreOptions } from './distiller_checkpoint.js';
