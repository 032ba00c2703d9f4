export { BackendError, ShapeError, ConfigError, GanCompressError, describeValue, ModelFileError } from './errors.js';
export {
  assertOneOf,
  assertInt,
  assertRank,
  assertFinite,
  assertBoolean,
  assertNonEmptyArray,
  assertIntList,
  assertKnownKeys,
  closestName,
  editDistance,
  finiteRangeText,
  intListText,
  intRangeText,
  type FiniteRange,
  type IntListRange,
} from './checks.js';
export { importOptional, isNode, isResolvable, packageMainDir } from './node_modules.js';
export {
  effectiveKernel,
  intPair,
  type Pads2d,
  type Padding2d,
  type PadMode,
  explicitPads,
  checkPadding,
  convOutputLength,
  samePads,
} from './conv_geometry.js';
export { Random, type RandomState } from './random.js';
export * from './wasm_module.js';
