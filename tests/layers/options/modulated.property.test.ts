import { propertySuite } from './property_harness.js';

propertySuite('modulated layers', [
  'ModulatedConv2d',
  'ModulatedDWConv2d',
  'StyledConv',
  'ToWavelets',
  'FusedModulatedConv2d',
  'ConstantInput',
  'SelectStyle',
  'EqualLinear',
  'PixelNorm',
  'BlurUpsample',
]);
