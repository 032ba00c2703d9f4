import type * as tfl from '@tensorflow/tfjs-layers';
import { numElements, type LayerShape, type MacConvention } from '../../layers/core/index.js';
import { asShapeList } from './graph.js';

/** What a rule may ask of the counter: the cost of a wrapped layer (TimeDistributed, Bidirectional). */
export interface RuleContext {
  convention: MacConvention;
  /** The only layer reading this call's output, if there is exactly one (see LayerVisitor). */
  consumer: tfl.layers.Layer | null;
  /** MACs of one call of `layer` on `inputShapes` (any layer: built-in, library or custom). */
  macsOf(layer: tfl.layers.Layer, inputShapes: LayerShape[]): number;
}

/** MACs of one call of a built-in tfjs layer, from its config and its actual input/output shapes. */
type Rule = (
  layer: tfl.layers.Layer,
  inputShapes: LayerShape[],
  outputShape: LayerShape | LayerShape[],
  ctx: RuleContext,
) => number;

type Config = Record<string, unknown>;

const config = (layer: tfl.layers.Layer): Config => layer.getConfig();

const product = (values: readonly number[]): number => values.reduce((a, b) => a * b, 1);

const first = (shapes: LayerShape[]): LayerShape => shapes[0] as LayerShape;

const outElements = (outputShape: LayerShape | LayerShape[]): number =>
  numElements(asShapeList(outputShape)[0] as LayerShape);

/** Size of the channel axis of an NHWC (or, with `dataFormat: 'channelsFirst'`, NCHW) shape. */
function channels(layer: tfl.layers.Layer, shape: LayerShape): number {
  const axis = config(layer)['dataFormat'] === 'channelsFirst' ? 1 : shape.length - 1;
  return shape[axis] ?? Number.NaN;
}

function kernelArea(layer: tfl.layers.Layer): number {
  const k = config(layer)['kernelSize'];
  return Array.isArray(k) ? product(k as number[]) : (k as number);
}

/** torchprofile: output elements × (Cin / groups) × kernel area; bias not counted. */
const conv: Rule = (layer, ins, out) => outElements(out) * channels(layer, first(ins)) * kernelArea(layer);

/**
 * torchprofile counts a transposed conv like a conv at its *output* resolution, which for stride
 * s is s² times the multiplies really done; 'exact' counts those (every input element meets
 * Cout · kernel-area weights).
 *
 * tfjs has no padded transposed conv, so a PyTorch `ConvTranspose2d(padding=p, output_padding=op)`
 * is written as a 'valid' Conv2DTranspose followed by a Cropping2D; torchprofile counts the
 * PyTorch layer at its (cropped) output, so a Cropping2D that alone reads the conv's output sets
 * the resolution counted.
 */
const convTranspose: Rule = (layer, ins, out, ctx) => {
  if (ctx.convention === 'exact')
    return numElements(first(ins)) * (config(layer)['filters'] as number) * kernelArea(layer);
  const counted =
    ctx.consumer?.getClassName() === 'Cropping2D' ? cropped(ctx.consumer, asShapeList(out)[0] as LayerShape) : out;
  return outElements(counted) * channels(layer, first(ins)) * kernelArea(layer);
};

/** Cropping2D's output shape; unknown sizes stay unknown (tfjs 4.22 turns them into negative numbers). */
function cropped(layer: tfl.layers.Layer, x: LayerShape): LayerShape {
  const [[top, bottom], [left, right]] = config(layer)['cropping'] as [[number, number], [number, number]];
  const [h, w] = config(layer)['dataFormat'] === 'channelsFirst' ? [2, 3] : [1, 2];
  const y = [...x];
  y[h] = x[h] == null ? null : x[h] - top - bottom;
  y[w] = x[w] == null ? null : x[w] - left - right;
  return y;
}

/** One input channel per group: output elements × kernel area. */
const depthwise: Rule = (layer, _ins, out) => outElements(out) * kernelArea(layer);

/** The depthwise conv (Cin·multiplier channels) then the 1×1 pointwise conv (Cin·multiplier → filters). */
const separable: Rule = (layer, ins, out) => {
  // The layer's own field: tfjs 4.22 leaves depthMultiplier out of SeparableConv2D.getConfig().
  const mid = channels(layer, first(ins)) * (layer as tfl.layers.Layer & { depthMultiplier: number }).depthMultiplier;
  const positions = outElements(out) / (config(layer)['filters'] as number);
  return positions * mid * kernelArea(layer) + outElements(out) * mid;
};

/** A matmul over the last axis: (all leading elements) × in × units = output elements × in. */
const dense: Rule = (_layer, ins, out) => {
  const x = first(ins);
  return outElements(out) * (x[x.length - 1] ?? Number.NaN);
};

/** torchprofile 0.0.1 counts instance/layer norm as one MAC per output element, affine or not. */
const layerNorm: Rule = (_layer, _ins, out, ctx) => (ctx.convention === 'torchprofile' ? outElements(out) : 0);

/** aten::avg_pool*, adaptive_avg_pool*, mean: one per output element. */
const perOutputElement: Rule = (_layer, _ins, out) => outElements(out);

/**
 * Element-wise products: torchprofile counts each aten::mul as one MAC per output element;
 * 'exact' counts only the multiply-accumulates of convs and matmuls (as fvcore), so 0.
 */
const elementwiseProducts = (ctx: RuleContext, products: number): number =>
  ctx.convention === 'torchprofile' ? products : 0;

/** One aten::mul per extra operand: (inputs − 1) × output elements. */
const multiply: Rule = (_layer, ins, out, ctx) => elementwiseProducts(ctx, (ins.length - 1) * outElements(out));

/** x · scale + offset: one aten::mul per element. */
const rescaling: Rule = (_layer, _ins, out, ctx) => elementwiseProducts(ctx, outElements(out));

/** A batched matmul: output elements × the contracted size. */
const dot: Rule = (layer, ins, out) => {
  const x = first(ins);
  const axes = config(layer)['axes'] as number | number[];
  const axis = Array.isArray(axes) ? (axes[0] as number) : axes;
  return outElements(out) * (x[axis < 0 ? x.length + axis : axis] ?? Number.NaN);
};

/** The input and recurrent matmuls of every step, `gates` of them per cell (element-wise gate math not counted). */
const recurrent =
  (gates: number): Rule =>
  (layer, ins) => {
    const [n, steps, features] = first(ins) as number[];
    const units = config(layer)['units'] as number;
    return (n as number) * (steps as number) * gates * units * ((features as number) + units);
  };

/** The wrapped layer applied to every time step: its cost on [N·T, ...]. */
const timeDistributed: Rule = (layer, ins, _out, ctx) => {
  const [n, t, ...rest] = first(ins);
  return ctx.macsOf((layer as tfl.layers.Layer & { layer: tfl.layers.Layer }).layer, [
    [(n as number) * (t as number), ...rest],
  ]);
};

/** Two copies of the wrapped RNN; a 'mul' merge adds one aten::mul. */
const bidirectional: Rule = (layer, ins, out, ctx) => {
  const inner = (layer as tfl.layers.Layer & { layer: tfl.layers.Layer }).layer;
  const merge = config(layer)['mergeMode'] === 'mul' ? elementwiseProducts(ctx, outElements(out)) : 0;
  return 2 * ctx.macsOf(inner, ins) + merge;
};

const zero: Rule = () => 0;

/**
 * The rule of every built-in tfjs-layers class that the counter knows, keyed by `className`.
 * Zero-cost entries are layers torchprofile 0.0.1 counts as 0 (activations, adds, concats,
 * pads, nearest/bilinear resizes, max pools, dropout and other inference-time identities,
 * reshapes); they are listed so that an unknown class is reported rather than assumed free.
 */
export const BUILTIN_RULES: Readonly<Record<string, Rule>> = {
  Conv1D: conv,
  Conv2D: conv,
  Conv3D: conv,
  Conv2DTranspose: convTranspose,
  Conv3DTranspose: convTranspose,
  DepthwiseConv2D: depthwise,
  SeparableConv2D: separable,
  Dense: dense,
  LayerNormalization: layerNorm,
  BatchNormalization: zero,
  AveragePooling1D: perOutputElement,
  AveragePooling2D: perOutputElement,
  AveragePooling3D: perOutputElement,
  GlobalAveragePooling1D: perOutputElement,
  GlobalAveragePooling2D: perOutputElement,
  MaxPooling1D: zero,
  MaxPooling2D: zero,
  MaxPooling3D: zero,
  GlobalMaxPooling1D: zero,
  GlobalMaxPooling2D: zero,
  Multiply: multiply,
  Rescaling: rescaling,
  Dot: dot,
  SimpleRNN: recurrent(1),
  GRU: recurrent(3),
  LSTM: recurrent(4),
  TimeDistributed: timeDistributed,
  Bidirectional: bidirectional,
  Activation: zero,
  ReLU: zero,
  LeakyReLU: zero,
  PReLU: zero,
  ELU: zero,
  ThresholdedReLU: zero,
  Softmax: zero,
  Add: zero,
  Average: zero,
  Maximum: zero,
  Minimum: zero,
  Concatenate: zero,
  UpSampling2D: zero,
  Resizing: zero,
  ZeroPadding2D: zero,
  Cropping2D: zero,
  CenterCrop: zero,
  Flatten: zero,
  Reshape: zero,
  Permute: zero,
  RepeatVector: zero,
  Masking: zero,
  Embedding: zero,
  CategoryEncoding: zero,
  Dropout: zero,
  SpatialDropout1D: zero,
  AlphaDropout: zero,
  GaussianDropout: zero,
  GaussianNoise: zero,
  RandomWidth: zero,
};

/**
 * Output shapes for built-in layers whose tfjs 4.22 `computeOutputShape` is wrong: RandomWidth
 * (an identity outside training) and Resizing drop the batch axis; Cropping2D turns unknown
 * sizes into negative ones.
 */
export const BUILTIN_OUTPUT_SHAPES: Readonly<
  Record<string, (layer: tfl.layers.Layer, inputShapes: LayerShape[]) => LayerShape>
> = {
  RandomWidth: (_layer, ins) => [...first(ins)],
  Cropping2D: (layer, ins) => cropped(layer, first(ins)),
  Resizing: (layer, ins) => {
    const x = first(ins);
    const c = config(layer);
    return [...x.slice(0, -3), c['height'] as number, c['width'] as number, x[x.length - 1] as number | null];
  },
};
