import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../util/index.js';
import { assertInt, assertKnownKeys } from '../util/index.js';
import { FeatureStats, type GaussianStats } from './feature_stats.js';
import { frechetDistance } from './frechet.js';

/**
 * Anything that maps a batch of images `[B, H, W, C]` to features `[B, d]` (or `[B, 1, 1, d]`):
 * a model with `predict` (tf.LayersModel, tf.GraphModel) or a function, possibly async.
 */
export type FeatureExtractor = PredictingModel | ((images: tf.Tensor4D) => tf.Tensor | Promise<tf.Tensor>);

/** A model used as a feature extractor: tf.LayersModel, tf.GraphModel or anything with the same `predict`. */
export interface PredictingModel {
  /** Features of a batch of images; must return a single tensor here. */
  predict(x: tf.Tensor): tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;
}

/** Images: one `[N, H, W, C]` tensor, or a (sync or async) sequence of `[H, W, C]` images or `[B, H, W, C]` batches. */
export type ImageSource = tf.Tensor4D | Iterable<tf.Tensor3D | tf.Tensor4D> | AsyncIterable<tf.Tensor3D | tf.Tensor4D>;

/** Options of {@link extractFeatureStats} and {@link fidFromExtractor}. */
export interface ExtractOptions {
  /** Images per extractor call. Default 50 (pytorch-fid's default). */
  batchSize?: number;
  /**
   * Resize every image to this size `[height, width]` (or a square side) before extraction:
   * bilinear with half-pixel centres and no antialiasing — PyTorch's
   * `F.interpolate(mode='bilinear', align_corners=False)`, which pytorch-fid's InceptionV3 uses
   * for its 299×299 input. Default: no resizing.
   */
  size?: number | [number, number];
}

/** The largest side `options.size` resizes to (a 16384² RGB float32 image is 3 GiB). */
const MAX_SIDE = 16384;

/**
 * Runs a user-supplied feature extractor over images in batches and accumulates the
 * float64 statistics of its outputs. The caller's image tensors are not disposed; batches,
 * resized copies and the extractor's outputs are.
 * Images reach the extractor as float32 in their original value range (normalisation belongs
 * to the extractor).
 *
 * @example
 * ```ts
 * const inception = await tf.loadGraphModel(fileSystem('inception/model.json')); // your own converted weights
 * const real = await extractFeatureStats(inception, realImages, { batchSize: 32, size: 299 });
 * fs.writeFileSync('real.bin', real.toBinary());
 * ```
 */
export async function extractFeatureStats(
  extractor: FeatureExtractor,
  images: ImageSource,
  options: ExtractOptions = {},
  argument = 'images',
): Promise<FeatureStats> {
  const run = checkExtractor(extractor);
  if (options == null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigError('options', options, 'an object { batchSize?, size? }');
  assertKnownKeys(
    'options',
    options as Record<string, unknown>,
    ['batchSize', 'size'],
    'an option of extractFeatureStats',
  );
  const batchSize = options.batchSize ?? 50;
  assertInt('options.batchSize', batchSize, 1);
  const size =
    options.size === undefined
      ? null
      : typeof options.size === 'number'
        ? ([options.size, options.size] as [number, number])
        : options.size;
  if (size !== null) {
    if (!Array.isArray(size) || size.length !== 2)
      throw new ConfigError('options.size', options.size, 'a side length or [height, width]');
    assertInt('options.size[0]', size[0], 1, MAX_SIDE);
    assertInt('options.size[1]', size[1], 1, MAX_SIDE);
  }
  let stats: FeatureStats | null = null;
  let index = 0;
  for await (const batch of batches(images, batchSize, argument)) {
    const input = tf.tidy(() => {
      const x = batch.dtype === 'float32' ? batch : tf.cast(batch, 'float32');
      if (size === null || (x.shape[1] === size[0] && x.shape[2] === size[1])) return x === batch ? tf.clone(x) : x;
      return tf.image.resizeBilinear(x, size, false, true);
    });
    disposeIfOwned(batch); // input is always a new tensor (a clone shares the data)
    let output: tf.Tensor | null = null;
    try {
      output = await run(input);
      const [b, d] = featureShape(output, input.shape[0], index);
      const data = await output.data();
      for (let k = 0; k < data.length; k++) {
        if (!Number.isFinite(data[k]))
          throw new ConfigError(
            `extractor output for batch ${index}, [${Math.floor(k / d)}][${k % d}]`,
            data[k],
            'a finite feature value',
          );
      }
      stats ??= new FeatureStats(d);
      if (d !== stats.dim)
        throw new ShapeError(
          `extractor output for batch ${index}`,
          output.shape,
          `[${b}, ${stats.dim}] like the first batch`,
        );
      stats.updateRows(data, b);
    } finally {
      if (output !== null && output !== input) output.dispose();
      input.dispose();
    }
    index++;
  }
  if (stats === null) throw new ConfigError(argument, 'no images', 'at least one image');
  return stats;
}

/**
 * Fréchet distance between the extractor's features of two image sets (the FID when the
 * extractor is Inception-v3 pool3 with the TF-FID weights, which this library does not ship):
 * {@link extractFeatureStats} on each set — or precomputed statistics — then
 * {@link frechetDistance}.
 *
 * @param imagesA images, or statistics computed before (e.g. of the real set)
 * @param imagesB images, or statistics computed before
 * @example
 * ```ts
 * const inception = await tf.loadGraphModel(fileSystem('inception/model.json'));
 * const reference = FeatureStats.fromBinary(fs.readFileSync('real.bin')); // see extractFeatureStats
 * const score = await fidFromExtractor(inception, reference, fakeImages, { batchSize: 32, size: 299 });
 * ```
 */
export async function fidFromExtractor(
  extractor: FeatureExtractor,
  imagesA: ImageSource | FeatureStats | GaussianStats,
  imagesB: ImageSource | FeatureStats | GaussianStats,
  options: ExtractOptions = {},
): Promise<number> {
  const statsOf = async (
    x: ImageSource | FeatureStats | GaussianStats,
    name: string,
  ): Promise<FeatureStats | GaussianStats> =>
    x instanceof FeatureStats || isGaussian(x) ? x : extractFeatureStats(extractor, x, options, name);
  const a = await statsOf(imagesA, 'imagesA');
  const b = await statsOf(imagesB, 'imagesB');
  return frechetDistance(a, b);
}

function isGaussian(x: unknown): x is GaussianStats {
  return x != null && typeof x === 'object' && !(x instanceof tf.Tensor) && 'mu' in x && 'sigma' in x;
}

function checkExtractor(extractor: FeatureExtractor): (x: tf.Tensor4D) => tf.Tensor | Promise<tf.Tensor> {
  if (typeof extractor === 'function') {
    return async (x) => {
      const y = await extractor(x);
      if (!(y instanceof tf.Tensor)) throw new ConfigError('extractor output', y, 'a tf.Tensor of features [batch, d]');
      return y;
    };
  }
  if (extractor != null && typeof extractor === 'object' && typeof extractor.predict === 'function') {
    return (x) => {
      const y = extractor.predict(x);
      if (!(y instanceof tf.Tensor)) {
        tf.dispose(y);
        throw new ConfigError(
          'extractor.predict output',
          Array.isArray(y) ? `${y.length} tensors` : 'a tensor map',
          'a single tf.Tensor of features [batch, d]',
        );
      }
      return y;
    };
  }
  throw new ConfigError(
    'extractor',
    extractor,
    'a model with predict() (tf.LayersModel, tf.GraphModel) or a function images → features',
  );
}

/** [batch, d] of an extractor output: rank 2, or rank 4 with 1×1 spatial size (pooled maps). */
function featureShape(y: tf.Tensor, batch: number, index: number): [number, number] {
  const shape = y.shape;
  const d = shape[shape.length - 1] as number;
  const pooled = shape.length === 4 && shape[1] === 1 && shape[2] === 1;
  if ((shape.length !== 2 && !pooled) || shape[0] !== batch) {
    throw new ShapeError(
      `extractor output for batch ${index}`,
      shape,
      `[${batch}, d] or [${batch}, 1, 1, d] (pooled features, one row per image)`,
    );
  }
  return [batch, d];
}

/** Batches created here (slices, stacks) are disposed after use; the caller's tensors never are. */
const owned = new WeakSet<tf.Tensor>();

function disposeIfOwned(t: tf.Tensor): void {
  if (owned.has(t)) t.dispose();
}

async function* batches(images: ImageSource, batchSize: number, argument: string): AsyncGenerator<tf.Tensor4D> {
  if (images instanceof tf.Tensor) {
    if (images.rank !== 4)
      throw new ShapeError(argument, images.shape, 'rank 4 [N, H, W, C] (or pass a sequence of [H, W, C] images)');
    yield* splitBatch(images, batchSize);
    return;
  }
  const iterable = images as Iterable<tf.Tensor> | AsyncIterable<tf.Tensor>;
  if (
    iterable == null ||
    (typeof (iterable as Iterable<tf.Tensor>)[Symbol.iterator] !== 'function' &&
      typeof (iterable as AsyncIterable<tf.Tensor>)[Symbol.asyncIterator] !== 'function')
  ) {
    throw new ConfigError(argument, images, 'a tf.Tensor4D, or an iterable of [H, W, C] images / [B, H, W, C] batches');
  }
  let pending: tf.Tensor3D[] = [];
  const flush = (): tf.Tensor4D => {
    const b = tf.stack(pending) as tf.Tensor4D;
    owned.add(b);
    pending = [];
    return b;
  };
  let i = 0;
  for await (const item of iterable) {
    if (!(item instanceof tf.Tensor) || (item.rank !== 3 && item.rank !== 4)) {
      throw new ConfigError(
        `${argument}[${i}]`,
        item instanceof tf.Tensor ? `a tensor of shape [${item.shape.join(',')}]` : item,
        'a tf.Tensor3D image [H, W, C] or a tf.Tensor4D batch',
      );
    }
    if (item.rank === 4) {
      if (pending.length > 0) yield flush();
      yield* splitBatch(item as tf.Tensor4D, batchSize);
    } else {
      pending.push(item as tf.Tensor3D);
      if (pending.length === batchSize) yield flush();
    }
    i++;
  }
  if (pending.length > 0) yield flush();
}

function* splitBatch(x: tf.Tensor4D, batchSize: number): Generator<tf.Tensor4D> {
  const n = x.shape[0];
  if (n <= batchSize) {
    yield x;
    return;
  }
  for (let start = 0; start < n; start += batchSize) {
    const b = tf.slice(x, [start, 0, 0, 0], [Math.min(batchSize, n - start), -1, -1, -1]);
    owned.add(b);
    yield b;
  }
}
