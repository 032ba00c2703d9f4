/**
 * Base class of every error this library throws on purpose. The message names the argument,
 * the value received and what was expected.
 *
 * @example
 * ```ts
 * try {
 *   haarDwt(tf.zeros([1, 5, 4, 3]) as tf.Tensor4D);
 * } catch (e) {
 *   if (e instanceof GanCompressError) console.log(e.message);
 * }
 * ```
 */
export class GanCompressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A tensor or shape argument has the wrong rank, size or channel count.
 *
 * @example
 * ```ts
 * throw new ShapeError('x', [1, 5, 4, 3], 'even height and width');
 * ```
 */
export class ShapeError extends GanCompressError {
  constructor(argument: string, received: readonly (number | null)[], expected: string) {
    super(`${argument}: got shape [${received.join(',')}], expected ${expected}`);
  }
}

/**
 * An option, config or sub-network description is invalid.
 *
 * @example
 * ```ts
 * throw new ConfigError('outChannels', 0, 'an integer in [1, 64]');
 * ```
 */
export class ConfigError extends GanCompressError {
  constructor(argument: string, received: unknown, expected: string) {
    super(`${argument}: got ${describeValue(received)}, expected ${expected}`);
  }
}

/**
 * A backend could not be initialised (package missing, kernel unavailable).
 *
 * @example
 * ```ts
 * try { await initBackend('tensorflow'); } catch (e) { if (e instanceof BackendError) ... }
 * ```
 */
export class BackendError extends GanCompressError {}

/**
 * A model file is missing, truncated or malformed. The message names the file.
 *
 * @example
 * ```ts
 * try { await tf.loadLayersModel(fileSystem('missing/model.json')); }
 * catch (e) { if (e instanceof ModelFileError) console.log(e.path); }
 * ```
 */
export class ModelFileError extends GanCompressError {
  /** The file the error is about. */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}

/**
 * A short, single-line rendering of a value for error messages.
 *
 * @example
 * ```ts
 * describeValue([1, 2]); // '[1,2]'
 * describeValue('same'); // "'same'"
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
