export {
  readTorchCheckpoint,
  parseTorchCheckpoint,
  checkpointFormat,
  type CheckpointFormat,
  type ReadCheckpointOptions,
} from './read_checkpoint.js';
export type { TorchDType, TorchTensor, TorchStateDict } from './torch_tensor.js';
export type { TypedArray } from './permute.js';
export { writeSafetensors } from './safetensors.js';
export { tensorFromTorch } from './tensor_from_torch.js';
export {
  WeightMappingError,
  bindWeight,
  findLayer,
  type TorchMapping,
  type TorchBinding,
  type WeightBinding,
  type ConstantBinding,
  type NoiseBinding,
  type MappingTarget,
} from './mapping.js';
export {
  CONV_LAYOUT,
  CONV_TRANSPOSE_LAYOUT,
  DEPTHWISE_LAYOUT,
  LINEAR_LAYOUT,
  NCHW_LAYOUT,
  SAME_LAYOUT,
  reshapeLayout,
  type TorchLayout,
} from './torch_layout.js';
export { ganCompressionResnetMapping, ganCompressionAdaptorMapping } from './mappings/gan_compression.js';
export { mobileStyleGanSynthesisMapping, styleGanMappingNetworkMapping } from './mappings/mobilestylegan.js';
export { BUILTIN_TORCH_MAPPINGS } from './mappings/builtin.js';
export { loadTorchWeights, type LoadTorchWeightsOptions, type LoadTorchWeightsReport } from './load_weights.js';
export { toTorchStateDict, torchTensors, type ToTorchStateDictOptions } from './state_dict.js';
export { exportOnnx, type ExportOnnxOptions } from './onnx/export_onnx.js';
