import type * as tfl from '@tensorflow/tfjs-layers';

/** The base `tf.layers.Layer` options every layer config extends (`name`, `trainable`, `inputShape`, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Keyword arguments tfjs passes to `call` (`training`, `mask`, ...). */
export type Kwargs = Record<string, unknown>;
