import type { InitializerSpec } from './initializer.js';
import { option } from './option.js';
import { optionSchema } from './option_schema.js';

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

/**
 * The schema of {@link ConvWeightOptions}: the kernel and bias initializers draw from `seed`
 * (both at offset 0, as tfjs-layers' convs draw each from its own initializer).
 *
 * @example
 * ```ts
 * const values = CONV_WEIGHT_OPTIONS.parse('conv', { useBias: false, seed: 3 });
 * ```
 */
export const CONV_WEIGHT_OPTIONS = optionSchema({
  useBias: option.bool(true),
  kernelInitializer: option.initializer({ default: 'glorotUniform' }),
  biasInitializer: option.initializer({ default: 'zeros' }),
  seed: option.seed(),
});
