import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';

/** A tfjs-layers weight initializer (what `tf.initializers.*` returns). */
export type Initializer = ReturnType<typeof tfl.initializers.ones>;

/**
 * How a layer's weights are initialised: a tfjs initializer object (e.g.
 * `tf.initializers.heNormal({ seed: 1 })`), the camelCase name of one (`'glorotUniform'`,
 * `'heNormal'`, `'zeros'`, ..., or `'pytorchLinear'` for PyTorch `nn.Linear`'s U(±1/√fanIn);
 * seeded by the layer's `seed`), or its serialized form `{ className, config }` (what
 * `getConfig` writes).
 */
export type InitializerSpec = string | Initializer | { className: string; config: tf.serialization.ConfigDict };

type Factory = (seed: number | undefined) => Initializer;

/**
 * PyTorch `nn.Linear`'s default weight initialisation (kaiming-uniform with `a = √5`):
 * U(±1/√fanIn), written as tfjs variance scaling with scale 1/3, fan-in, uniform (its limit
 * √(3·scale/fanIn) is 1/√fanIn). It serializes as a built-in `VarianceScaling`, so models that
 * use it load without this library's registrations; the name `'pytorchLinear'` selects it in an
 * {@link InitializerSpec}.
 *
 * @example
 * ```ts
 * const init = pytorchLinearInitializer(7);
 * const w = init.apply([512, 64]); // U(±1/√512)
 * ```
 */
export function pytorchLinearInitializer(seed?: number): Initializer {
  return tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
}

const NAMED: Record<string, Factory> = {
  zeros: () => tfl.initializers.zeros(),
  ones: () => tfl.initializers.ones(),
  glorotUniform: (seed) => tfl.initializers.glorotUniform({ seed }),
  glorotNormal: (seed) => tfl.initializers.glorotNormal({ seed }),
  heUniform: (seed) => tfl.initializers.heUniform({ seed }),
  heNormal: (seed) => tfl.initializers.heNormal({ seed }),
  leCunUniform: (seed) => tfl.initializers.leCunUniform({ seed }),
  leCunNormal: (seed) => tfl.initializers.leCunNormal({ seed }),
  randomNormal: (seed) => tfl.initializers.randomNormal({ seed }),
  randomUniform: (seed) => tfl.initializers.randomUniform({ seed }),
  truncatedNormal: (seed) => tfl.initializers.truncatedNormal({ seed }),
  pytorchLinear: pytorchLinearInitializer,
};

/** Turns an {@link InitializerSpec} into an initializer; string names draw from `seed`. */
export function resolveInitializer(
  argument: string,
  spec: InitializerSpec | undefined,
  fallback: string,
  seed?: number,
): Initializer {
  const value = spec ?? fallback;
  if (typeof value === 'string') {
    const factory = NAMED[value];
    if (factory == null)
      throw new ConfigError(
        argument,
        value,
        `an initializer (one of ${Object.keys(NAMED)
          .map((k) => `'${k}'`)
          .join(', ')}, or a tf.initializers object)`,
      );
    return factory(seed);
  }
  if (value instanceof tf.serialization.Serializable) return value;
  if (typeof value === 'object' && value != null && typeof value.className === 'string') {
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[value.className];
    if (entry == null) throw new ConfigError(argument, value, 'a registered initializer class name');
    const [cls, fromConfig] = entry;
    return fromConfig(cls, value.config ?? {}) as Initializer;
  }
  throw new ConfigError(argument, value, 'an initializer name, a tf.initializers object or { className, config }');
}

/** The `{ className, config }` form of an initializer, as tfjs-layers writes it into model JSON. */
export function serializeInitializer(init: Initializer): { className: string; config: tf.serialization.ConfigDict } {
  return { className: init.getClassName(), config: init.getConfig() };
}

/** Config entries for named initializers, plus `seed` when one was given. */
export function initializerConfig(
  initializers: Record<string, Initializer>,
  seed: number | undefined,
): tf.serialization.ConfigDict {
  const config: tf.serialization.ConfigDict = {};
  for (const [key, init] of Object.entries(initializers)) config[key] = serializeInitializer(init);
  if (seed != null) config['seed'] = seed;
  return config;
}
