import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError, describeValue } from '../../util/index.js';
import { allLayers } from '../core/index.js';
import { assertInt } from '../../util/index.js';
import { Random } from '../../util/index.js';
import { ModulatedConvBase } from './modulated_conv_base.js';

/**
 * What {@link setNoise} sets: `'random'` (a fresh seeded draw on every call), `{ seed }` (fixed
 * N(0, 1) maps drawn from this seed with the library's `Random`, the same on every backend), a
 * list of fixed maps in layer order, or fixed maps by layer name.
 */
export type NoiseSetting = 'random' | { seed: number } | tf.Tensor[] | Record<string, tf.Tensor>;

/**
 * The layers of `model` (or `model` itself) that inject noise, in model order: every
 * `StyledConv` (and fused form) built with `noise: true`.
 *
 * @example
 * ```ts
 * noiseLayers(synthesis).map((l) => l.name); // ['stem_conv', 'block0_conv1', 'block0_conv2', ...]
 * ```
 */
export function noiseLayers(model: tfl.LayersModel | tfl.layers.Layer): ModulatedConvBase[] {
  const layers = model instanceof tfl.LayersModel ? allLayers(model) : [model];
  return layers.filter((l): l is ModulatedConvBase => l instanceof ModulatedConvBase && l.spec.noise);
}

/**
 * Chooses the noise of every noise-injecting layer of a model (StyleGAN2 / MobileStyleGAN's
 * per-layer `[1, H, W, 1]` maps, broadcast over the batch and channels):
 *
 * - `'random'`: a fresh map on every call, drawn from the layer's seed (the eager-mode default);
 * - `{ seed }`: fixed maps drawn once from `seed` — two calls then give the same output;
 * - `tf.Tensor[]`: fixed maps, one per noise layer in {@link noiseLayers} order (e.g. a teacher's,
 *   so that the student sees exactly its noise); each must have the layer's shape `[1, H, W, 1]`;
 * - `{ [layerName]: tf.Tensor }`: fixed maps for the named layers (others unchanged).
 *
 * Fixed maps are stored in each layer's non-trainable `noise` weight, so they are saved with the
 * model and carried over by `extractSubnet` and `fuseDemodulation`. The whole setting is checked
 * before anything changes. The given tensors are copied (the caller keeps ownership).
 *
 * @example
 * ```ts
 * setNoise(synthesis, { seed: 7 });     // deterministic outputs
 * setNoise(student, getNoise(teacher)); // by name, when the names match
 * setNoise(synthesis, 'random');
 * ```
 */
export function setNoise(model: tfl.LayersModel | tfl.layers.Layer, noise: NoiseSetting): void {
  const layers = noiseLayers(model);
  if (noise === 'random') {
    for (const l of layers) l.setNoiseMap('random');
    return;
  }
  const assignments = resolveAssignments(layers, noise);
  for (const [layer, map] of assignments) {
    const shape = layer.noiseMapShape();
    if (shape == null)
      throw new ConfigError(
        `layer '${layer.name}' noise`,
        'a fixed map',
        'a layer built with a known output size (its fixed map is a weight)',
      );
    if (map.rank !== 4 || map.shape.some((d, i) => d !== shape[i]))
      throw new ShapeError(`noise for layer '${layer.name}'`, map.shape, `[${shape.join(', ')}]`);
  }
  for (const [layer, map, owned] of assignments) {
    layer.setNoiseMap(map);
    if (owned) map.dispose();
  }
}

/**
 * The fixed noise maps stored in the model's noise layers, by layer name (copies: dispose them).
 * They are what `'fixed'` noise uses; in `'random'` mode they are the maps last set (or the
 * seeded initial ones).
 *
 * @example
 * ```ts
 * const maps = getNoise(teacher);
 * setNoise(student, maps);
 * tf.dispose(Object.values(maps));
 * ```
 */
export function getNoise(model: tfl.LayersModel | tfl.layers.Layer): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const l of noiseLayers(model)) {
    const map = l.storedNoise();
    if (map != null) out[l.name] = map;
  }
  return out;
}

/** Each layer's new map, and whether it was made here (and so is disposed after use). */
function resolveAssignments(
  layers: ModulatedConvBase[],
  noise: NoiseSetting,
): [ModulatedConvBase, tf.Tensor, boolean][] {
  if (Array.isArray(noise)) {
    if (noise.length !== layers.length)
      throw new ConfigError(
        'noise',
        `${noise.length} maps`,
        `${layers.length} maps, one per noise layer (${layers.map((l) => l.name).join(', ')})`,
      );
    noise.forEach((t, i) => {
      if (!(t instanceof tf.Tensor)) throw new ConfigError(`noise[${i}]`, t, 'a tf.Tensor [1, H, W, 1]');
    });
    const maps: readonly tf.Tensor[] = noise;
    return layers.map((l, i): [ModulatedConvBase, tf.Tensor, boolean] => [l, maps[i] as tf.Tensor, false]);
  }
  if (noise == null || typeof noise !== 'object')
    throw new ConfigError('noise', noise, "'random', { seed }, an array of maps or { [layerName]: map }");
  if ('seed' in noise && typeof (noise as { seed: unknown }).seed === 'number' && Object.keys(noise).length === 1) {
    const seed = (noise as { seed: number }).seed;
    assertInt('noise.seed', seed);
    const shapes = layers.map((l) => {
      const shape = l.noiseMapShape();
      if (shape == null)
        throw new ConfigError(
          `layer '${l.name}' noise`,
          'a fixed map',
          'a layer built with a known output size (its fixed map is a weight)',
        );
      return shape;
    });
    const rng = new Random(seed);
    return layers.map((l, i): [ModulatedConvBase, tf.Tensor, boolean] => {
      const shape = shapes[i] as number[];
      return [l, tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape), true];
    });
  }
  const byName = new Map(layers.map((l) => [l.name, l]));
  return Object.entries(noise as Record<string, unknown>).map(([name, t]): [ModulatedConvBase, tf.Tensor, boolean] => {
    const layer = byName.get(name);
    if (layer == null)
      throw new ConfigError(
        `noise.${name}`,
        t instanceof tf.Tensor ? `a [${(t as tf.Tensor).shape.join(', ')}] map` : t,
        `the name of a noise layer (${describeValue([...byName.keys()])})`,
      );
    if (!(t instanceof tf.Tensor)) throw new ConfigError(`noise.${name}`, t, 'a tf.Tensor [1, H, W, 1]');
    return [layer, t as tf.Tensor, false];
  });
}
