import { propertySuite } from './property_harness.js';

propertySuite('conditional layers (SPADE, AdaIN, LayerNorm), PixelShuffle, pooling and resizing', [
  'PixelShuffle',
  'SPADE',
  'MobileSPADE',
  'ElasticSPADE',
  'MUNITLayerNorm',
  'ElasticMUNITLayerNorm',
  'AdaptiveInstanceNorm',
  'ElasticAdaptiveInstanceNorm',
  'ResizeNearest',
  'GlobalAveragePool2d',
]);
