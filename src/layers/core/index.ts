export {
  hasChannelRole,
  type ChannelAxis,
  type ChannelPermutable,
  type ChannelRole,
  type ChannelAxes,
  type HasChannelAxes,
  type HasChannelRole,
  hasChannelAxes,
  isChannelPermutable,
} from './channel_role.js';
export {
  isElasticLayer,
  validateElasticSetting,
  type ElasticLayer,
  type ElasticSetting,
  type ElasticSpace,
} from './elastic_layer.js';
export { channelPermuterOf, WeightPermuter } from './weight_permuter.js';
export {
  type CostedLayer,
  type LayerCost,
  type LayerShape,
  type MacConvention,
  numElements,
  isCostedLayer,
} from './cost.js';
export { registerLayer, singleInput, singleShape } from './layer_utils.js';
export {
  normalInitializer,
  resolveInitializer,
  reseeded,
  seededInitializer,
  type Initializer,
  type InitializerSpec,
  type SeededInitializer,
  serializeInitializer,
  pytorchLinearInitializer,
} from './initializer.js';
export { baseLayerArgs, LAYER_ARG_KEYS, type LayerArgs, type Kwargs } from './layer_args.js';
export { CONV_WEIGHT_OPTIONS, type ConvWeightOptions } from './conv_weight_options.js';
export {
  limitedPair,
  option,
  SIZE_LIMITS,
  type ConfigValue,
  type InitializerOption,
  type IntListOption,
  type IntOption,
  type NumberOption,
  type Option,
  type ResolvedOptions,
} from './option.js';
export { optionSchema, OptionSchema, type OptionCheck, type OptionsOf, type OptionValues } from './option_schema.js';
export { built, inputChannels } from './layer_checks.js';
export { type StaticExportable, isStaticExportable } from './static_export.js';
export { fillWeights, permuteWeight, prefix, l1PerIndex, expandPermutation } from './weight_ops.js';
export { ActiveWeightCache } from './active_weight_cache.js';
export { allLayers } from './all_layers.js';
