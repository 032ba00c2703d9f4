import type * as tfl from '@tensorflow/tfjs-layers';
import type { InitializerSpec } from './initializer.js';

/** The base `tf.layers.Layer` options every layer config extends (`name`, `trainable`, `inputShape`, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Keyword arguments tfjs passes to `call` (`training`, `mask`, ...). */
export type Kwargs = Record<string, unknown>;

/** Options every conv of this library takes, as `tf.layers.conv2d` names them. */
export interface ConvWeightOptions {
  /** Default true. */
  useBias?: boolean;
  /** Default `'glorotUniform'`. */
  kernelInitializer?: InitializerSpec;
  /** Default `'zeros'`. */
  biasInitializer?: InitializerSpec;
  /** Seed for initializers given by name. */
  seed?: number;
}
