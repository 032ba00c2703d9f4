import * as tf from '@tensorflow/tfjs-core';
import { assertInt, assertRank, ConfigError, Random, ShapeError } from '../util/index.js';
import { assertFloatTensor, assertOptions } from './checks.js';

/**
 * The transformations of {@link diffAugment}, in the order they apply.
 *
 * @example
 * ```ts
 * const policy = DIFF_AUGMENT_OPS.join(','); // 'color,translation,cutout', DiffAugment's full policy
 * ```
 */
export const DIFF_AUGMENT_OPS = ['color', 'translation', 'cutout'] as const;

/**
 * One transformation of a {@link diffAugment} policy.
 *
 * @example
 * ```ts
 * const ops: DiffAugmentOp[] = ['translation', 'cutout'];
 * const augmented = diffAugment(images, { policy: ops.join(','), seed: 0 });
 * ```
 */
export type DiffAugmentOp = (typeof DIFF_AUGMENT_OPS)[number];

/** Options of {@link diffAugment} and {@link drawDiffAugment}. */
export interface DiffAugmentOptions {
  /** Comma-separated transformations. Default `'color,translation,cutout'` (DiffAugment's full policy). */
  policy?: string;
  /** Seed of the draw: the same seed and batch shape give the same transformation. */
  seed: number;
}

/**
 * One draw of DiffAugment's random parameters for a batch, per sample. A field is null when the
 * policy leaves its transformation out.
 */
export interface DiffAugmentDraw {
  /** `[N, H, W, C]` of the batch the draw is for. */
  shape: [number, number, number, number];
  /** Added to every value: U[−0.5, 0.5). */
  brightness: Float32Array | null;
  /** Scales each pixel's deviation from its channel mean: U[0, 2). */
  saturation: Float32Array | null;
  /** Scales each value's deviation from the image mean: U[0.5, 1.5). */
  contrast: Float32Array | null;
  /** Row shift `dy` and column shift `dx` per sample: out[i, j] = in[i + dy, j + dx], zeros outside. */
  translation: { dy: Int32Array; dx: Int32Array } | null;
  /** Zeroed window per sample: rows [top, top + height) ∩ image, columns [left, left + width) ∩ image. */
  cutout: { top: Int32Array; left: Int32Array; height: number; width: number } | null;
}

/** The policy as a set of transformations, after checking its names. */
function parsePolicy(policy: unknown): Set<DiffAugmentOp> {
  if (typeof policy !== 'string')
    throw new ConfigError('options.policy', policy, `a comma-separated string of ${DIFF_AUGMENT_OPS.join(', ')}`);
  const ops = new Set<DiffAugmentOp>();
  for (const raw of policy.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(DIFF_AUGMENT_OPS as readonly string[]).includes(name))
      throw new ConfigError(
        'options.policy',
        policy,
        `comma-separated names from ${DIFF_AUGMENT_OPS.join(', ')} ('${name}' is not one)`,
      );
    ops.add(name as DiffAugmentOp);
  }
  return ops;
}

/**
 * Draws DiffAugment's parameters for a batch of shape `[N, H, W, C]`, as Zhao et al.'s
 * `DiffAugment` (2020) draws them: brightness U[−0.5, 0.5), saturation U[0, 2), contrast
 * U[0.5, 1.5); translation by up to ⌊size/8 + ½⌋ pixels (integers, each axis); a cutout square of
 * half the size (⌊size/2 + ½⌋) centred anywhere, clipped at the borders. Every value comes from
 * `seed` (`Random`), so the same seed and shape give the same draw — apply it to the real and the
 * fake batch alike.
 *
 * @example
 * ```ts
 * const draw = drawDiffAugment([4, 64, 64, 3], { policy: 'translation,cutout', seed: 7 });
 * draw.translation?.dy; // 4 shifts in [−8, 8]
 * ```
 */
export function drawDiffAugment(shape: readonly number[], options: DiffAugmentOptions): DiffAugmentDraw {
  assertOptions('options', options, ['policy', 'seed']);
  const ops = parsePolicy(options.policy ?? 'color,translation,cutout');
  assertInt('options.seed', options.seed);
  if (!Array.isArray(shape) || shape.length !== 4)
    throw new ConfigError('shape', shape, '[N, H, W, C], four positive integers');
  shape.forEach((d, i) => assertInt(`shape[${i}]`, d, 1));
  const [n, h, w, c] = shape as [number, number, number, number];
  const rng = new Random(options.seed);
  const uniform = (lo: number, hi: number): Float32Array =>
    Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
  const ints = (lo: number, hi: number): Int32Array => Int32Array.from({ length: n }, () => lo + rng.int(hi - lo));
  const color = ops.has('color');
  const draw: DiffAugmentDraw = {
    shape: [n, h, w, c],
    brightness: color ? uniform(-0.5, 0.5) : null,
    saturation: color ? uniform(0, 2) : null,
    contrast: color ? uniform(0.5, 1.5) : null,
    translation: null,
    cutout: null,
  };
  if (ops.has('translation')) {
    const sy = Math.floor(h * 0.125 + 0.5);
    const sx = Math.floor(w * 0.125 + 0.5);
    draw.translation = { dy: ints(-sy, sy + 1), dx: ints(-sx, sx + 1) };
  }
  if (ops.has('cutout')) {
    const ch = Math.floor(h * 0.5 + 0.5);
    const cw = Math.floor(w * 0.5 + 0.5);
    // DiffAugment draws the centre in [0, size + (1 − cut % 2)) and starts cut // 2 before it.
    const top = ints(0, h + (1 - (ch % 2))).map((o) => o - Math.floor(ch / 2));
    const left = ints(0, w + (1 - (cw % 2))).map((o) => o - Math.floor(cw / 2));
    draw.cutout = { top, left, height: ch, width: cw };
  }
  return draw;
}

/**
 * Applies a {@link drawDiffAugment} draw to images: color (brightness, saturation, contrast), then
 * translation, then cutout, each where the draw has it. Differentiable with respect to the images
 * (the draw is constant).
 *
 * @throws {@link ShapeError} when the images do not have the shape the draw was made for.
 *
 * @example
 * ```ts
 * const step = 3;
 * const draw = drawDiffAugment(realImages.shape, { seed: step });
 * const [realAug, fakeAug] = [applyDiffAugment(realImages, draw), applyDiffAugment(fakeImages, draw)];
 * ```
 */
export function applyDiffAugment(images: tf.Tensor4D, draw: DiffAugmentDraw): tf.Tensor4D {
  assertFloatTensor('images', images);
  assertRank('images', images, 4);
  if (!tf.util.arraysEqual(images.shape, draw.shape))
    throw new ShapeError('images', images.shape, `the shape the draw was made for, [${draw.shape.join(',')}]`);
  const [n, h, w] = draw.shape;
  return tf.tidy(() => {
    const perSample = (v: Float32Array): tf.Tensor => tf.tensor4d(v, [n, 1, 1, 1]);
    let x: tf.Tensor4D = images;
    if (draw.brightness != null) x = tf.add(x, perSample(draw.brightness));
    if (draw.saturation != null) {
      const mean = tf.mean(x, 3, true);
      x = tf.add(tf.mul(tf.sub(x, mean), perSample(draw.saturation)), mean);
    }
    if (draw.contrast != null) {
      const mean = tf.mean(x, [1, 2, 3], true);
      x = tf.add(tf.mul(tf.sub(x, mean), perSample(draw.contrast)), mean);
    }
    if (draw.translation != null) {
      const { dy, dx } = draw.translation;
      const py = Math.max(...Array.from(dy, Math.abs));
      const px = Math.max(...Array.from(dx, Math.abs));
      const padded = tf.pad(x, [
        [0, 0],
        [py, py],
        [px, px],
        [0, 0],
      ]);
      const rows = Array.from({ length: n }, (_, b) =>
        tf.slice(padded, [b, py + (dy[b] as number), px + (dx[b] as number), 0], [1, h, w, -1]),
      );
      x = n === 1 ? (rows[0] as tf.Tensor4D) : tf.concat(rows, 0);
    }
    if (draw.cutout != null) x = tf.mul(x, cutoutMask(draw));
    // an empty policy still hands back a tensor of the caller's own
    return x === images ? tf.clone(x) : x;
  });
}

/** `[N, H, W, 1]`: 0 inside each sample's cutout window, 1 elsewhere. */
function cutoutMask(draw: DiffAugmentDraw): tf.Tensor4D {
  const [n, h, w] = draw.shape;
  const { top, left, height, width } = draw.cutout as NonNullable<DiffAugmentDraw['cutout']>;
  const mask = new Float32Array(n * h * w).fill(1);
  for (let b = 0; b < n; b++) {
    const r0 = Math.max(0, top[b] as number);
    const r1 = Math.min(h, (top[b] as number) + height);
    const c0 = Math.max(0, left[b] as number);
    const c1 = Math.min(w, (left[b] as number) + width);
    for (let r = r0; r < r1; r++) mask.fill(0, (b * h + r) * w + c0, (b * h + r) * w + Math.max(c0, c1));
  }
  return tf.tensor4d(mask, [n, h, w, 1]);
}

/**
 * DiffAugment (Zhao et al., "Differentiable Augmentation for Data-Efficient GAN Training", 2020):
 * random color, translation and cutout, differentiable so that the generator trains through
 * them. Apply it to both the real and the fake images the discriminator sees — with the same
 * `seed`, both get the same draw ({@link drawDiffAugment}).
 *
 * @param images `[N, H, W, C]`.
 * @throws {@link ConfigError} for an unknown policy name or a missing seed.
 *
 * @example
 * ```ts
 * const seed = 1234;
 * const realAug = diffAugment(realImages, { policy: 'color,translation,cutout', seed });
 * const fakeAug = diffAugment(fakeImages, { policy: 'color,translation,cutout', seed }); // same draw
 * ```
 */
export function diffAugment(images: tf.Tensor4D, options: DiffAugmentOptions): tf.Tensor4D {
  assertFloatTensor('images', images);
  assertRank('images', images, 4);
  return applyDiffAugment(images, drawDiffAugment(images.shape, options));
}
