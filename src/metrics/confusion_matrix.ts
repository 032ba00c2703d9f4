import * as tf from '@tensorflow/tfjs-core';
import { assertInt, assertKnownKeys, ConfigError, ShapeError } from '../util/index.js';

/** The most classes a confusion matrix holds: its k² float64 counts must fit in memory (65536² = 32 GiB would not). */
const MAX_CLASSES = 16384;

/** Options of {@link ConfusionMatrix} and {@link meanIoU}. */
export interface ConfusionMatrixOptions {
  /** Label value of pixels left out (void / unlabelled). Default 255; null to ignore nothing. */
  ignoreIndex?: number | null;
}

/** Result of {@link meanIoU} and {@link ConfusionMatrix.result}. */
export interface IoUResult {
  /** Mean of the per-class IoU over classes present in prediction or label (numpy's nanmean); NaN if none is. */
  meanIoU: number;
  /** IoU of each class, NaN for a class absent from both prediction and label. */
  perClassIoU: number[];
  /** Correctly labelled pixels / counted pixels (NaN if none were counted). */
  pixelAccuracy: number;
}

/**
 * A confusion matrix of semantic segmentation, accumulated over batches (the Cityscapes
 * protocol of GAN Compression and pix2pix: one matrix over all images, then per-class
 * IoU = TP / (TP + FP + FN) = diag / (row sum + column sum − diag), and the mean over classes
 * that occur, with absent classes NaN and skipped). Rows are labels, columns predictions.
 *
 * @example
 * ```ts
 * const cm = new ConfusionMatrix(19); // Cityscapes train ids, void = 255
 * // for every batch: your segmentation network's prediction and the int32 labels [N, H, W]
 * cm.update(tf.argMax(model.predict(images) as tf.Tensor4D, -1), labels);
 * const { meanIoU, perClassIoU } = cm.result();
 * console.log((100 * meanIoU).toFixed(2)); // as the papers report it
 * ```
 */
export class ConfusionMatrix {
  /** Number of classes K. */
  readonly numClasses: number;
  /** Ignored label value, or null. */
  readonly ignoreIndex: number | null;
  /** K×K counts, row-major: counts[label · K + prediction]. */
  readonly counts: Float64Array;

  constructor(numClasses: number, options: ConfusionMatrixOptions = {}) {
    assertInt('numClasses', numClasses, 1, MAX_CLASSES);
    if (options == null || typeof options !== 'object' || Array.isArray(options))
      throw new ConfigError('options', options, 'an object { ignoreIndex? }');
    assertKnownKeys('options', options as Record<string, unknown>, ['ignoreIndex'], 'an option of ConfusionMatrix');
    const ignoreIndex = options.ignoreIndex === undefined ? 255 : options.ignoreIndex;
    if (ignoreIndex !== null) assertInt('options.ignoreIndex', ignoreIndex);
    this.numClasses = numClasses;
    this.ignoreIndex = ignoreIndex;
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Counts one batch: integer (int32) tensors of equal shape, `[N, H, W]` or `[H, W]`. Labels
   * must lie in [0, K) or equal `ignoreIndex`; predictions in [0, K). Tensors are read, not disposed.
   *
   * @example
   * ```ts
   * const cm = new ConfusionMatrix(19);
   * const logits = model.predict(images) as tf.Tensor4D; // [N, H, W, 19]
   * cm.update(tf.argMax(logits, -1), labels);            // int32 [N, H, W] both
   * ```
   */
  update(pred: tf.Tensor, label: tf.Tensor): this {
    for (const [name, x] of [
      ['pred', pred],
      ['label', label],
    ] as const) {
      if (!(x instanceof tf.Tensor)) throw new ConfigError(name, x, 'an int32 tf.Tensor [N, H, W] or [H, W]');
      if (x.rank !== 2 && x.rank !== 3) throw new ShapeError(name, x.shape, 'rank 2 [H, W] or rank 3 [N, H, W]');
      if (x.dtype !== 'int32')
        throw new ConfigError(`${name}.dtype`, x.dtype, "'int32' (class indices; use tf.argMax or tf.cast)");
    }
    if (pred.rank !== label.rank || pred.shape.some((s, i) => s !== label.shape[i])) {
      throw new ShapeError('label', label.shape, `[${pred.shape.join(',')}], the shape of pred`);
    }
    this.countArrays(pred.dataSync() as Int32Array, label.dataSync() as Int32Array, label.shape);
    return this;
  }

  private countArrays(pred: Int32Array, label: Int32Array, shape: readonly number[]): void {
    const k = this.numClasses;
    const where = (i: number): string => {
      const idx: number[] = [];
      let rest = i;
      for (let d = shape.length - 1; d >= 0; d--) {
        idx.unshift(rest % (shape[d] as number));
        rest = Math.floor(rest / (shape[d] as number));
      }
      return `[${idx.join(',')}]`;
    };
    // Validate before counting so a bad batch leaves the matrix unchanged.
    for (let i = 0; i < label.length; i++) {
      const l = label[i] as number;
      const p = pred[i] as number;
      if (p < 0 || p >= k) throw new ConfigError(`pred${where(i)}`, p, `a class index in [0, ${k})`);
      if ((l < 0 || l >= k) && l !== this.ignoreIndex) {
        throw new ConfigError(
          `label${where(i)}`,
          l,
          `a class index in [0, ${k})${this.ignoreIndex === null ? '' : ` or the ignore index ${this.ignoreIndex}`}`,
        );
      }
    }
    for (let i = 0; i < label.length; i++) {
      const l = label[i] as number;
      if (l === this.ignoreIndex) continue;
      this.counts[l * k + (pred[i] as number)]! += 1;
    }
  }

  /**
   * Adds another matrix's counts (same number of classes).
   *
   * @example
   * ```ts
   * const total = new ConfusionMatrix(19);
   * const shard = new ConfusionMatrix(19).update(tf.argMax(model.predict(images) as tf.Tensor4D, -1), labels); // e.g. a worker's
   * total.merge(shard);
   * ```
   */
  merge(other: ConfusionMatrix): this {
    if (!(other instanceof ConfusionMatrix) || other.numClasses !== this.numClasses) {
      throw new ConfigError(
        'other',
        other instanceof ConfusionMatrix ? `a ConfusionMatrix of ${other.numClasses} classes` : other,
        `a ConfusionMatrix of ${this.numClasses} classes`,
      );
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i] as number;
    return this;
  }

  /**
   * Per-class IoU, their nanmean and the pixel accuracy of everything counted so far.
   *
   * @example
   * ```ts
   * const cm = new ConfusionMatrix(19).update(tf.argMax(model.predict(images) as tf.Tensor4D, -1), labels);
   * const { meanIoU, perClassIoU, pixelAccuracy } = cm.result();
   * ```
   */
  result(): IoUResult {
    const k = this.numClasses;
    const perClassIoU: number[] = [];
    let sum = 0;
    let present = 0;
    let correct = 0;
    let total = 0;
    for (let c = 0; c < k; c++) {
      let rowSum = 0;
      let colSum = 0;
      for (let j = 0; j < k; j++) {
        rowSum += this.counts[c * k + j] as number;
        colSum += this.counts[j * k + c] as number;
      }
      const tp = this.counts[c * k + c] as number;
      const union = rowSum + colSum - tp;
      const iou = union > 0 ? tp / union : NaN;
      perClassIoU.push(iou);
      if (!Number.isNaN(iou)) {
        sum += iou;
        present++;
      }
      correct += tp;
      total += rowSum;
    }
    return {
      meanIoU: present > 0 ? sum / present : NaN,
      perClassIoU,
      pixelAccuracy: total > 0 ? correct / total : NaN,
    };
  }
}

/**
 * Mean intersection-over-union of one prediction against its label map (see
 * {@link ConfusionMatrix} to accumulate over a data set, as the Cityscapes protocol does).
 *
 * @param pred predicted class indices, int32 `[N, H, W]` or `[H, W]`
 * @param label true class indices, same shape; `ignoreIndex` pixels are skipped
 * @param numClasses K (19 for Cityscapes train ids)
 * @example
 * ```ts
 * const pred = tf.argMax(model.predict(images) as tf.Tensor4D, -1); // int32 [N, H, W], like labels
 * const { meanIoU: miou, perClassIoU } = meanIoU(pred, labels, 19); // ignoreIndex 255
 * ```
 */
export function meanIoU(
  pred: tf.Tensor,
  label: tf.Tensor,
  numClasses: number,
  options: ConfusionMatrixOptions = {},
): IoUResult {
  return new ConfusionMatrix(numClasses, options).update(pred, label).result();
}
