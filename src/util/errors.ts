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
 * try {
 *   await initBackend('tensorflow');
 * } catch (e) {
 *   if (e instanceof BackendError) console.log('no tfjs-node here:', e.message);
 * }
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
 * A short, single-line rendering of a value for error messages. Numbers print as JavaScript
 * writes them, also inside arrays and objects: `NaN`, `Infinity` and `-Infinity` (JSON would
 * print `null`).
 *
 * @example
 * ```ts
 * describeValue([1, 2]); // '[1,2]'
 * describeValue('same'); // "'same'"
 * describeValue([1, NaN]); // '[1,NaN]'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    const json = JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? `${NON_FINITE}${String(v)}${NON_FINITE}` : v,
    );
    const text = json.replace(NON_FINITE_PATTERN, '$1');
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Marks a non-finite number inside JSON output, so it can be written back as `NaN` / `Infinity`. */
const NON_FINITE = '\u0000';
/** A marked number as JSON.stringify quotes and escapes it. */
const NON_FINITE_PATTERN = /"\\u0000(NaN|-?Infinity)\\u0000"/g;
