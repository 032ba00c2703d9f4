import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../util/index.js';
import { assertInt, assertOneOf } from '../util/index.js';
import { convTransposeChannelAxes } from '../layers/common/index.js';
import { hasChannelRole, type ChannelAxis, type ChannelPermutable, type ChannelRole } from '../layers/core/index.js';
import { isElasticLayer } from '../layers/core/index.js';
import { channelPermuterOf, WeightPermuter } from '../layers/core/index.js';

/**
 * How a layer call treats channels, as the channel graph sees it. `fixedInputWidth`: the layer's
 * channel input (a barrier's inputs) must keep the width it was applied to.
 */
export type ChannelBehaviour =
  | { kind: 'produce'; channelInput: number; fixedInputWidth: boolean; permutable: ChannelPermutable | null }
  | {
      kind: 'follow';
      channelInput: number;
      multiplier: number;
      divisor: number;
      fixedInputWidth: boolean;
      permutable: ChannelPermutable | null;
    }
  | { kind: 'merge' }
  | { kind: 'barrier'; reason: string; fixedInputWidth: boolean };

/** Built-in tfjs layers that act on each channel alone and have no per-channel parameters. */
const PASS_THROUGH = new Set([
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'Softmax',
  'ThresholdedReLU',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ZeroPadding2D',
  'Cropping2D',
  'UpSampling2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
]);

/** Element-wise merges: every input and the output share channels. */
const MERGES = new Set(['Add', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum']);

function config(layer: tfl.layers.Layer): Record<string, unknown> {
  return layer.getConfig();
}

/** The behaviour a channel role describes (checked: the role comes from the layer). */
function fromRole(layer: tfl.layers.Layer, role: ChannelRole, permutable: ChannelPermutable | null): ChannelBehaviour {
  const n = (key: string): string => `layer '${layer.name}' channelRole().${key}`;
  assertOneOf(n('kind'), role.kind, ['produce', 'follow', 'barrier'] as const);
  const channelInput = role.channelInput ?? 0;
  assertInt(n('channelInput'), channelInput, 0);
  const fixedInputWidth = role.fixedInputWidth ?? false;
  if (typeof fixedInputWidth !== 'boolean')
    throw new ConfigError(n('fixedInputWidth'), fixedInputWidth, 'true or false');
  if (role.kind === 'barrier')
    return {
      kind: 'barrier',
      reason: `layer '${layer.name}' (${layer.getClassName()}): ${role.reason ?? 'its channels relate to its input in no way the graph can use'}`,
      fixedInputWidth,
    };
  if (role.kind === 'produce') return { kind: 'produce', channelInput, fixedInputWidth, permutable };
  const multiplier = role.multiplier ?? 1;
  const divisor = role.divisor ?? 1;
  assertInt(n('multiplier'), multiplier, 1);
  assertInt(n('divisor'), divisor, 1);
  return { kind: 'follow', channelInput, multiplier, divisor, fixedInputWidth, permutable };
}

/** A built-in layer: permuted through its weights, which also fix its input width (it does not slice them). */
function builtIn(
  layer: tfl.layers.Layer,
  role: ChannelRole,
  inputs: ChannelAxis[],
  outputs: ChannelAxis[],
): ChannelBehaviour {
  const permuter = new WeightPermuter(layer, role, inputs, outputs);
  return fromRole(layer, { ...role, fixedInputWidth: permuter.hasInputWeights() }, permuter);
}

/**
 * The channel behaviour of a layer: this library's protocols first (`channelRole()`, with the
 * layer's own permutation hooks or its weight-axis table — every layer of the library describes
 * itself, and layers written later need no entry here), then the built-in tfjs layers, known by
 * class name since they cannot implement the protocols, then "barrier" (its channels are left
 * alone).
 */
export function channelBehaviour(layer: tfl.layers.Layer): ChannelBehaviour {
  if (hasChannelRole(layer)) {
    const role = layer.channelRole();
    return fromRole(layer, role, channelPermuterOf(layer, role));
  }
  if (isElasticLayer(layer) && layer.elasticSpace().maxOutChannels != null)
    return { kind: 'produce', channelInput: 0, fixedInputWidth: false, permutable: null };
  const cls = layer.getClassName();
  if (PASS_THROUGH.has(cls))
    return { kind: 'follow', channelInput: 0, multiplier: 1, divisor: 1, fixedInputWidth: false, permutable: null };
  if (MERGES.has(cls)) return { kind: 'merge' };
  const c = config(layer);
  const channelsLast = c['dataFormat'] == null || c['dataFormat'] === 'channelsLast';
  const produce = (inputs: ChannelAxis[], outputs: ChannelAxis[]): ChannelBehaviour =>
    builtIn(layer, { kind: 'produce' }, inputs, outputs);
  const bias: ChannelAxis = { weight: 'bias', axis: 0 };
  switch (cls) {
    case 'Conv2D':
      if (channelsLast) return produce([{ weight: 'kernel', axis: 2 }], [{ weight: 'kernel', axis: 3 }, bias]);
      break;
    case 'Conv2DTranspose': {
      const axes = convTransposeChannelAxes();
      if (channelsLast) return produce(axes.inputs, axes.outputs);
      break;
    }
    case 'Dense':
      return produce([{ weight: 'kernel', axis: 0 }], [{ weight: 'kernel', axis: 1 }, bias]);
    case 'SeparableConv2D': {
      const m = Number(c['depthMultiplier'] ?? 1);
      if (channelsLast)
        return produce(
          [
            { weight: 'depthwise_kernel', axis: 2 },
            { weight: 'pointwise_kernel', axis: 2, block: m },
          ],
          [{ weight: 'pointwise_kernel', axis: 3 }, bias],
        );
      break;
    }
    case 'DepthwiseConv2D': {
      const m = Number(c['depthMultiplier'] ?? 1);
      if (channelsLast)
        return builtIn(
          layer,
          { kind: 'follow', multiplier: m },
          [
            { weight: 'depthwise_kernel', axis: 2 },
            { weight: 'bias', axis: 0, block: m },
          ],
          [],
        );
      break;
    }
    case 'BatchNormalization': {
      const axis = c['axis'];
      const rank = layer.inboundNodes[0]?.inputTensors[0]?.shape.length;
      if (axis === -1 || (rank != null && axis === rank - 1)) {
        return builtIn(
          layer,
          { kind: 'follow' },
          ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((weight) => ({ weight, axis: 0 })),
          [],
        );
      }
      break;
    }
  }
  return {
    kind: 'barrier',
    reason: `layer '${layer.name}' (${cls}) has no known channel behaviour`,
    fixedInputWidth: false,
  };
}
