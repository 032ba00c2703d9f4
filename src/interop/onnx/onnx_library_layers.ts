import type * as tfl from '@tensorflow/tfjs-layers';
import { ConvTranspose2d, InstanceNorm, ReflectionPad2d } from '../../layers/common/index.js';
import {
  ConstantInput,
  EqualLinear,
  FusedModulatedConv2d,
  PixelNorm,
  SelectStyle,
} from '../../layers/modulated/index.js';
import { Clamp } from '../../models/index.js';
import { ConfigError } from '../../util/index.js';
import { HaarDWT, HaarIDWT, IDWTUpsample, type ChannelLayout } from '../../wavelet/index.js';
import { float32, transposeArray } from '../permute.js';
import type { OnnxLayerCall, OnnxLayerConverter } from './onnx_builtin_layers.js';
import { layerWeight, optionalWeight } from './layer_weights.js';
import { attr, storedAxis, type OnnxGraphBuilder, type OnnxValue } from './onnx_graph.js';

function out(call: OnnxLayerCall, name: string, layout: OnnxValue['layout']): OnnxValue[] {
  return [{ name, shape: call.outputShapes[0] as number[], layout }];
}

function first(call: OnnxLayerCall): OnnxValue {
  return call.inputs[0] as OnnxValue;
}

/** The orthonormal Haar matrix: row `p = 2·dy + dx` (a phase) from the bands LL, LH, HL, HH. */
const HAAR = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5, -0.5, 0.5];

/**
 * For `4C` channels, band-major index `b·C + c` ← interleaved index (`c` for LL, `C + 3c + b − 1`
 * for band b ≥ 1): MobileStyleGAN's layout (see `toMobileStyleGanLayout`).
 */
function interleavedToBandMajor(c4: number): number[] {
  const c = c4 / 4;
  return Array.from({ length: c4 }, (_, i) => {
    const b = Math.floor(i / c);
    const ch = i % c;
    return b === 0 ? ch : c + 3 * ch + b - 1;
  });
}

function inverse(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/**
 * The inverse Haar transform of NCHW coefficients `[N, 4C, h, w]`: bands to the four phases by
 * one 4×4 matmul, then DepthToSpace (DCR: channel `(2·dy + dx)·C + c` → pixel `(2i + dy, 2j + dx)`).
 */
function idwtNodes(g: OnnxGraphBuilder, x: string, shape: number[], layout: ChannelLayout, base: string): string {
  const [n, h, w, c4] = shape as [number, number, number, number];
  let bands = x;
  if (layout === 'interleaved')
    bands = g.op('Gather', [x, g.ints(`${base}_bandmajor`, interleavedToBandMajor(c4))], `${base}_bandmajor`, {
      axis: attr.int(1),
    });
  const grouped = g.op('Reshape', [bands, g.ints(`${base}_bands_shape`, [n, 4, (c4 / 4) * h * w])], `${base}_bands`);
  const phases = g.op('MatMul', [g.floats(`${base}_haar`, HAAR, [4, 4]), grouped], `${base}_phases`);
  const stacked = g.op('Reshape', [phases, g.ints(`${base}_phases_shape`, [n, c4, h, w])], `${base}_stacked`);
  return g.op('DepthToSpace', [stacked], base, { blocksize: attr.int(2), mode: attr.string('DCR') });
}

function haarIdwt(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as HaarIDWT;
  const x = first(call);
  return out(call, idwtNodes(g, g.nchw(x), x.shape, layer.channelLayout, layer.name), 'nchw');
}

/** SpaceToDepth gives the phases `(2·dy + dx)·C + c`; the same (symmetric) matrix gives the bands. */
function haarDwt(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as HaarDWT;
  const [n, h, w, c4] = call.outputShapes[0] as [number, number, number, number];
  const phases = g.op('SpaceToDepth', [g.nchw(first(call))], `${layer.name}_phases`, { blocksize: attr.int(2) });
  const grouped = g.op(
    'Reshape',
    [phases, g.ints(`${layer.name}_phases_shape`, [n, 4, (c4 / 4) * h * w])],
    `${layer.name}_grouped`,
  );
  const bands = g.op('MatMul', [g.floats(`${layer.name}_haar`, HAAR, [4, 4]), grouped], `${layer.name}_bands`);
  let y = g.op('Reshape', [bands, g.ints(`${layer.name}_shape`, [n, c4, h, w])], `${layer.name}_bandmajor`);
  if (layer.channelLayout === 'interleaved')
    y = g.op('Gather', [y, g.ints(`${layer.name}_order`, inverse(interleavedToBandMajor(c4)))], layer.name, {
      axis: attr.int(1),
    });
  return out(call, y, 'nchw');
}

/** `style · kernel + bias` as `[N, C, 1, 1]`, ready to scale NCHW activations. */
function styleScale(
  g: OnnxGraphBuilder,
  style: OnnxValue,
  kernel: { data: Float32Array; shape: number[] },
  bias: { data: Float32Array; shape: number[] },
  base: string,
): string {
  const n = style.shape[0] as number;
  const c = kernel.shape[1] as number;
  const s = g.op(
    'Gemm',
    [g.plain(style), g.floats(`${base}_A`, kernel.data, kernel.shape), g.floats(`${base}_b`, bias.data, bias.shape)],
    `${base}_style`,
  );
  return g.op('Reshape', [s, g.ints(`${base}_style_shape`, [n, c, 1, 1])], `${base}_scale`);
}

function idwtUpsample(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as IDWTUpsample;
  const x = first(call);
  let coefficients = g.nchw(x);
  if (layer.styleDim != null) {
    const m = styleScale(
      g,
      call.inputs[1] as OnnxValue,
      layerWeight(layer, 'kernel'),
      layerWeight(layer, 'bias'),
      layer.name,
    );
    coefficients = g.op('Mul', [coefficients, m], `${layer.name}_modulated`);
  }
  return out(call, idwtNodes(g, coefficients, x.shape, layer.channelLayout, layer.name), 'nchw');
}

/**
 * MobileStyleGAN's inference conv as `fuseDemodulation` leaves it: `s = A′w + b′`, `x ⊙ s`, the
 * dense or depthwise-then-pointwise conv ('same', PyTorch's k // 2), `+ strength · noise`, `+ b`,
 * leaky ReLU times the gain.
 */
function fusedModulatedConv(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as FusedModulatedConv2d;
  const s = layer.spec;
  const x = first(call);
  const base = layer.name;
  const k = s.kernelSize;
  const p = (k - 1) / 2;
  const scaled = g.op(
    'Mul',
    [
      g.nchw(x),
      styleScale(
        g,
        call.inputs[1] as OnnxValue,
        layerWeight(layer, 'affineKernel'),
        layerWeight(layer, 'affineBias'),
        base,
      ),
    ],
    `${base}_modulated`,
  );
  const convAttrs = { kernel_shape: attr.ints([k, k]), pads: attr.ints([p, p, p, p]) };
  let y: string;
  if (s.conv === 'dense') {
    const kernel = layerWeight(layer, 'kernel');
    const [, , cin, cout] = kernel.shape as [number, number, number, number];
    const w = g.floats(`${base}_W`, transposeArray(kernel.data, kernel.shape, [3, 2, 0, 1], float32), [
      cout,
      cin,
      k,
      k,
    ]);
    y = g.op('Conv', [scaled, w], `${base}_conv`, convAttrs);
  } else {
    const dw = layerWeight(layer, 'depthwise');
    const pw = layerWeight(layer, 'pointwise');
    const cin = dw.shape[2] as number;
    const cout = pw.shape[3] as number;
    const wdw = g.floats(`${base}_depthwise_W`, transposeArray(dw.data, dw.shape, [2, 3, 0, 1], float32), [
      cin,
      1,
      k,
      k,
    ]);
    const z = g.op('Conv', [scaled, wdw], `${base}_depthwise`, { ...convAttrs, group: attr.int(cin) });
    const wpw = g.floats(`${base}_pointwise_W`, transposeArray(pw.data, pw.shape, [3, 2, 0, 1], float32), [
      cout,
      cin,
      1,
      1,
    ]);
    y = g.op('Conv', [z, wpw], `${base}_pointwise`, { kernel_shape: attr.ints([1, 1]) });
  }
  if (s.noise) {
    const strength = layerWeight(layer, 'noiseStrength').data[0] as number;
    const noise = layerWeight(layer, 'noise');
    const [, h, w] = noise.shape as [number, number, number];
    y = g.op(
      'Add',
      [
        y,
        g.floats(
          `${base}_noise`,
          noise.data.map((v) => v * strength),
          [1, 1, h, w],
        ),
      ],
      `${base}_noised`,
    );
  }
  const bias = optionalWeight(layer, 'bias');
  if (bias != null)
    y = g.op('Add', [y, g.floats(`${base}_bias`, bias.data, [1, bias.data.length, 1, 1])], `${base}_biased`);
  if (s.activation === 'lrelu') {
    y = g.op('LeakyRelu', [y], `${base}_lrelu`, { alpha: attr.float(s.negativeSlope) });
    if (s.activationGain !== 1) y = g.op('Mul', [y, g.floats(`${base}_gain`, [s.activationGain], [])], base);
  }
  return out(call, y, 'nchw');
}

function constantInput(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as ConstantInput;
  const constant = layerWeight(layer, 'constant');
  const [n, h, w, c] = call.outputShapes[0] as [number, number, number, number];
  const nchw = g.floats(
    `${layer.name}_constant`,
    transposeArray(constant.data, constant.shape, [0, 3, 1, 2], float32),
    [1, c, h, w],
  );
  return out(call, g.op('Expand', [nchw, g.ints(`${layer.name}_shape`, [n, c, h, w])], layer.name), 'nchw');
}

function selectStyle(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as SelectStyle;
  return out(
    call,
    g.op('Gather', [g.plain(first(call)), g.ints(`${layer.name}_index`, [layer.index], [])], layer.name, {
      axis: attr.int(1),
    }),
    'plain',
  );
}

/** `x / √(mean(x², last axis) + ε)`. */
function pixelNorm(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as PixelNorm;
  const x = first(call);
  const axis = storedAxis(x, -1);
  const base = layer.name;
  const mean = g.reduceMean(g.op('Mul', [x.name, x.name], `${base}_square`), [axis], `${base}_mean`);
  const norm = g.op(
    'Sqrt',
    [g.op('Add', [mean, g.floats(`${base}_eps`, [layer.epsilon], [])], `${base}_eps`)],
    `${base}_norm`,
  );
  return out(call, g.op('Div', [x.name, norm], base), x.layout);
}

/** EqualLinear with its scales folded in: `x·(W·lrMul/√in) + b·lrMul`, then the scaled leaky ReLU. */
function equalLinear(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as EqualLinear;
  const x = first(call);
  if (x.shape.length !== 2) throw new ConfigError(`layer '${layer.name}' input`, x.shape, 'rank 2 [N, features]');
  const kernel = layerWeight(layer, 'kernel');
  const bias = layerWeight(layer, 'bias');
  const scale = layer.lrMul / Math.sqrt(kernel.shape[0] as number);
  let y = g.op(
    'Gemm',
    [
      x.name,
      g.floats(
        `${layer.name}_W`,
        kernel.data.map((v) => v * scale),
        kernel.shape,
      ),
      g.floats(
        `${layer.name}_B`,
        bias.data.map((v) => v * layer.lrMul),
        bias.shape,
      ),
    ],
    `${layer.name}_gemm`,
  );
  if (layer.activation === 'lrelu') {
    y = g.op('LeakyRelu', [y], `${layer.name}_lrelu`, { alpha: attr.float(layer.negativeSlope) });
    if (layer.activationGain !== 1)
      y = g.op('Mul', [y, g.floats(`${layer.name}_gain`, [layer.activationGain], [])], layer.name);
  }
  return out(call, y, 'plain');
}

function reflectionPad(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as ReflectionPad2d;
  const [t, b, l, r] = layer.pads;
  const y = g.op('Pad', [g.nchw(first(call)), g.ints(`${layer.name}_pads`, [0, 0, t, l, 0, 0, b, r])], layer.name, {
    mode: attr.string('reflect'),
  });
  return out(call, y, 'nchw');
}

function instanceNorm(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as InstanceNorm;
  const x = first(call);
  const c = x.shape[3] as number;
  const gamma = layer.affine ? layerWeight(layer, 'gamma').data : new Float32Array(c).fill(1);
  const beta = layer.affine ? layerWeight(layer, 'beta').data : new Float32Array(c);
  const y = g.op(
    'InstanceNormalization',
    [g.nchw(x), g.floats(`${layer.name}_scale`, gamma, [c]), g.floats(`${layer.name}_B`, beta, [c])],
    layer.name,
    { epsilon: attr.float(layer.epsilon) },
  );
  return out(call, y, 'nchw');
}

/** PyTorch's ConvTranspose2d geometry is ONNX's: pads p on both sides, output padding at the end. */
function convTranspose(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as ConvTranspose2d;
  const { strides, padding, outputPadding, dilationRate } = layer.geometry;
  if (outputPadding[0] >= strides[0] || outputPadding[1] >= strides[1])
    throw new ConfigError(
      `layer '${layer.name}' outputPadding`,
      outputPadding,
      `values below the strides ${JSON.stringify(strides)} (ONNX's ConvTranspose requires it)`,
    );
  const kernel = layerWeight(layer, 'kernel');
  const [kh, kw, cout, cin] = kernel.shape as [number, number, number, number];
  const inputs = [
    g.nchw(first(call)),
    g.floats(`${layer.name}_W`, transposeArray(kernel.data, kernel.shape, [3, 2, 0, 1], float32), [cin, cout, kh, kw]),
  ];
  const bias = optionalWeight(layer, 'bias');
  if (bias != null) inputs.push(g.floats(`${layer.name}_B`, bias.data, bias.shape));
  const y = g.op('ConvTranspose', inputs, layer.name, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(strides),
    dilations: attr.ints(dilationRate),
    pads: attr.ints([padding[0], padding[1], padding[0], padding[1]]),
    output_padding: attr.ints(outputPadding),
  });
  return out(call, y, 'nchw');
}

function clamp(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const layer = call.layer as Clamp;
  const x = first(call);
  const y = g.op(
    'Clip',
    [x.name, g.floats(`${layer.name}_min`, [layer.min], []), g.floats(`${layer.name}_max`, [layer.max], [])],
    layer.name,
  );
  return out(call, y, x.layout);
}

/** Converters of this library's static layers, found by class (protocol-free layers of known form). */
export const LIBRARY_CONVERTERS: readonly [abstract new (...args: never[]) => tfl.layers.Layer, OnnxLayerConverter][] =
  [
    [ReflectionPad2d, reflectionPad],
    [InstanceNorm, instanceNorm],
    [ConvTranspose2d, convTranspose],
    [Clamp, clamp],
    [HaarIDWT, haarIdwt],
    [HaarDWT, haarDwt],
    [IDWTUpsample, idwtUpsample],
    [FusedModulatedConv2d, fusedModulatedConv],
    [ConstantInput, constantInput],
    [SelectStyle, selectStyle],
    [PixelNorm, pixelNorm],
    [EqualLinear, equalLinear],
  ];
