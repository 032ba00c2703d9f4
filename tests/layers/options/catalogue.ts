import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConvTranspose2d, InstanceNorm, PixelShuffle, ReflectionPad2d } from '../../../src/layers/common/index.js';
import {
  AdaptiveInstanceNorm,
  ElasticAdaptiveInstanceNorm,
  ElasticMUNITLayerNorm,
  ElasticSPADE,
  MobileSPADE,
  MUNITLayerNorm,
  ResizeNearest,
  SPADE,
} from '../../../src/layers/conditional/index.js';
import {
  ElasticBatchNorm,
  ElasticConv2dTranspose,
  ElasticDepthwiseConv2d,
  ElasticInstanceNorm,
  ElasticSeparableConv2d,
  OnceForAllConv,
} from '../../../src/layers/elastic/index.js';
import {
  BlurUpsample,
  ConstantInput,
  EqualLinear,
  FusedModulatedConv2d,
  ModulatedConv2d,
  ModulatedDWConv2d,
  PixelNorm,
  SelectStyle,
  StyledConv,
  ToWavelets,
} from '../../../src/layers/modulated/index.js';
import { Clamp, GlobalAveragePool2d } from '../../../src/models/index.js';
import { HaarDWT, HaarIDWT, IDWTUpsample } from '../../../src/wavelet/index.js';

/** A layer class of this library as the option tests use it. */
export type LayerClass = tf.serialization.SerializableConstructor<tfl.layers.Layer> & {
  new (config?: never): tfl.layers.Layer;
  className: string;
  options: { keys: string[] };
};

/** One layer class with a small valid config and the input shapes (batch first) it runs on. */
export interface CatalogueEntry {
  cls: LayerClass;
  config: Record<string, unknown>;
  inputs: number[][];
  /** The inputs for another (valid) config, when they depend on it (the style length). */
  inputsFor?: (config: Record<string, unknown>) => number[][];
}

const as = (cls: unknown): LayerClass => cls as LayerClass;
const image = [2, 4, 4, 8];
const styled = [
  [2, 4, 4, 8],
  [2, 3],
];
const styleOf = (config: Record<string, unknown>): number[][] => [
  [2, 4, 4, 8],
  [2, config['styleDim'] as number],
];

/** Every `tf.layers.Layer` subclass of src/ (NoiseLayer-free), with the smallest configs they take. */
export const CATALOGUE: CatalogueEntry[] = [
  { cls: as(ConvTranspose2d), config: { filters: 3, kernelSize: 3 }, inputs: [image] },
  { cls: as(InstanceNorm), config: {}, inputs: [image] },
  { cls: as(ReflectionPad2d), config: { padding: 1 }, inputs: [image] },
  { cls: as(OnceForAllConv), config: { filters: 3, kernelSize: 3 }, inputs: [image] },
  { cls: as(ElasticDepthwiseConv2d), config: { kernelSize: 3 }, inputs: [image] },
  { cls: as(ElasticSeparableConv2d), config: { filters: 3, kernelSize: 3 }, inputs: [image] },
  { cls: as(ElasticConv2dTranspose), config: { filters: 3, kernelSize: 3 }, inputs: [image] },
  { cls: as(ElasticBatchNorm), config: {}, inputs: [image] },
  { cls: as(ElasticInstanceNorm), config: {}, inputs: [image] },
  { cls: as(ModulatedConv2d), config: { filters: 3, styleDim: 3 }, inputs: styled, inputsFor: styleOf },
  { cls: as(ModulatedDWConv2d), config: { filters: 3, styleDim: 3 }, inputs: styled, inputsFor: styleOf },
  { cls: as(StyledConv), config: { filters: 3, styleDim: 3 }, inputs: styled, inputsFor: styleOf },
  { cls: as(ToWavelets), config: { styleDim: 3 }, inputs: styled, inputsFor: styleOf },
  { cls: as(FusedModulatedConv2d), config: { filters: 3, styleDim: 3 }, inputs: styled, inputsFor: styleOf },
  { cls: as(ConstantInput), config: { channels: 3 }, inputs: [[2, 5]] },
  { cls: as(SelectStyle), config: { index: 1 }, inputs: [[2, 3, 5]] },
  { cls: as(EqualLinear), config: { units: 3 }, inputs: [[2, 5]] },
  { cls: as(PixelNorm), config: {}, inputs: [[2, 5]] },
  { cls: as(BlurUpsample), config: {}, inputs: [image] },
  { cls: as(HaarDWT), config: {}, inputs: [image] },
  { cls: as(HaarIDWT), config: {}, inputs: [image] },
  {
    cls: as(IDWTUpsample),
    config: {},
    inputs: [image],
    inputsFor: (config) => (config['styleDim'] == null ? [image] : styleOf(config)),
  },
  { cls: as(Clamp), config: { min: -1, max: 1 }, inputs: [image] },
  { cls: as(PixelShuffle), config: { scale: 2 }, inputs: [image] },
  { cls: as(SPADE), config: { norm: 'none', hidden: 4 }, inputs: [image, [2, 2, 2, 3]] },
  { cls: as(MobileSPADE), config: { norm: 'instance', hidden: 4 }, inputs: [image, [2, 2, 2, 3]] },
  { cls: as(ElasticSPADE), config: { norm: 'instance', hidden: 4 }, inputs: [image, [2, 2, 2, 3]] },
  { cls: as(MUNITLayerNorm), config: {}, inputs: [image] },
  { cls: as(ElasticMUNITLayerNorm), config: {}, inputs: [image] },
  { cls: as(AdaptiveInstanceNorm), config: {}, inputs: [image, [2, 6]] },
  { cls: as(ElasticAdaptiveInstanceNorm), config: {}, inputs: [image, [2, 6]] },
  { cls: as(ResizeNearest), config: { size: [3, 5] }, inputs: [image] },
  { cls: as(GlobalAveragePool2d), config: {}, inputs: [image] },
];
