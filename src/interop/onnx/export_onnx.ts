import * as tfl from '@tensorflow/tfjs-layers';
import { flattenModel } from '../../graph/index.js';
import { isElasticLayer } from '../../layers/core/index.js';
import { FusedModulatedConv2d, ModulatedConvBase } from '../../layers/modulated/index.js';
import { ConfigError, ShapeError, describeValue } from '../../util/index.js';
import { BUILTIN_CONVERTERS, builtinConverterNames, type OnnxLayerConverter } from './onnx_builtin_layers.js';
import { OnnxGraphBuilder, type OnnxValue } from './onnx_graph.js';
import { LIBRARY_CONVERTERS } from './onnx_library_layers.js';
import { ONNX_DTYPE, onnxModelType } from './onnx_proto.js';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** ONNX opset version, 13 … 21. Default 17. */
  opset?: number;
  /**
   * The input shape with its batch, NHWC for images (`[1, 256, 256, 3]`), or one shape per model
   * input. The exported graph has these static shapes. Default: the model's input shapes with
   * batch 1, when every other dimension is known.
   */
  inputShape?: number[] | number[][];
}

/** The opsets the exporter writes, and the IR version each needs. */
const IR_VERSION: Record<number, number> = {
  13: 7,
  14: 7,
  15: 8,
  16: 8,
  17: 8,
  18: 8,
  19: 9,
  20: 9,
  21: 10,
};

function converterFor(layer: tfl.layers.Layer): OnnxLayerConverter | string {
  for (const [cls, convert] of LIBRARY_CONVERTERS) {
    if (layer instanceof cls) {
      if (layer instanceof FusedModulatedConv2d) {
        if (layer.spec.upsample) return 'an up-sampling modulated conv (StyleGAN2), which has no ONNX conversion';
        if (layer.spec.noise && layer.spec.noiseMode === 'random')
          return 'random noise: fix it with setNoise(model, { seed }) before fusing, so that the exported maps are constants';
      }
      return convert;
    }
  }
  if (layer instanceof ModulatedConvBase)
    return 'a modulated conv: export fuseDemodulation(model) (it also extracts the active sub-network)';
  if (isElasticLayer(layer)) return 'an elastic layer: export extractSubnet(model, config) (a static sub-network)';
  return (
    BUILTIN_CONVERTERS.get(layer.getClassName()) ??
    `no ONNX conversion (converted built-ins: ${builtinConverterNames()})`
  );
}

function resolveInputShapes(model: tfl.LayersModel, given: unknown): number[][] {
  const declared = model.inputs.map((t) => t.shape);
  let shapes: unknown[];
  if (given === undefined) {
    shapes = declared.map((s) => [1, ...s.slice(1)]);
  } else {
    if (!Array.isArray(given) || given.length === 0)
      throw new ConfigError('options.inputShape', given, 'a shape [N, ...] or one shape per model input');
    shapes = Array.isArray(given[0]) ? given : [given];
  }
  if (shapes.length !== declared.length)
    throw new ConfigError('options.inputShape', given, `${declared.length} shape(s), one per model input`);
  return shapes.map((s, i) => {
    const d = declared[i] as (number | null)[];
    const ok =
      Array.isArray(s) &&
      s.length === d.length &&
      s.every((v, j) => Number.isInteger(v) && (v as number) > 0 && (d[j] == null || d[j] === v));
    if (!ok)
      throw new ConfigError(
        given === undefined
          ? `model input '${model.inputs[i]?.name}'`
          : `options.inputShape${shapes.length > 1 ? `[${i}]` : ''}`,
        given === undefined ? `shape [${d.join(', ')}]` : s,
        `a shape of positive integers agreeing with the model input [${d.map((v) => v ?? 'any').join(', ')}]${given === undefined ? ' (pass options.inputShape)' : ''}`,
      );
    return s as number[];
  });
}

/**
 * Exports a static tfjs model to ONNX (an encoded `onnx.ModelProto`): built-in tfjs layers
 * (Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, Dense, BatchNormalization,
 * activations, ZeroPadding2D, Cropping2D, UpSampling2D, merges, Concatenate, Reshape, Flatten,
 * pooling, dropout as identity) and this library's static layers (ReflectionPad2d,
 * InstanceNorm, ConvTranspose2d, Clamp, HaarDWT / HaarIDWT, IDWTUpsample, ConstantInput,
 * SelectStyle, PixelNorm, EqualLinear and the FusedModulatedConv2d of `fuseDemodulation`).
 *
 * Inputs and outputs keep tfjs's layouts (NHWC images): the graph transposes to NCHW once after
 * each input and back before each output, so an ONNX runtime takes the same arrays as
 * `model.predict`. Shapes are static (`options.inputShape`). Inputs are named after the model's
 * input layers, outputs after the layers producing them.
 *
 * Elastic layers are refused with an error saying to `extractSubnet` first, modulated convs to
 * `fuseDemodulation` first, and any other unknown layer is named; nothing is written until every
 * layer converts.
 *
 * @example
 * ```ts
 * const sub = extractSubnet(supernet, resnetConfigFromString('16_16_32_16_32_32_16_16'));
 * fs.writeFileSync('student.onnx', exportOnnx(sub, { inputShape: [1, 256, 256, 3] }));
 * ```
 */
export function exportOnnx(model: tfl.LayersModel, options: ExportOnnxOptions = {}): Uint8Array {
  if (!(model instanceof tfl.LayersModel)) throw new ConfigError('model', model, 'a tf.LayersModel');
  if (options == null || typeof options !== 'object')
    throw new ConfigError('options', options, '{ opset?, inputShape? }');
  for (const key of Object.keys(options))
    if (key !== 'opset' && key !== 'inputShape')
      throw new ConfigError(
        `options.${key}`,
        (options as Record<string, unknown>)[key],
        'no such option (known: opset, inputShape)',
      );
  const opset = options.opset ?? 17;
  if (!(opset in IR_VERSION)) throw new ConfigError('options.opset', opset, 'an integer in [13, 21]');
  const inputShapes = resolveInputShapes(model, options.inputShape);
  const graph = flattenModel(model);

  const converters = graph.nodes.map((n) => converterFor(n.layer));
  const refused = graph.nodes
    .map((n, i) => ({ layer: n.layer, why: converters[i] }))
    .filter((r): r is { layer: tfl.layers.Layer; why: string } => typeof r.why === 'string');
  if (refused.length > 0)
    throw new ConfigError(
      'model',
      `layer(s) ${refused.map((r) => `'${r.layer.name}' (${r.layer.getClassName()}: ${r.why})`).join('; ')}`,
      'a static model of convertible layers',
    );

  const g = new OnnxGraphBuilder(opset);
  const values = new Map<number, OnnxValue>();
  const graphInputs = graph.inputs.map((ref, i) => {
    const name = g.reserve(model.inputLayers[i]?.name ?? `input_${i}`);
    const shape = inputShapes[i] as number[];
    values.set(ref, { name, shape, layout: 'plain' });
    return { name, shape };
  });
  const outputNames = graph.outputs.map((_, i) => {
    const base = model.outputLayers[i]?.name ?? `output_${i}`;
    return g.reserve(g.has(base) ? `${base}_${i}` : base);
  });
  graph.nodes.forEach((node, i) => {
    const inputs = node.inputs.map((r) => values.get(r) as OnnxValue);
    const shapes = inputs.map((v) => v.shape);
    const computed = node.layer.computeOutputShape(shapes.length === 1 ? (shapes[0] as number[]) : shapes);
    const outputShapes = (node.outputs.length === 1 ? [computed] : computed) as (number | null)[][];
    outputShapes.forEach((s) => {
      if (!s.every((d) => typeof d === 'number' && d >= 0))
        throw new ShapeError(`layer '${node.layer.name}' output`, s, 'a fully known shape (give options.inputShape)');
    });
    const outs = (converters[i] as OnnxLayerConverter)(g, {
      layer: node.layer,
      inputs,
      outputShapes: outputShapes as number[][],
    });
    node.outputs.forEach((r, j) => values.set(r, outs[j] as OnnxValue));
  });
  const graphOutputs = graph.outputs.map((ref, i) => {
    const v = values.get(ref) as OnnxValue;
    const name = outputNames[i] as string;
    g.opTo('Identity', [g.plain(v)], name);
    return { name, shape: v.shape };
  });

  const valueInfo = ({ name, shape }: { name: string; shape: number[] }) => ({
    name,
    type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  });
  const type = onnxModelType();
  const message = {
    irVersion: IR_VERSION[opset],
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'gancompress',
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: graphInputs.map(valueInfo),
      output: graphOutputs.map(valueInfo),
    },
  };
  const problem = type.verify(message);
  if (problem != null)
    throw new ConfigError('model', describeValue(problem), 'an exportable model (internal encoding error)');
  return type.encode(type.fromObject(message)).finish();
}
