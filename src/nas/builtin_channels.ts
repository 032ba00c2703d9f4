import type * as tfl from '@tensorflow/tfjs-layers';
import { isChannelPermutable, type ChannelPermutable } from '../layers/elastic/channel_permutable.js';
import { isElasticLayer } from '../layers/elastic/elastic_layer.js';
import { WeightPermuter, type ChannelAxis } from '../layers/elastic/weight_permuter.js';

/** How a layer call treats channels, as the channel graph sees it. */
export type ChannelBehaviour =
  | { kind: 'produce'; channelInput: number; permutable: ChannelPermutable | null }
  | { kind: 'follow'; channelInput: number; multiplier: number; permutable: ChannelPermutable | null }
  | { kind: 'merge' }
  | { kind: 'barrier'; reason: string };

/** Built-in layers that act on each channel alone and have no per-channel parameters. */
const PASS_THROUGH = new Set([
  'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'ReflectionPad2d',
]);

/** Element-wise merges: every input and the output share channels. */
const MERGES = new Set(['Add', 'Multiply', 'Subtract', 'Average', 'Maximum', 'Minimum']);

function config(layer: tfl.layers.Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

/**
 * The channel behaviour of a layer: this library's protocols first (so layers written later,
 * like elastic modulated convs, need no entry here), then the built-in tfjs layers the library
 * knows, then "barrier" (its channels are left alone).
 */
export function channelBehaviour(layer: tfl.layers.Layer): ChannelBehaviour {
  if (isChannelPermutable(layer)) {
    const role = layer.channelRole();
    const channelInput = role.channelInput ?? 0;
    if (role.kind === 'produce') return { kind: 'produce', channelInput, permutable: layer };
    return { kind: 'follow', channelInput, multiplier: role.multiplier ?? 1, permutable: layer };
  }
  if (isElasticLayer(layer) && layer.elasticSpace().maxOutChannels != null) return { kind: 'produce', channelInput: 0, permutable: null };
  const cls = layer.getClassName();
  if (PASS_THROUGH.has(cls)) return { kind: 'follow', channelInput: 0, multiplier: 1, permutable: null };
  if (MERGES.has(cls)) return { kind: 'merge' };
  const c = config(layer);
  const channelsLast = c['dataFormat'] == null || c['dataFormat'] === 'channelsLast';
  const produce = (inputs: ChannelAxis[], outputs: ChannelAxis[]): ChannelBehaviour => ({ kind: 'produce', channelInput: 0, permutable: new WeightPermuter(layer, { kind: 'produce' }, inputs, outputs) });
  const bias: ChannelAxis = { weight: 'bias', axis: 0 };
  switch (cls) {
    case 'Conv2D':
      if (channelsLast) return produce([{ weight: 'kernel', axis: 2 }], [{ weight: 'kernel', axis: 3 }, bias]);
      break;
    case 'Conv2DTranspose':
    case 'ConvTranspose2d':
      if (channelsLast) return produce([{ weight: 'kernel', axis: 3 }], [{ weight: 'kernel', axis: 2 }, bias]);
      break;
    case 'Dense':
      return produce([{ weight: 'kernel', axis: 0 }], [{ weight: 'kernel', axis: 1 }, bias]);
    case 'SeparableConv2D': {
      const m = Number(c['depthMultiplier'] ?? 1);
      if (channelsLast) return produce([{ weight: 'depthwise_kernel', axis: 2 }, { weight: 'pointwise_kernel', axis: 2, block: m }], [{ weight: 'pointwise_kernel', axis: 3 }, bias]);
      break;
    }
    case 'DepthwiseConv2D': {
      const m = Number(c['depthMultiplier'] ?? 1);
      if (channelsLast) {
        const inputs = [{ weight: 'depthwise_kernel', axis: 2 }, { weight: 'bias', axis: 0, block: m }];
        return { kind: 'follow', channelInput: 0, multiplier: m, permutable: new WeightPermuter(layer, { kind: 'follow', multiplier: m }, inputs, []) };
      }
      break;
    }
    case 'BatchNormalization': {
      const axis = c['axis'];
      const rank = layer.inboundNodes[0]?.inputTensors[0]?.shape.length;
      if (axis === -1 || (rank != null && axis === rank - 1)) {
        const inputs = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((weight) => ({ weight, axis: 0 }));
        return { kind: 'follow', channelInput: 0, multiplier: 1, permutable: new WeightPermuter(layer, { kind: 'follow' }, inputs, []) };
      }
      break;
    }
    case 'InstanceNorm': {
      const inputs = ['gamma', 'beta'].map((weight) => ({ weight, axis: 0 }));
      return { kind: 'follow', channelInput: 0, multiplier: 1, permutable: new WeightPermuter(layer, { kind: 'follow' }, inputs, []) };
    }
  }
  return { kind: 'barrier', reason: `layer '${layer.name}' (${cls}) has no known channel behaviour` };
}
