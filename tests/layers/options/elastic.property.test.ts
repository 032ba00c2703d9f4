import { propertySuite } from './property_harness.js';

propertySuite('elastic layers', [
  'OnceForAllConv',
  'ElasticDepthwiseConv2d',
  'ElasticSeparableConv2d',
  'ElasticConv2dTranspose',
  'ElasticBatchNorm',
  'ElasticInstanceNorm',
]);
