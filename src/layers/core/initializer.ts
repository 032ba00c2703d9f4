import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../util/index.js';

// tfjs-layers exports its initializers' functions, not their base class: name the class through one of them.
type TfjsInitializer = ReturnType<typeof tfl.initializers.ones>;

/** A tfjs-layers weight initializer (what `tf.initializers.*` returns). */
// An interface, not an alias: declaration files then name it instead of tfjs-layers' internal path
// ('@tensorflow/tfjs-layers/dist/initializers'), which consumers resolving under nodenext cannot import.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Initializer extends TfjsInitializer {}

/**
 * How a layer's weights are initialised: a tfjs initializer object (e.g.
 * `tf.initializers.heNormal({ seed: 1 })`), the camelCase name of one (`'glorotUniform'`,
 * `'heNormal'`, `'zeros'`, ..., or `'pytorchLinear'` for PyTorch `nn.Linear`'s U(±1/√fanIn);
 * seeded by the layer's `seed`), or its serialized form `{ className, config }` (what
 * `getConfig` writes).
 */
export type InitializerSpec = string | Initializer | { className: string; config: tf.serialization.ConfigDict };

/**
 * An initializer drawn from a seed (`undefined`: unseeded): how a layer's own defaults are given
 * (N(0, 1) kernels, PyTorch `nn.Linear`'s U(±1/√fanIn)), and what an initializer name stands for.
 */
export type SeededInitializer = (seed: number | undefined) => Initializer;

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

/**
 * N(0, `stddev`²), seeded: the default of the modulated kernels, StyleGAN2's equalized-lr
 * weights and constant input.
 *
 * @example
 * ```ts
 * const init = resolveInitializer('kernel', undefined, normalInitializer(1), 7); // N(0, 1), seed 7
 * ```
 */
export function normalInitializer(stddev = 1): SeededInitializer {
  return (seed) => tfl.initializers.randomNormal({ mean: 0, stddev, seed });
}

/**
 * `init` drawn from `seed + offset` (unseeded when `seed` is undefined): a layer's initializers
 * that are not options (StyleGAN2's constant input, MobileStyleGAN's `styleInv`).
 *
 * @example
 * ```ts
 * const styleInv = seededInitializer(normalInitializer(1), 7, 3); // N(0, 1), seed 10
 * ```
 */
export function seededInitializer(init: SeededInitializer, seed: number | undefined, offset = 0): Initializer {
  return init(seed == null ? undefined : seed + offset);
}

const NAMED: Record<string, SeededInitializer> = {
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

/** The class every tfjs-layers initializer extends (tfjs-layers does not export it by name). */
const INITIALIZER_CLASS = Object.getPrototypeOf(tfl.initializers.zeros().constructor) as abstract new (
  ...args: never[]
) => Initializer;

function isInitializer(value: unknown): value is Initializer {
  return value instanceof INITIALIZER_CLASS;
}

const EXPECTED = `an initializer: one of ${Object.keys(NAMED)
  .map((k) => `'${k}'`)
  .join(', ')}, a tf.initializers object or its { className, config }`;

/**
 * Turns an {@link InitializerSpec} into an initializer: names draw from `seed`, objects are used
 * as they are (their own seed, if any), `{ className, config }` is deserialized. Without a spec,
 * `fallback` (a name or a {@link SeededInitializer}) draws from `seed`. Errors name `argument`.
 *
 * @example
 * ```ts
 * const init = resolveInitializer('conv.kernelInitializer', 'heNormal', 'glorotUniform', 3);
 * ```
 */
export function resolveInitializer(
  argument: string,
  spec: InitializerSpec | undefined,
  fallback: string | SeededInitializer,
  seed?: number,
): Initializer {
  const value: unknown = spec ?? fallback;
  if (typeof value === 'function') return (value as SeededInitializer)(seed);
  if (typeof value === 'string') {
    const named = NAMED[value];
    if (named == null) throw new ConfigError(argument, value, EXPECTED);
    return named(seed);
  }
  if (isInitializer(value)) return value;
  if (typeof value === 'object' && value != null && !Array.isArray(value)) {
    const { className, config = {} } = value as { className?: unknown; config?: unknown };
    const entry =
      typeof className === 'string' ? tf.serialization.SerializationMap.getMap().classNameMap[className] : undefined;
    if (entry == null) throw new ConfigError(argument, value, `${EXPECTED} (with a registered className)`);
    if (typeof config !== 'object' || config == null || Array.isArray(config))
      throw new ConfigError(argument, value, `${EXPECTED} (whose config is an object)`);
    let init: unknown;
    try {
      const [cls, fromConfig] = entry;
      init = fromConfig(cls, config as tf.serialization.ConfigDict);
    } catch (e) {
      throw new ConfigError(argument, value, `${EXPECTED} (tfjs refused it: ${(e as Error).message})`);
    }
    if (!isInitializer(init)) throw new ConfigError(argument, value, `${EXPECTED} (${String(className)} is not one)`);
    return init;
  }
  throw new ConfigError(argument, value, EXPECTED);
}

/**
 * `init` with its seed moved by `offset` — for a second weight drawn from the same initializer
 * option, so that the two are not drawn from the same stream. Initializers without a seed
 * (constants, unseeded draws) are returned as they are.
 *
 * @example
 * ```ts
 * const depthwise = tf.initializers.heNormal({ seed: 8 });
 * const pointwise = reseeded(depthwise, 1); // heNormal({ seed: 9 })
 * ```
 */
export function reseeded(init: Initializer, offset: number): Initializer {
  const config = init.getConfig();
  const seed = config['seed'];
  if (typeof seed !== 'number') return init;
  const cls = init.constructor as tf.serialization.SerializableConstructor<Initializer>;
  return cls.fromConfig(cls, { ...config, seed: seed + offset });
}

/**
 * The `{ className, config }` form of an initializer, as tfjs-layers writes it into model JSON.
 *
 * @example
 * ```ts
 * serializeInitializer(tf.initializers.ones()); // { className: 'Ones', config: {} }
 * ```
 */
export function serializeInitializer(init: Initializer): { className: string; config: tf.serialization.ConfigDict } {
  return { className: init.getClassName(), config: init.getConfig() };
}
