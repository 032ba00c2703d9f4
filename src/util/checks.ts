import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from './errors.js';

/**
 * Throws a {@link ShapeError} unless `x` has the given rank.
 *
 * @example
 * ```ts
 * assertRank('x', x, 4); // NHWC images
 * ```
 */
export function assertRank(argument: string, x: tf.Tensor, rank: number): void {
  if (!(x instanceof tf.Tensor)) {
    throw new ConfigError(argument, x, `a tf.Tensor of rank ${rank}`);
  }
  if (x.rank !== rank) {
    throw new ShapeError(argument, x.shape, `rank ${rank}`);
  }
}

/**
 * Throws a {@link ConfigError} unless `value` is an integer in `[min, max]`.
 *
 * @example
 * ```ts
 * assertInt('levels', levels, 1);
 * ```
 */
export function assertInt(argument: string, value: unknown, min = -Infinity, max = Infinity): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity
        ? 'an integer'
        : max === Infinity
          ? `an integer >= ${min}`
          : min === -Infinity
            ? `an integer <= ${max}`
            : `an integer in [${min}, ${max}]`;
    throw new ConfigError(argument, value, range);
  }
}

/**
 * Throws a {@link ConfigError} unless `value` is a finite number (optionally > 0).
 *
 * @example
 * ```ts
 * assertFinite('epsilon', 1e-5, { positive: true });
 * ```
 */
export function assertFinite(
  argument: string,
  value: unknown,
  options: { positive?: boolean } = {},
): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (options.positive === true && value <= 0)) {
    throw new ConfigError(argument, value, options.positive === true ? 'a finite number > 0' : 'a finite number');
  }
}

/**
 * Throws a {@link ConfigError} unless `value` is one of `allowed`.
 *
 * @example
 * ```ts
 * assertOneOf('padMode', padMode, ['zeros', 'reflect'] as const);
 * ```
 */
export function assertOneOf<T extends string | number>(
  argument: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new ConfigError(
      argument,
      value,
      `one of ${allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ')}`,
    );
  }
}
