import { propertySuite } from './property_harness.js';

propertySuite('common and wavelet layers, Clamp', [
  'ConvTranspose2d',
  'InstanceNorm',
  'ReflectionPad2d',
  'HaarDWT',
  'HaarIDWT',
  'IDWTUpsample',
  'Clamp',
]);
