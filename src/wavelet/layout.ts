import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../util/index.js';

/** Channel layouts of Haar coefficients: ours (band-major) or MobileStyleGAN's (interleaved). */
export type ChannelLayout = 'bandmajor' | 'interleaved';

/** The layouts {@link ChannelLayout} allows (lower case, no underscores: they survive tfjs serialization). */
export const CHANNEL_LAYOUTS: readonly ChannelLayout[] = ['bandmajor', 'interleaved'];

function checkLast(argument: string, y: tf.Tensor): void {
  if (!(y instanceof tf.Tensor)) throw new ConfigError(argument, y, 'a tf.Tensor whose last axis has 4·C entries');
  if (y.rank < 1 || (y.shape[y.rank - 1] as number) % 4 !== 0 || y.shape[y.rank - 1] === 0) {
    throw new ShapeError(argument, y.shape, 'a tensor whose last axis has 4·C entries, C ≥ 1');
  }
}

/** Swaps the two detail axes of the last dimension: `[LL(C) | details as (a, b)]` → `[LL | (b, a)]`. */
function swapDetailAxes(y: tf.Tensor, a: number, b: number): tf.Tensor {
  if (y.size === 0) return tf.clone(y); // nothing to permute (tfjs's slice kernels fail on empty tensors)
  return tf.tidy(() => {
    const c = (y.shape[y.rank - 1] as number) / 4;
    const rows = y.size / (4 * c);
    const flat = tf.reshape(y, [rows, 4 * c]);
    const low = tf.slice(flat, [0, 0], [rows, c]);
    const details = tf.reshape(
      tf.transpose(tf.reshape(tf.slice(flat, [0, c], [rows, 3 * c]), [rows, a, b]), [0, 2, 1]),
      [rows, 3 * c],
    );
    return tf.reshape(tf.concat([low, details], 1), y.shape);
  });
}

/**
 * Converts Haar coefficients from this library's band-major layout `[LL | LH | HL | HH]` to
 * MobileStyleGAN's interleaved one, along the last axis (any rank, so it also permutes bias
 * vectors and kernels' output axes).
 *
 * For `4C` entries, MobileStyleGAN keeps the `C` LL channels first, then channel `C + 3c + j`
 * holds band `j` (0, 1, 2 = LH, HL, HH) of channel `c`; so interleaved index `C + 3c + j` takes
 * band-major index `(j + 1)·C + c`. This is the layout of its 12-channel image heads (C = 3) and
 * of the input of its IDWT upsampler.
 *
 * @throws {@link ShapeError} when the last axis is not a multiple of 4.
 *
 * @example
 * ```ts
 * const rgb = tf.randomUniform([1, 64, 64, 3], -1, 1) as tf.Tensor4D;
 * const y = haarDwt(rgb);                   // [1, 32, 32, 12]: LL_RGB, LH_RGB, HL_RGB, HH_RGB
 * const msg = toMobileStyleGanLayout(y);    // LL_RGB, (LH,HL,HH)_R, (LH,HL,HH)_G, (LH,HL,HH)_B
 * ```
 */
export function toMobileStyleGanLayout<T extends tf.Tensor>(y: T): T {
  checkLast('y', y);
  return swapDetailAxes(y, 3, (y.shape[y.rank - 1] as number) / 4) as T;
}

/**
 * Inverse of {@link toMobileStyleGanLayout}: MobileStyleGAN's interleaved coefficients (LL of the
 * C channels, then `(LH, HL, HH)` per channel) to band-major `[LL | LH | HL | HH]`, along the last
 * axis.
 *
 * @throws {@link ShapeError} when the last axis is not a multiple of 4.
 *
 * @example
 * ```ts
 * const g = MobileSynthesisNetwork({ channels: [64, 64, 32], styleDim: 64 }); // 32² images
 * const [, ...pyramid] = g.predict(tf.randomNormal([1, 64])) as tf.Tensor4D[];
 * const freq = pyramid.at(-1) as tf.Tensor4D;                // the last to_img output, 16² × 12, interleaved
 * const img = haarIdwt(fromMobileStyleGanLayout(freq));      // [1, 32, 32, 3], the image g returned
 * ```
 */
export function fromMobileStyleGanLayout<T extends tf.Tensor>(y: T): T {
  checkLast('y', y);
  return swapDetailAxes(y, (y.shape[y.rank - 1] as number) / 4, 3) as T;
}

/** Converts coefficients in `layout` to band-major (a no-op for `'bandmajor'`). */
export function toBandMajor<T extends tf.Tensor>(y: T, layout: ChannelLayout): T {
  return layout === 'interleaved' ? fromMobileStyleGanLayout(y) : y;
}

/** Converts band-major coefficients to `layout` (a no-op for `'bandmajor'`). */
export function fromBandMajor<T extends tf.Tensor>(y: T, layout: ChannelLayout): T {
  return layout === 'interleaved' ? toMobileStyleGanLayout(y) : y;
}
