import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ReflectionPad2d, type ReflectionPad2dConfig } from '../../layers/common/index.js';
import { option, optionSchema, registerLayer, singleInput, singleShape } from '../../layers/core/index.js';
import { ShapeError } from '../../util/index.js';

/** Config of {@link StemPad}. */
export interface StemPadConfig extends ReflectionPad2dConfig {
  /** Height and width must be multiples of this: 2^s for s stride-2 stages. */
  sizeMultiple: number;
}

/**
 * The ResNet generators' first reflection pad, which also refuses an input whose height or width
 * is not a multiple of `sizeMultiple`. Two stride-2 convs followed by two ×2 transposed convs give
 * back the input size only for multiples of 4: a 30×30 image would silently come out 32×32.
 * Checked when the model is built on a known size, counted (`countMacs`) and called; otherwise
 * exactly `ReflectionPad2d` (an exporter that knows ReflectionPad2d knows this layer).
 */
export class StemPad extends ReflectionPad2d {
  /** The name this class is registered and serialized under. */
  static override className = 'StemPad';
  /** The option it adds to ReflectionPad2d's. */
  static readonly stemOptions = optionSchema({ sizeMultiple: option.int({ min: 1, max: 1024 }) });
  readonly sizeMultiple: number;

  constructor(config: StemPadConfig) {
    const { sizeMultiple, ...pad } = config ?? {};
    super(pad);
    this.sizeMultiple = StemPad.stemOptions.parse(this.name, { sizeMultiple }).sizeMultiple;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    this.checkSize(singleShape(inputShape, this.name));
    return super.computeOutputShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    this.checkSize(singleInput(inputs, this.name).shape);
    return super.call(inputs);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...StemPad.stemOptions.config({ sizeMultiple: this.sizeMultiple }) };
  }

  private checkSize(shape: readonly (number | null)[]): void {
    const m = this.sizeMultiple;
    const [, h, w] = shape;
    if ((h != null && h % m !== 0) || (w != null && w % m !== 0)) {
      const out = (d: number | null | undefined): string => (d == null ? '?' : String(Math.ceil(d / m) * m));
      throw new ShapeError(
        `${this.name} input`,
        [...shape],
        `height and width multiples of ${m} (the stride-2 stages and the upsamplings would turn ${h ?? '?'}×${w ?? '?'} into ${out(h)}×${out(w)})`,
      );
    }
  }
}
registerLayer(StemPad);
