import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';
import {
  bindWeight,
  findLayer,
  hasWeight,
  targetLayers,
  type MappingTarget,
  type TorchBinding,
  type TorchMapping,
} from '../mapping.js';
import { CONV_LAYOUT, CONV_TRANSPOSE_LAYOUT, DEPTHWISE_LAYOUT, SAME_LAYOUT } from '../torch_layout.js';

/*
 * GAN Compression (mit-han-lab/gan-compression) builds its ResNet generators as one
 * nn.Sequential `model`, so a state dict names each conv by its index there:
 *
 *   model.1                 stem 7×7 conv            (model.0 is ReflectionPad2d(3))
 *   model.4, model.7        downsampling convs       (each followed by norm, ReLU)
 *   model.{9+b}             residual block b = 1…n   (conv_block.1 and conv_block.6 are its convs)
 *   model.{10+n}, .{13+n}   the two ConvTranspose2d
 *   model.{17+n}            head 7×7 conv            (then Tanh)
 *
 * A block conv is a plain Conv2d in ResnetGenerator (`conv_block.1.weight`) and a
 * SeparableConv2d in the mobile, super and sub generators (`conv_block.1.conv.0` depthwise,
 * `conv.1` the instance norm, `conv.2` pointwise). This library's generators name the same
 * layers stem_conv, down{1,2}_conv, block{b}_conv{1,2}(_dw), up{1,2}_convt, head_conv.
 */

function bindConv(layer: tfl.layers.Layer, prefix: string): TorchBinding[] {
  const out = [bindWeight(layer, 'kernel', `${prefix}.weight`, CONV_LAYOUT)];
  if (hasWeight(layer, 'bias')) out.push(bindWeight(layer, 'bias', `${prefix}.bias`, SAME_LAYOUT));
  return out;
}

function required(target: MappingTarget, name: string): tfl.layers.Layer {
  const layer = findLayer(target, name);
  if (layer == null) throw new ConfigError('model', `no layer '${name}'`, "GAN Compression's ResNet generator layout");
  return layer;
}

/** A residual block's conv `name` under `prefix` (`model.10.conv_block.1`), in any of the generators' forms. */
function bindBlockConv(target: MappingTarget, name: string, prefix: string): TorchBinding[] {
  const layer = required(target, name);
  const dw = findLayer(target, `${name}_dw`);
  if (dw != null) {
    // MobileResnetGenerator and extracted sub-networks: DepthwiseConv2D `_dw` + 1×1 Conv2D.
    const out = [bindWeight(dw, 'depthwise_kernel', `${prefix}.conv.0.weight`, DEPTHWISE_LAYOUT)];
    if (hasWeight(dw, 'bias')) out.push(bindWeight(dw, 'bias', `${prefix}.conv.0.bias`, SAME_LAYOUT));
    return [...out, ...bindConv(layer, `${prefix}.conv.2`)];
  }
  if (hasWeight(layer, 'depthwiseKernel')) {
    // SuperMobileResnetGenerator: one ElasticSeparableConv2d.
    const out = [bindWeight(layer, 'depthwiseKernel', `${prefix}.conv.0.weight`, DEPTHWISE_LAYOUT)];
    if (hasWeight(layer, 'depthwiseBias'))
      out.push(bindWeight(layer, 'depthwiseBias', `${prefix}.conv.0.bias`, SAME_LAYOUT));
    out.push(bindWeight(layer, 'pointwiseKernel', `${prefix}.conv.2.weight`, CONV_LAYOUT));
    if (hasWeight(layer, 'bias')) out.push(bindWeight(layer, 'bias', `${prefix}.conv.2.bias`, SAME_LAYOUT));
    return out;
  }
  // ResnetGenerator: a full 3×3 conv.
  return bindConv(layer, prefix);
}

function blockCount(target: MappingTarget): number {
  return targetLayers(target).filter((l) => /^block\d+$/.test(l.name)).length;
}

/**
 * GAN Compression's ResNet generators under their reference names: `ResnetGenerator` (the
 * teacher), `MobileResnetGenerator`, `SuperMobileResnetGenerator` (the once-for-all supernet, at
 * full width) and the `SubMobileResnetGenerator` that `extractSubnet` gives (the sub-network's
 * weights under the same names, at its widths, as GAN Compression's `export.py` saves them).
 *
 * @example
 * ```ts
 * const superG = SuperMobileResnetGenerator({ ngf: 64 });
 * loadTorchWeights(superG, await readTorchCheckpoint('latest_net_G.pth'), { mapping: ganCompressionResnetMapping });
 * ```
 */
export const ganCompressionResnetMapping: TorchMapping = {
  name: 'gan-compression-resnet',
  matches: (target) =>
    ['stem_conv', 'down1_conv', 'down2_conv', 'up1_convt', 'up2_convt', 'head_conv'].every(
      (n) => findLayer(target, n) != null,
    ),
  bind: (target) => {
    const n = blockCount(target);
    const out: TorchBinding[] = [
      ...bindConv(required(target, 'stem_conv'), 'model.1'),
      ...bindConv(required(target, 'down1_conv'), 'model.4'),
      ...bindConv(required(target, 'down2_conv'), 'model.7'),
    ];
    for (let b = 1; b <= n; b++) {
      out.push(...bindBlockConv(target, `block${b}_conv1`, `model.${9 + b}.conv_block.1`));
      out.push(...bindBlockConv(target, `block${b}_conv2`, `model.${9 + b}.conv_block.6`));
    }
    for (const [i, index] of [
      [1, 10 + n],
      [2, 13 + n],
    ] as const) {
      const up = required(target, `up${i}_convt`);
      out.push(bindWeight(up, 'kernel', `model.${index}.weight`, CONV_TRANSPOSE_LAYOUT));
      if (hasWeight(up, 'bias')) out.push(bindWeight(up, 'bias', `model.${index}.bias`, SAME_LAYOUT));
    }
    out.push(...bindConv(required(target, 'head_conv'), `model.${17 + n}`));
    return out;
  },
};

/**
 * One of GAN Compression's 1×1 distillation adaptors (`netA`, saved alone as
 * `latest_net_A-<i>.pth` with `weight` `[teacher C, student C, 1, 1]` and `bias`): a layer (or a
 * model holding exactly one weighted layer) whose `kernel` is `[1, 1, in, out]` and `bias`
 * `[out]` — a 1×1 `Conv2D` or `OnceForAllConv` (the supernet's adaptors are SuperConv2d, at full
 * width). Not picked automatically: pass it as `options.mapping`.
 *
 * @example
 * ```ts
 * const adaptor = tf.layers.conv2d({ filters: 256, kernelSize: 1 });
 * adaptor.apply(tf.input({ shape: [64, 64, 64] }));
 * loadTorchWeights(adaptor, await readTorchCheckpoint('latest_net_A-0.pth'), { mapping: ganCompressionAdaptorMapping });
 * ```
 */
export const ganCompressionAdaptorMapping: TorchMapping = {
  name: 'gan-compression-adaptor',
  matches: () => false,
  bind: (target) => {
    const weighted = targetLayers(target).filter((l) => l.weights.length > 0);
    const layer = weighted[0];
    if (weighted.length !== 1 || layer == null)
      throw new ConfigError(
        'target',
        `${weighted.length} layers with weights (${weighted.map((l) => l.name).join(', ')})`,
        'one 1×1 conv layer (a distillation adaptor)',
      );
    const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'));
    if (kernel == null || kernel.shape.length !== 4 || kernel.shape[0] !== 1 || kernel.shape[1] !== 1)
      throw new ConfigError(
        `layer '${layer.name}' kernel`,
        kernel == null ? 'none' : kernel.shape,
        'a 1×1 conv kernel [1, 1, in, out]',
      );
    return bindConv(layer, '').map((b) => ({ ...b, torchName: b.torchName.slice(1) }));
  },
};
