import type * as tfl from '@tensorflow/tfjs-layers';
import { EqualLinear, FusedModulatedConv2d, ModulatedConvBase } from '../../layers/modulated/index.js';
import { ConfigError } from '../../util/index.js';
import { HaarIDWT, IDWTUpsample } from '../../wavelet/index.js';
import {
  bindWeight,
  findLayer,
  hasWeight,
  targetLayers,
  weightOf,
  type ConstantBinding,
  type MappingTarget,
  type TorchBinding,
  type TorchMapping,
} from '../mapping.js';
import {
  CONV_LAYOUT,
  DEPTHWISE_LAYOUT,
  LINEAR_LAYOUT,
  NCHW_LAYOUT,
  SAME_LAYOUT,
  reshapeLayout,
} from '../torch_layout.js';

/*
 * MobileStyleGAN (bes-dev/MobileStyleGAN.pytorch, `develop`) names its student's tensors:
 *
 *   input.input                       the learned constant (1, C, 4, 4)
 *   conv1.*, to_img1.*                the 4×4 stem StyledConv2d and its MultichannelIamge head
 *   layers.{b}.up.modulation.*        block b's IDWT upsampler (an nn.Linear; its DWTInverse holds
 *   layers.{b}.up.idwt.g{0,1}_{col,row}  the Haar synthesis filters as buffers)
 *   layers.{b}.conv1.*, .conv2.*      block b's StyledConv2d (ModulatedDWConv2d inside)
 *   layers.{b}.to_img.*               block b's head
 *   idwt.g*, device_info              the final DWTInverse's filters and a device marker buffer
 *
 * A StyledConv2d is `conv.{weight | weight_dw, weight_permute}`, `conv.modulation.{weight,bias}`,
 * `conv.style_inv` (1, 1, Cin, 1, 1), `noise.weight` (1), `bias` (1, Cout, 1, 1) — and, in
 * exported (traced) models only, `noise.noise` (1, 1, H, W). A head is `conv.weight`,
 * `conv.modulation.*`, `bias` (1, 12, 1, 1).
 */

const S = Math.SQRT1_2;
/** pytorch_wavelets' db1 synthesis filters as DWTInverse registers them. */
const HAAR_FILTERS: [string, number[], number[]][] = [
  ['g0_col', [1, 1, 2, 1], [S, S]],
  ['g1_col', [1, 1, 2, 1], [S, -S]],
  ['g0_row', [1, 1, 1, 2], [S, S]],
  ['g1_row', [1, 1, 1, 2], [S, -S]],
];

function haarBuffers(prefix: string): ConstantBinding[] {
  return HAAR_FILTERS.map(([name, shape, values]) => ({
    kind: 'constant',
    torchName: `${prefix}.${name}`,
    shape,
    data: Float32Array.from(values),
    check: true,
    reason: 'the Haar (db1) synthesis filter of a DWTInverse',
  }));
}

const bias4d = reshapeLayout((s) => [1, s[0] as number, 1, 1]);
const styleInv5d = reshapeLayout((s) => [1, 1, s[0] as number, 1, 1]);
const noiseMap = reshapeLayout((s) => [1, 1, s[1] as number, s[2] as number]);

/** The modulated conv layer `name` (StyledConv or ToWavelets), refusing the fused form. */
function modulated(target: MappingTarget, name: string): ModulatedConvBase {
  const layer = findLayer(target, name);
  if (layer instanceof FusedModulatedConv2d)
    throw new ConfigError(
      `layer '${name}'`,
      'FusedModulatedConv2d',
      'an unfused MobileSynthesisNetwork (load the reference weights first, then fuseDemodulation)',
    );
  if (!(layer instanceof ModulatedConvBase))
    throw new ConfigError(
      'model',
      layer == null ? `no layer '${name}'` : `layer '${name}' is a ${layer.getClassName()}`,
      "MobileSynthesisNetwork's layout",
    );
  return layer;
}

/** A StyledConv2d or MultichannelIamge (`head`) under `prefix`. */
function bindModulated(layer: ModulatedConvBase, prefix: string, head: boolean): TorchBinding[] {
  const out: TorchBinding[] = [
    bindWeight(layer, 'affineKernel', `${prefix}.conv.modulation.weight`, LINEAR_LAYOUT),
    bindWeight(layer, 'affineBias', `${prefix}.conv.modulation.bias`, SAME_LAYOUT),
  ];
  if (layer.spec.conv === 'dense') out.push(bindWeight(layer, 'kernel', `${prefix}.conv.weight`, CONV_LAYOUT));
  else
    out.push(
      bindWeight(layer, 'depthwise', `${prefix}.conv.weight_dw`, DEPTHWISE_LAYOUT),
      bindWeight(layer, 'pointwise', `${prefix}.conv.weight_permute`, CONV_LAYOUT),
    );
  if (hasWeight(layer, 'styleInv')) out.push(bindWeight(layer, 'styleInv', `${prefix}.conv.style_inv`, styleInv5d));
  if (hasWeight(layer, 'noiseStrength'))
    out.push(bindWeight(layer, 'noiseStrength', `${prefix}.noise.weight`, SAME_LAYOUT));
  if (hasWeight(layer, 'bias')) out.push(bindWeight(layer, 'bias', `${prefix}.bias`, bias4d));
  if (!head && hasWeight(layer, 'noise'))
    out.push({
      kind: 'noise',
      torchName: `${prefix}.noise.noise`,
      layer,
      variable: weightOf(layer, 'noise'),
      layout: noiseMap,
    });
  return out;
}

function bindUpsampler(layer: tfl.layers.Layer, prefix: string): TorchBinding[] {
  if (!(layer instanceof IDWTUpsample) || layer.styleDim == null)
    throw new ConfigError(`layer '${layer.name}'`, layer.getClassName(), 'an IDWTUpsample with a style (styleDim)');
  // The reference's 4C upsampler inputs are interleaved (LL of each channel, then its three
  // detail bands); the convs before it produce them in that order, so the layer must read them so.
  if (layer.channelLayout !== 'interleaved')
    throw new ConfigError(
      `layer '${layer.name}' channelLayout`,
      layer.channelLayout,
      "'interleaved' (MobileStyleGAN's order of the upsampler's channels, which its conv weights produce)",
    );
  return [
    bindWeight(layer, 'kernel', `${prefix}.modulation.weight`, LINEAR_LAYOUT),
    bindWeight(layer, 'bias', `${prefix}.modulation.bias`, SAME_LAYOUT),
    ...haarBuffers(`${prefix}.idwt`),
  ];
}

function blockCount(target: MappingTarget): number {
  return targetLayers(target).filter((l) => /^block\d+_up$/.test(l.name)).length;
}

/**
 * MobileStyleGAN's `MobileSynthesisNetwork` (the student) under its reference names, for this
 * library's {@link MobileSynthesisNetwork} (unfused; fuse after loading). Its upsamplers and
 * final IDWT read MobileStyleGAN's interleaved channel order, so the weights apply unchanged
 * (band-major ones are refused: the reference's convs produce interleaved channels).
 * The DWTInverse filter buffers are checked to be the Haar filters on loading and written by
 * `toTorchStateDict`; exported models' frozen noise buffers (`*.noise.noise`), when present,
 * become the layers' fixed noise.
 *
 * @example
 * ```ts
 * const student = MobileSynthesisNetwork({ channels: [...MOBILE_STYLEGAN_CHANNELS], styleDim: 512 });
 * const ckpt = await readTorchCheckpoint('mobilestylegan_ffhq.ckpt');
 * loadTorchWeights(student, ckpt, { mapping: mobileStyleGanSynthesisMapping, prefix: 'student.' });
 * ```
 */
export const mobileStyleGanSynthesisMapping: TorchMapping = {
  name: 'mobilestylegan-synthesis',
  matches: (target) => ['const_input', 'stem_conv', 'stem_towavelets'].every((n) => findLayer(target, n) != null),
  bind: (target) => {
    const constant = findLayer(target, 'const_input');
    if (constant == null) throw new ConfigError('model', "no layer 'const_input'", "MobileSynthesisNetwork's layout");
    const image = findLayer(target, 'image');
    if (image instanceof HaarIDWT && image.channelLayout !== 'interleaved')
      throw new ConfigError(
        "layer 'image' channelLayout",
        image.channelLayout,
        "'interleaved' (the order of the 12 channels MobileStyleGAN's heads produce)",
      );
    const out: TorchBinding[] = [
      bindWeight(constant, 'constant', 'input.input', NCHW_LAYOUT),
      ...bindModulated(modulated(target, 'stem_conv'), 'conv1', false),
      ...bindModulated(modulated(target, 'stem_towavelets'), 'to_img1', true),
    ];
    for (let b = 0; b < blockCount(target); b++) {
      const up = findLayer(target, `block${b}_up`) as tfl.layers.Layer;
      out.push(...bindUpsampler(up, `layers.${b}.up`));
      out.push(...bindModulated(modulated(target, `block${b}_conv1`), `layers.${b}.conv1`, false));
      out.push(...bindModulated(modulated(target, `block${b}_conv2`), `layers.${b}.conv2`, false));
      out.push(...bindModulated(modulated(target, `block${b}_towavelets`), `layers.${b}.to_img`, true));
    }
    out.push(...haarBuffers('idwt'), {
      kind: 'constant',
      torchName: 'device_info',
      shape: [1],
      data: new Float32Array(1),
      check: false,
      reason: 'a buffer MobileSynthesisNetwork keeps to know its device (any value)',
    });
    return out;
  },
};

/**
 * StyleGAN2's mapping network as MobileStyleGAN (and rosinality) store it — `layers.0` is the
 * PixelNorm, `layers.{i+1}` the EqualLinear layers with `weight` `[out, in]` (stored as
 * `randn / lrMul`, like this library's kernel, so only transposed) and `bias` — for
 * {@link MappingNetwork}. In MobileStyleGAN's Lightning checkpoints the prefix is `mapping_net.`.
 *
 * @example
 * ```ts
 * const mapping = MappingNetwork();
 * const ckpt = await readTorchCheckpoint('mobilestylegan_ffhq.ckpt');
 * loadTorchWeights(mapping, ckpt, { mapping: styleGanMappingNetworkMapping, prefix: 'mapping_net.' });
 * ```
 */
export const styleGanMappingNetworkMapping: TorchMapping = {
  name: 'stylegan2-mapping-network',
  matches: (target) => findLayer(target, 'pixel_norm') != null && findLayer(target, 'mapping0') != null,
  bind: (target) => {
    const out: TorchBinding[] = [];
    for (let i = 0; ; i++) {
      const layer = findLayer(target, `mapping${i}`);
      if (layer == null) break;
      if (!(layer instanceof EqualLinear))
        throw new ConfigError(`layer 'mapping${i}'`, layer.getClassName(), 'an EqualLinear');
      out.push(
        bindWeight(layer, 'kernel', `layers.${i + 1}.weight`, LINEAR_LAYOUT),
        bindWeight(layer, 'bias', `layers.${i + 1}.bias`, SAME_LAYOUT),
      );
    }
    return out;
  },
};
