import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../util/index.js';
import { isElasticLayer } from '../layers/core/index.js';
import { isStaticExportable, type StaticExportable } from '../layers/core/index.js';
import { flattenModel, withSubnet, type SubnetConfig } from '../graph/index.js';

/** Options of {@link extractSubnet}. */
export interface ExtractSubnetOptions {
  /**
   * Exports a layer in place of its own `exportStatic` (or copy): return the output of the layer's
   * replacement applied to `inputs`, or `null` to export the layer as usual. Transforms built on
   * `extractSubnet` pass what they need here — `fuseDemodulation` puts each modulated conv's
   * fused form in its place.
   */
  exportLayer?: (layer: tfl.layers.Layer, inputs: tfl.SymbolicTensor[]) => tfl.SymbolicTensor | null;
}

/**
 * Exports a sub-network as a standalone `tf.LayersModel` of static layers holding the sliced
 * weights: built-in tfjs layers wherever one exists (Conv2D after a ZeroPadding2D or
 * ReflectionPad2d, DepthwiseConv2D, Conv2DTranspose + Cropping2D, BatchNormalization), this
 * library's static layers where tfjs has none (InstanceNorm, ReflectionPad2d, ConvTranspose2d
 * for geometries Conv2DTranspose cannot express). Elastic kernels are exported with their
 * transforms applied. Layers that are not elastic are copied with their weights. Nested models
 * are inlined. The result saves and loads with `fileSystem()` and computes what the supernet
 * computes under `config` (or the active sub-network when `config` is omitted); the supernet's
 * own setting is left as it was.
 *
 * Every elastic layer must implement the `StaticExportable` protocol (`exportStatic`); a layer
 * applied at several places of the graph is refused.
 *
 * @example
 * ```ts
 * const supernet = SuperMobileResnetGenerator({ ngf: 32 });
 * const small = extractSubnet(supernet, resnetConfigFromString('16_16_32_16_32_32_16_16'));
 * await small.save(fileSystem('out/small'));
 * extractSubnet(supernet, { stem_conv: { outChannels: 16 }, up1_convt: { outChannels: 32 } }); // any valid config
 * ```
 */
export function extractSubnet(
  model: tfl.LayersModel,
  config?: SubnetConfig,
  options: ExtractSubnetOptions = {},
): tfl.LayersModel {
  if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ exportLayer? }');
  const { exportLayer } = options;
  if (exportLayer != null && typeof exportLayer !== 'function')
    throw new ConfigError('options.exportLayer', exportLayer, 'a function (layer, inputs) => SymbolicTensor | null');
  return withSubnet(model, config ?? undefined, () => build(model, exportLayer ?? (() => null)));
}

function build(model: tfl.LayersModel, exportLayer: NonNullable<ExtractSubnetOptions['exportLayer']>): tfl.LayersModel {
  const graph = flattenModel(model);
  const inputNames = model.inputLayers?.map((l) => l.name) ?? [];
  const inputs = graph.inputs.map((r, i) =>
    tfl.input({ shape: (graph.shapes.get(r) as tfl.Shape).slice(1), name: inputNames[i] }),
  );
  const values = new Map<number, tfl.SymbolicTensor>();
  graph.inputs.forEach((r, i) => values.set(r, inputs[i] as tfl.SymbolicTensor));
  const copies = new Map<tfl.layers.Layer, tfl.layers.Layer>();
  const exported = new Set<tfl.layers.Layer>();
  for (const node of graph.nodes) {
    const layer = node.layer;
    const ins = node.inputs.map((r) => values.get(r) as tfl.SymbolicTensor);
    let outs: tfl.SymbolicTensor[];
    const replaced = exportLayer(layer, ins);
    if (replaced != null || isStaticExportable(layer)) {
      if (exported.has(layer))
        throw new ConfigError(
          `layer '${layer.name}'`,
          'applied at several places',
          'each exportable layer applied once (extractSubnet cannot share its static copy)',
        );
      exported.add(layer);
      outs = [replaced ?? (layer as tfl.layers.Layer & StaticExportable).exportStatic(ins)];
    } else if (isElasticLayer(layer)) {
      throw new ConfigError(
        `layer '${layer.name}'`,
        layer.getClassName(),
        'an elastic layer implementing StaticExportable (exportStatic), so that extractSubnet can export it',
      );
    } else {
      let copy = copies.get(layer);
      const first = copy == null;
      if (copy == null) {
        const cls = layer.constructor as tf.serialization.SerializableConstructor<tfl.layers.Layer>;
        copy = cls.fromConfig(cls, layer.getConfig());
        copies.set(layer, copy);
      }
      const result = copy.apply(ins.length === 1 ? (ins[0] as tfl.SymbolicTensor) : ins, node.kwargs);
      outs = Array.isArray(result) ? (result as tfl.SymbolicTensor[]) : [result as tfl.SymbolicTensor];
      if (first && layer.weights.length > 0) copy.setWeights(layer.getWeights());
    }
    node.outputs.forEach((r, i) => values.set(r, outs[i] as tfl.SymbolicTensor));
  }
  return tfl.model({
    inputs,
    outputs: graph.outputs.map((r) => values.get(r) as tfl.SymbolicTensor),
    name: `${model.name}_subnet`,
  });
}
