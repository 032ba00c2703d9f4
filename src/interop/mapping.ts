import * as tfl from '@tensorflow/tfjs-layers';
import { allLayers } from '../layers/core/index.js';
import { ConfigError, GanCompressError } from '../util/index.js';
import { weightShortName } from './onnx/layer_weights.js';
import type { TorchLayout } from './torch_layout.js';

/** What a mapping is applied to: a model, or a single layer (an adaptor). */
export type MappingTarget = tfl.LayersModel | tfl.layers.Layer;

/** A layer weight filled from (and written to) one reference tensor. */
export interface WeightBinding {
  kind: 'weight';
  /** The reference (PyTorch) name, e.g. `model.10.conv_block.1.conv.0.weight`. */
  torchName: string;
  layer: tfl.layers.Layer;
  variable: tfl.LayerVariable;
  layout: TorchLayout;
}

/**
 * A tensor the reference module holds but the tfjs model has no weight for (a buffer such as the
 * IDWT filters of MobileStyleGAN's `DWTInverse`): written as `data` by `toTorchStateDict`; on
 * loading, checked against `data` when `check` is set (else any value of the shape is accepted).
 */
export interface ConstantBinding {
  kind: 'constant';
  torchName: string;
  shape: number[];
  data: Float32Array;
  check: boolean;
  /** Why the model has no weight for it (messages). */
  reason: string;
}

/**
 * A noise map that only exported (traced) reference models carry as a buffer: loaded, when the
 * checkpoint has it, as the layer's fixed noise (`setNoise`); never written.
 */
export interface NoiseBinding {
  kind: 'noise';
  torchName: string;
  layer: tfl.layers.Layer;
  variable: tfl.LayerVariable;
  layout: TorchLayout;
}

/** One reference tensor a model's mapping knows. */
export type TorchBinding = WeightBinding | ConstantBinding | NoiseBinding;

/**
 * The correspondence between a model's weights and a reference implementation's `state_dict`
 * names and layouts. The built-in mappings cover GAN Compression's ResNet generators and
 * adaptors and MobileStyleGAN's synthesis and mapping networks; a mapping for another
 * architecture (SPADE, MUNIT, a custom model) is an object of this shape — pass it as
 * `options.mapping`, or add it to `BUILTIN_TORCH_MAPPINGS` so that it is picked automatically.
 *
 * @example
 * ```ts
 * const myMapping: TorchMapping = {
 *   name: 'my-net',
 *   matches: (model) => model.name === 'my_net',
 *   bind: (model) => {
 *     const conv = findLayer(model, 'conv1') as tf.layers.Layer;
 *     return [
 *       bindWeight(conv, 'kernel', 'features.0.weight', CONV_LAYOUT),
 *       bindWeight(conv, 'bias', 'features.0.bias', SAME_LAYOUT),
 *     ];
 *   },
 * };
 * loadTorchWeights(model, await readTorchCheckpoint('my_net.pth'), { mapping: myMapping });
 * ```
 */
export interface TorchMapping {
  /** Its name (messages). */
  readonly name: string;
  /** Whether the mapping describes `target` (used to pick a built-in mapping when none is given). */
  matches(target: MappingTarget): boolean;
  /** Every tensor of the reference state dict, bound to `target`'s weights (or constants). */
  bind(target: MappingTarget): TorchBinding[];
}

/**
 * A checkpoint and a model do not correspond: reference tensors the model needs are missing,
 * tensors are left unused, or shapes differ. Each list names the tensors.
 *
 * @example
 * ```ts
 * try { loadTorchWeights(model, await readTorchCheckpoint('latest_net_G.pth')); }
 * catch (e) { if (e instanceof WeightMappingError) console.log(e.missing, e.unused, e.mismatched); }
 * ```
 */
export class WeightMappingError extends GanCompressError {
  constructor(
    readonly mapping: string,
    /** Reference tensors the model needs that the checkpoint lacks. */
    readonly missing: string[],
    /** Checkpoint tensors no model weight takes. */
    readonly unused: string[],
    /** `name: got …, expected …` for tensors of the wrong shape, type or value. */
    readonly mismatched: string[],
    /** Model weights the mapping has no reference name for. */
    readonly unmapped: string[],
  ) {
    const part = (title: string, items: string[]): string =>
      items.length === 0
        ? ''
        : `; ${items.length} ${title}: ${items.slice(0, 20).join(', ')}${items.length > 20 ? ', …' : ''}`;
    super(
      `checkpoint: does not match the model under mapping '${mapping}'` +
        part('missing', missing) +
        part('unused', unused) +
        part('mismatched', mismatched) +
        part('model weights without a reference name', unmapped),
    );
  }
}

/** The layers of a target (a model's, nested models inlined; or the layer itself). */
export function targetLayers(target: MappingTarget): tfl.layers.Layer[] {
  if (!(target instanceof tfl.layers.Layer)) throw new ConfigError('target', target, 'a tf.LayersModel or a layer');
  return target instanceof tfl.LayersModel ? allLayers(target) : [target];
}

/**
 * The layer of a model (nested models included) or the layer itself called `name`, or null.
 *
 * @example
 * ```ts
 * findLayer(model, 'stem_conv')?.getClassName(); // 'Conv2D'
 * ```
 */
export function findLayer(target: MappingTarget, name: string): tfl.layers.Layer | null {
  return targetLayers(target).find((l) => l.name === name) ?? null;
}

/** The weight of `layer` whose short name is `short` (a ConfigError naming the layer when absent). */
export function weightOf(layer: tfl.layers.Layer, short: string): tfl.LayerVariable {
  if (!(layer instanceof tfl.layers.Layer)) throw new ConfigError('layer', layer, 'a tf.layers.Layer');
  const v = layer.weights.find((w) => weightShortName(w) === short);
  if (v == null)
    throw new ConfigError(
      `layer '${layer.name}' (${layer.getClassName()})`,
      `weights ${layer.weights.map(weightShortName).join(', ') || '(none)'}`,
      `a weight '${short}' (is the layer built?)`,
    );
  return v;
}

/**
 * A binding of `layer`'s weight `short` (the name given to `addWeight`: `kernel`, `bias`, …) to
 * the reference tensor `torchName` in `layout` — the building block of a {@link TorchMapping}.
 *
 * @example
 * ```ts
 * const stem = findLayer(model, 'stem_conv') as tf.layers.Layer;
 * const binding = bindWeight(stem, 'kernel', 'model.1.weight', CONV_LAYOUT);
 * ```
 */
export function bindWeight(
  layer: tfl.layers.Layer,
  short: string,
  torchName: string,
  layout: TorchLayout,
): WeightBinding {
  return { kind: 'weight', torchName, layer, variable: weightOf(layer, short), layout };
}

/** Whether `layer` has a weight called `short`. */
export function hasWeight(layer: tfl.layers.Layer, short: string): boolean {
  return layer.weights.some((w) => weightShortName(w) === short);
}
