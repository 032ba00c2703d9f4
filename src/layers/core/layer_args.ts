import type * as tfl from '@tensorflow/tfjs-layers';

/** The base `tf.layers.Layer` options every layer config extends (`name`, `trainable`, `inputShape`, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * The keys of {@link LayerArgs} (tfjs-layers 4.22): a layer passes them to `tf.layers.Layer`, and
 * its option schema lets them through.
 */
export const LAYER_ARG_KEYS = [
  'inputShape',
  'batchInputShape',
  'batchSize',
  'dtype',
  'name',
  'trainable',
  'weights',
  'inputDType',
] as const satisfies readonly (keyof LayerArgs)[];

// Fails to compile when tfjs-layers adds a LayerArgs field the list above does not have.
const everyLayerArg: Exclude<keyof LayerArgs, (typeof LAYER_ARG_KEYS)[number]> extends never ? true : never = true;
void everyLayerArg;

/** Keyword arguments tfjs passes to `call` (`training`, `mask`, ...). */
export type Kwargs = Record<string, unknown>;

/**
 * What a layer passes to `tf.layers.Layer`'s constructor: its config when that is an object,
 * otherwise nothing (its option schema then refuses the config with a named error, rather than
 * tfjs failing on `null.name`).
 */
export function baseLayerArgs(config: unknown): LayerArgs {
  return typeof config === 'object' && config != null && !Array.isArray(config) ? config : {};
}
