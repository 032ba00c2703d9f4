import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue, samePads } from '../../util/index.js';
import { float32, transposeArray } from '../permute.js';
import { layerWeight, optionalWeight } from './layer_weights.js';
import { attr, storedAxis, type OnnxGraphBuilder, type OnnxValue } from './onnx_graph.js';

/** One layer call to convert: its inputs (as graph values) and its output shapes. */
export interface OnnxLayerCall {
  layer: tfl.layers.Layer;
  inputs: OnnxValue[];
  outputShapes: number[][];
}

/** Converts one layer call into nodes; returns the call's outputs. */
export type OnnxLayerConverter = (g: OnnxGraphBuilder, call: OnnxLayerCall) => OnnxValue[];

type Config = Record<string, unknown>;

const config = (layer: tfl.layers.Layer): Config => layer.getConfig();

/** The one output of a call, stored in `layout`. */
function out(call: OnnxLayerCall, name: string, layout: OnnxValue['layout']): OnnxValue[] {
  return [{ name, shape: call.outputShapes[0] as number[], layout }];
}

function first(call: OnnxLayerCall): OnnxValue {
  return call.inputs[0] as OnnxValue;
}

function pair(value: unknown): [number, number] {
  return Array.isArray(value)
    ? [value[0] as number, (value[1] ?? value[0]) as number]
    : [value as number, value as number];
}

function refuse(layer: tfl.layers.Layer, option: string, value: unknown, expected: string): never {
  throw new ConfigError(`layer '${layer.name}' (${layer.getClassName()}) ${option}`, value, expected);
}

function channelsLast(layer: tfl.layers.Layer): void {
  const format = config(layer)['dataFormat'];
  if (format != null && format !== 'channelsLast')
    refuse(layer, 'dataFormat', format, "'channelsLast' (tfjs's default; the exporter reads NHWC)");
}

/** ONNX `pads` `[top, left, bottom, right]` of a tfjs conv or pool along H and W. */
function convPads(
  layer: tfl.layers.Layer,
  padding: unknown,
  inShape: number[],
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') refuse(layer, 'padding', padding, "'same' or 'valid'");
  const [t, b] = samePads(inShape[1] as number, strides[0], dilation[0] * (kernel[0] - 1) + 1);
  const [l, r] = samePads(inShape[2] as number, strides[1], dilation[1] * (kernel[1] - 1) + 1);
  return [t, l, b, r];
}

/** A tfjs activation (by its serialized name) applied to NCHW or plain value `x`. */
export function activation(
  g: OnnxGraphBuilder,
  layer: tfl.layers.Layer,
  x: string,
  name: unknown,
  rank: number,
  channelAxis: number,
): string {
  const base = layer.name;
  switch (name) {
    case undefined:
    case null:
    case 'linear':
      return x;
    case 'relu':
      return g.op('Relu', [x], base);
    case 'relu6':
      return g.op('Clip', [x, g.floats(`${base}_min`, [0], []), g.floats(`${base}_max`, [6], [])], base);
    case 'tanh':
      return g.op('Tanh', [x], base);
    case 'sigmoid':
      return g.op('Sigmoid', [x], base);
    case 'hardSigmoid':
      return g.op('HardSigmoid', [x], base, { alpha: attr.float(0.2), beta: attr.float(0.5) });
    case 'elu':
      return g.op('Elu', [x], base, { alpha: attr.float(1) });
    case 'selu':
      return g.op('Selu', [x], base);
    case 'softplus':
      return g.op('Softplus', [x], base);
    case 'softsign':
      return g.op('Softsign', [x], base);
    case 'exponential':
      return g.op('Exp', [x], base);
    case 'swish':
      return g.op('Mul', [x, g.op('Sigmoid', [x], `${base}_sigmoid`)], base);
    case 'mish':
      return g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x], `${base}_softplus`)], `${base}_tanh`)], base);
    case 'softmax':
      // tfjs's softmax reads the last axis: the channels.
      return g.op('Softmax', [x], base, { axis: attr.int(rank === 4 ? channelAxis : -1) });
    default:
      return refuse(
        layer,
        'activation',
        name,
        'one of linear, relu, relu6, tanh, sigmoid, hardSigmoid, elu, selu, softplus, softsign, exponential, swish, mish, softmax',
      );
  }
}

/** Conv2D: kernel `[kh, kw, in, out]` → ONNX Conv weight `[out, in, kh, kw]`. */
function conv2d(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  const c = config(layer);
  channelsLast(layer);
  const x = first(call);
  const kernel = layerWeight(layer, 'kernel');
  const [kh, kw] = kernel.shape as [number, number];
  const strides = pair(c['strides']);
  const dilation = pair(c['dilationRate'] ?? 1);
  const w = g.floats(`${layer.name}_W`, transposeArray(kernel.data, kernel.shape, [3, 2, 0, 1], float32), [
    kernel.shape[3] as number,
    kernel.shape[2] as number,
    kh,
    kw,
  ]);
  const bias = optionalWeight(layer, 'bias');
  const inputs = [g.nchw(x), w];
  if (bias != null) inputs.push(g.floats(`${layer.name}_B`, bias.data, bias.shape));
  let y = g.op('Conv', inputs, `${layer.name}_conv`, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(strides),
    dilations: attr.ints(dilation),
    pads: attr.ints(convPads(layer, c['padding'], x.shape, [kh, kw], strides, dilation)),
  });
  y = activation(g, layer, y, c['activation'], 4, 1);
  return out(call, y, 'nchw');
}

/** A depthwise conv `[kh, kw, C, M]` as a grouped ONNX Conv (`group = C`, weight `[C·M, 1, kh, kw]`). */
function depthwiseNode(
  g: OnnxGraphBuilder,
  layer: tfl.layers.Layer,
  x: OnnxValue,
  kernelName: string,
  bias: { data: Float32Array; shape: number[] } | null,
): string {
  const c = config(layer);
  const k = layerWeight(layer, kernelName);
  const [kh, kw, ch, m] = k.shape as [number, number, number, number];
  const strides = pair(c['strides']);
  const dilation = pair(c['dilationRate'] ?? 1);
  // [kh, kw, C, M] → [C, M, kh, kw]: output channel c·M + m, as tfjs orders them.
  const w = g.floats(`${layer.name}_depthwise_W`, transposeArray(k.data, k.shape, [2, 3, 0, 1], float32), [
    ch * m,
    1,
    kh,
    kw,
  ]);
  const inputs = [g.nchw(x), w];
  if (bias != null) inputs.push(g.floats(`${layer.name}_depthwise_B`, bias.data, bias.shape));
  return g.op('Conv', inputs, `${layer.name}_depthwise`, {
    group: attr.int(ch),
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(strides),
    dilations: attr.ints(dilation),
    pads: attr.ints(convPads(layer, c['padding'], x.shape, [kh, kw], strides, dilation)),
  });
}

function depthwiseConv2d(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  channelsLast(layer);
  const y = depthwiseNode(g, layer, first(call), 'depthwise_kernel', optionalWeight(layer, 'bias'));
  return out(call, activation(g, layer, y, config(layer)['activation'], 4, 1), 'nchw');
}

function separableConv2d(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  channelsLast(layer);
  const z = depthwiseNode(g, layer, first(call), 'depthwise_kernel', null);
  const p = layerWeight(layer, 'pointwise_kernel');
  const [, , cin, cout] = p.shape as [number, number, number, number];
  const inputs = [
    z,
    g.floats(`${layer.name}_pointwise_W`, transposeArray(p.data, p.shape, [3, 2, 0, 1], float32), [cout, cin, 1, 1]),
  ];
  const bias = optionalWeight(layer, 'bias');
  if (bias != null) inputs.push(g.floats(`${layer.name}_B`, bias.data, bias.shape));
  const y = g.op('Conv', inputs, `${layer.name}_pointwise`, { kernel_shape: attr.ints([1, 1]) });
  return out(call, activation(g, layer, y, config(layer)['activation'], 4, 1), 'nchw');
}

/**
 * Conv2DTranspose: tfjs runs it as the gradient of a conv with the layer's padding over the
 * output size it computes, so each input pixel `i` lands at `i·s + t − padBefore`. ONNX's
 * ConvTranspose does the same with `pads` begin = padBefore; the end pad (or output padding)
 * makes the length tfjs gives.
 */
function conv2dTranspose(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  const c = config(layer);
  channelsLast(layer);
  const x = first(call);
  const dilation = pair(c['dilationRate'] ?? 1);
  if (dilation[0] !== 1 || dilation[1] !== 1) refuse(layer, 'dilationRate', c['dilationRate'], '1');
  const kernel = layerWeight(layer, 'kernel');
  const [kh, kw, cout, cin] = kernel.shape as [number, number, number, number];
  const strides = pair(c['strides']);
  const outShape = call.outputShapes[0] as number[];
  const begin: number[] = [];
  const end: number[] = [];
  const outputPadding: number[] = [];
  [0, 1].forEach((a) => {
    const n = x.shape[1 + a] as number;
    const k = a === 0 ? kh : kw;
    const s = strides[a] as number;
    const length = outShape[1 + a] as number;
    const before = c['padding'] === 'same' ? samePads(length, s, k)[0] : 0;
    const rest = s * (n - 1) + k - before - length;
    begin.push(before);
    end.push(Math.max(rest, 0));
    outputPadding.push(Math.max(-rest, 0));
  });
  // [kh, kw, out, in] → ONNX ConvTranspose weight [in, out, kh, kw].
  const inputs = [
    g.nchw(x),
    g.floats(`${layer.name}_W`, transposeArray(kernel.data, kernel.shape, [3, 2, 0, 1], float32), [cin, cout, kh, kw]),
  ];
  const bias = optionalWeight(layer, 'bias');
  if (bias != null) inputs.push(g.floats(`${layer.name}_B`, bias.data, bias.shape));
  let y = g.op('ConvTranspose', inputs, `${layer.name}_convt`, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints(strides),
    pads: attr.ints([...begin, ...end]),
    output_padding: attr.ints(outputPadding),
  });
  y = activation(g, layer, y, c['activation'], 4, 1);
  return out(call, y, 'nchw');
}

function dense(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  const x = first(call);
  const kernel = layerWeight(layer, 'kernel');
  const bias = optionalWeight(layer, 'bias');
  const w = g.floats(`${layer.name}_W`, kernel.data, kernel.shape);
  let y: string;
  if (x.shape.length === 2 && bias != null) {
    y = g.op('Gemm', [x.name, w, g.floats(`${layer.name}_B`, bias.data, bias.shape)], `${layer.name}_gemm`);
  } else {
    y = g.op('MatMul', [g.plain(x), w], `${layer.name}_matmul`);
    if (bias != null) y = g.op('Add', [y, g.floats(`${layer.name}_B`, bias.data, bias.shape)], `${layer.name}_bias`);
  }
  const rank = x.shape.length;
  return out(call, activation(g, layer, y, config(layer)['activation'], rank, rank - 1), 'plain');
}

function batchNormalization(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  const c = config(layer);
  const x = first(call);
  const rank = x.shape.length;
  const axis = c['axis'] as number;
  if (axis !== -1 && axis !== rank - 1) refuse(layer, 'axis', axis, `-1 (the channels; input rank ${rank})`);
  const mean = layerWeight(layer, 'moving_mean');
  const variance = layerWeight(layer, 'moving_variance');
  const n = mean.data.length;
  const gamma = optionalWeight(layer, 'gamma')?.data ?? new Float32Array(n).fill(1);
  const beta = optionalWeight(layer, 'beta')?.data ?? new Float32Array(n);
  if (rank !== 2 && rank !== 4) refuse(layer, 'input rank', rank, '2 or 4');
  const y = g.op(
    'BatchNormalization',
    [
      g.nchw(x),
      g.floats(`${layer.name}_scale`, gamma, [n]),
      g.floats(`${layer.name}_B`, beta, [n]),
      g.floats(`${layer.name}_mean`, mean.data, [n]),
      g.floats(`${layer.name}_var`, variance.data, [n]),
    ],
    layer.name,
    { epsilon: attr.float(c['epsilon'] as number) },
  );
  return out(call, y, rank === 4 ? 'nchw' : 'plain');
}

/** Element-wise layers keep their input's layout. */
function unary(
  make: (g: OnnxGraphBuilder, call: OnnxLayerCall, x: string, v: OnnxValue) => string,
): OnnxLayerConverter {
  return (g, call) => {
    const x = first(call);
    return out(call, make(g, call, x.name, x), x.layout);
  };
}

const activationLayer = unary((g, { layer }, x, v) =>
  activation(g, layer, x, config(layer)['activation'], v.shape.length, storedAxis(v, -1)),
);

const reluLayer = unary((g, { layer }, x) => {
  const max = config(layer)['maxValue'];
  if (max == null) return g.op('Relu', [x], layer.name);
  return g.op(
    'Clip',
    [x, g.floats(`${layer.name}_min`, [0], []), g.floats(`${layer.name}_max`, [max as number], [])],
    layer.name,
  );
});

const leakyReluLayer = unary((g, { layer }, x) =>
  g.op('LeakyRelu', [x], layer.name, { alpha: attr.float(config(layer)['alpha'] as number) }),
);

const eluLayer = unary((g, { layer }, x) =>
  g.op('Elu', [x], layer.name, { alpha: attr.float(config(layer)['alpha'] as number) }),
);

const softmaxLayer = unary((g, { layer }, x, v) =>
  g.op('Softmax', [x], layer.name, {
    axis: attr.int(storedAxis(v, (config(layer)['axis'] as number | undefined) ?? -1)),
  }),
);

const identity = unary((_g, _call, x) => x);

/** `[[top, bottom], [left, right]]` of ZeroPadding2D / Cropping2D configs. */
function sides(value: unknown): [[number, number], [number, number]] {
  if (typeof value === 'number')
    return [
      [value, value],
      [value, value],
    ];
  const [h, w] = value as [unknown, unknown];
  return [pair(h), pair(w)];
}

function zeroPadding2d(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  channelsLast(layer);
  const [[t, b], [l, r]] = sides(config(layer)['padding']);
  const y = g.op('Pad', [g.nchw(first(call)), g.ints(`${layer.name}_pads`, [0, 0, t, l, 0, 0, b, r])], layer.name, {
    mode: attr.string('constant'),
  });
  return out(call, y, 'nchw');
}

function cropping2d(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  channelsLast(layer);
  const x = first(call);
  const [[t, b], [l, r]] = sides(config(layer)['cropping']);
  const [, h, w] = x.shape as [number, number, number];
  const y = g.op(
    'Slice',
    [
      g.nchw(x),
      g.ints(`${layer.name}_starts`, [t, l]),
      g.ints(`${layer.name}_ends`, [h - b, w - r]),
      g.ints(`${layer.name}_axes`, [2, 3]),
    ],
    layer.name,
  );
  return out(call, y, 'nchw');
}

/** tfjs resizes with align-corners and half-pixel centres off: ONNX's 'asymmetric' transform. */
function upSampling2d(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  channelsLast(layer);
  const c = config(layer);
  const [sh, sw] = pair(c['size'] ?? 2);
  const nearest = (c['interpolation'] ?? 'nearest') === 'nearest';
  const y = g.op(
    'Resize',
    [g.nchw(first(call)), '', g.floats(`${layer.name}_scales`, [1, 1, sh, sw], [4])],
    layer.name,
    nearest
      ? {
          mode: attr.string('nearest'),
          coordinate_transformation_mode: attr.string('asymmetric'),
          nearest_mode: attr.string('floor'),
        }
      : { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('asymmetric') },
  );
  return out(call, y, 'nchw');
}

/** Merge layers read their inputs in one layout: NCHW when all are rank 4. */
function merge(opType: 'Add' | 'Mul' | 'Sub' | 'Max' | 'Min' | 'Mean'): OnnxLayerConverter {
  return (g, call) => {
    const { layer } = call;
    const layout = call.inputs.every((v) => v.shape.length === 4) ? 'nchw' : 'plain';
    const names = call.inputs.map((v) => g.as(v, layout));
    if (opType === 'Sub' && names.length !== 2) refuse(layer, 'inputs', names.length, '2 inputs');
    const y =
      opType === 'Add' || opType === 'Mul' ? chain(g, opType, names, layer.name) : g.op(opType, names, layer.name);
    return out(call, y, layout);
  };
}

function chain(g: OnnxGraphBuilder, opType: string, names: string[], base: string): string {
  let y = names[0] as string;
  for (let i = 1; i < names.length; i++)
    y = g.op(opType, [y, names[i] as string], i === names.length - 1 ? base : `${base}_${i}`);
  return y;
}

function concatenate(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  const layout = call.inputs.every((v) => v.shape.length === 4) ? 'nchw' : 'plain';
  const axis = (config(layer)['axis'] as number | undefined) ?? -1;
  const names = call.inputs.map((v) => g.as(v, layout));
  const stored = storedAxis({ ...(call.inputs[0] as OnnxValue), layout }, axis);
  return out(call, g.op('Concat', names, layer.name, { axis: attr.int(stored) }), layout);
}

function reshape(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  const shape = call.outputShapes[0] as number[];
  return out(call, g.op('Reshape', [g.plain(first(call)), g.ints(`${layer.name}_shape`, shape)], layer.name), 'plain');
}

function permute(g: OnnxGraphBuilder, call: OnnxLayerCall): OnnxValue[] {
  const { layer } = call;
  const dims = config(layer)['dims'] as number[];
  return out(call, g.op('Transpose', [g.plain(first(call))], layer.name, { perm: attr.ints([0, ...dims]) }), 'plain');
}

function globalPool(opType: 'GlobalAveragePool' | 'GlobalMaxPool'): OnnxLayerConverter {
  return (g, call) => {
    const { layer } = call;
    channelsLast(layer);
    const pooled = g.op(opType, [g.nchw(first(call))], `${layer.name}_pool`);
    const shape = call.outputShapes[0] as number[];
    if (shape.length === 4) return out(call, pooled, 'nchw');
    return out(call, g.op('Reshape', [pooled, g.ints(`${layer.name}_shape`, shape)], layer.name), 'plain');
  };
}

function pool(opType: 'MaxPool' | 'AveragePool'): OnnxLayerConverter {
  return (g, call) => {
    const { layer } = call;
    channelsLast(layer);
    const c = config(layer);
    const x = first(call);
    const size = pair(c['poolSize'] ?? 2);
    const strides = pair(c['strides'] ?? size);
    const attributes = {
      kernel_shape: attr.ints(size),
      strides: attr.ints(strides),
      pads: attr.ints(convPads(layer, c['padding'] ?? 'valid', x.shape, size, strides, [1, 1])),
      ...(opType === 'AveragePool' ? { count_include_pad: attr.int(0) } : {}),
    };
    return out(call, g.op(opType, [g.nchw(x)], layer.name, attributes), 'nchw');
  };
}

/** Converters of tfjs's built-in layers, by class name (the graph module knows built-ins by name). */
export const BUILTIN_CONVERTERS: ReadonlyMap<string, OnnxLayerConverter> = new Map<string, OnnxLayerConverter>([
  ['Conv2D', conv2d],
  ['DepthwiseConv2D', depthwiseConv2d],
  ['SeparableConv2D', separableConv2d],
  ['Conv2DTranspose', conv2dTranspose],
  ['Dense', dense],
  ['BatchNormalization', batchNormalization],
  ['Activation', activationLayer],
  ['ReLU', reluLayer],
  ['LeakyReLU', leakyReluLayer],
  ['ELU', eluLayer],
  ['Softmax', softmaxLayer],
  ['ZeroPadding2D', zeroPadding2d],
  ['Cropping2D', cropping2d],
  ['UpSampling2D', upSampling2d],
  ['Add', merge('Add')],
  ['Multiply', merge('Mul')],
  ['Subtract', merge('Sub')],
  ['Maximum', merge('Max')],
  ['Minimum', merge('Min')],
  ['Average', merge('Mean')],
  ['Concatenate', concatenate],
  ['Reshape', reshape],
  [
    'Flatten',
    (g, call) => out(call, g.op('Flatten', [g.plain(first(call))], call.layer.name, { axis: attr.int(1) }), 'plain'),
  ],
  ['Permute', permute],
  ['GlobalAveragePooling2D', globalPool('GlobalAveragePool')],
  ['GlobalMaxPooling2D', globalPool('GlobalMaxPool')],
  ['MaxPooling2D', pool('MaxPool')],
  ['AveragePooling2D', pool('AveragePool')],
  ['Dropout', identity],
  ['SpatialDropout2D', identity],
  ['GaussianNoise', identity],
  ['GaussianDropout', identity],
  ['AlphaDropout', identity],
]);

/** For messages: the built-in class names the exporter converts. */
export function builtinConverterNames(): string {
  return describeValue([...BUILTIN_CONVERTERS.keys()]);
}
