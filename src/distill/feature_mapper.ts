import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../util/index.js';
import {
  baseLayerArgs,
  option,
  optionSchema,
  registerLayer,
  singleInput,
  singleShape,
  type Initializer,
  type InitializerSpec,
  type LayerArgs,
} from '../layers/core/index.js';

/** Config of {@link FeatureMapper}. */
export interface FeatureMapperConfig extends LayerArgs {
  /** The student feature's width (channels), the input side. */
  studentChannels: number;
  /** The teacher feature's width, the output side. */
  teacherChannels: number;
  /**
   * Accept inputs narrower than `studentChannels` and use the first input channels of the
   * kernel — GAN Compression's SuperConv2d adaptor in a supernet, where the student's active
   * width changes per step. Default false: the input must have exactly `studentChannels`.
   */
  sliceInput?: boolean;
  /** Default true (GAN Compression's adaptors have a bias). */
  useBias?: boolean;
  /** Default `'pytorchLinear'`: U(±1/√studentChannels), PyTorch's Conv2d default. */
  kernelInitializer?: InitializerSpec;
  /** Default U(±1/√studentChannels), PyTorch's Conv2d bias default. */
  biasInitializer?: InitializerSpec;
  /** Seed of the initializers (the bias draws from `seed + 1`). */
  seed?: number;
}

const OPTIONS = optionSchema({
  studentChannels: option.int({ min: 1 }),
  teacherChannels: option.int({ min: 1 }),
  sliceInput: option.bool(false),
  useBias: option.bool(true),
  kernelInitializer: option.initializer({ default: 'pytorchLinear' }),
  // PyTorch's Conv2d bias default, U(±1/√fanIn), depends on the student width.
  biasInitializer: option.initializer({
    default: 'zeros',
    defaultFrom:
      ({ studentChannels }) =>
      (seed) => {
        const bound = 1 / Math.sqrt(studentChannels as number);
        return tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
      },
    seedOffset: 1,
  }),
  seed: option.seed(),
});

/** Options of {@link FeatureMapper.fromShapes}: the config without the two widths. */
export type FeatureMapperOptions = Omit<FeatureMapperConfig, 'studentChannels' | 'teacherChannels'>;

/**
 * GAN Compression's distillation adaptor: a learnable 1×1 convolution (with bias) from the
 * student's feature width to the teacher's, applied to the student's feature before the
 * distillation distance (the maintainers put it on the student to avoid trivial solutions). Its
 * weights train with the student, in the generator's optimizer.
 *
 * With `sliceInput` it maps a student whose width changes per step (a once-for-all supernet): its
 * kernel is built for the full student width and an input of `c` channels uses the kernel's first
 * `c` input channels, as GAN Compression calls its SuperConv2d adaptors with the full teacher
 * width as output. Gradients reach only the slice used.
 *
 * @example
 * ```ts
 * const studentFeature = tf.randomNormal([2, 16, 16, 32]);
 * const mapper = FeatureMapper.fromShapes([null, 16, 16, 32], [null, 16, 16, 256], { seed: 1 });
 * const mapped = mapper.apply(studentFeature) as tf.Tensor; // [n, 16, 16, 256]
 * ```
 */
export class FeatureMapper extends tfl.layers.Layer {
  /** The name this class is registered and serialized under. */
  static className = 'FeatureMapper';
  /** The options it takes (see {@link FeatureMapperConfig}). */
  static readonly options = OPTIONS;
  readonly studentChannels: number;
  readonly teacherChannels: number;
  readonly sliceInput: boolean;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private readonly kernelInit: Initializer;
  private readonly biasInit: Initializer;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(config: FeatureMapperConfig) {
    super(baseLayerArgs(config));
    const o = OPTIONS.parse(this.name, config);
    this.studentChannels = o.studentChannels;
    this.teacherChannels = o.teacherChannels;
    this.sliceInput = o.sliceInput;
    this.useBias = o.useBias;
    this.seed = o.seed;
    this.kernelInit = o.kernelInitializer;
    this.biasInit = o.biasInitializer;
  }

  /**
   * A mapper from the width of a student feature to the width of a teacher feature, after
   * checking that both are NHWC with known channels and the same height and width (where known).
   *
   * @throws {@link ShapeError} naming `studentShape` or `teacherShape`.
   */
  static fromShapes(
    studentShape: readonly (number | null)[],
    teacherShape: readonly (number | null)[],
    options: FeatureMapperOptions = {},
  ): FeatureMapper {
    for (const [arg, s] of [
      ['studentShape', studentShape],
      ['teacherShape', teacherShape],
    ] as const) {
      if (!Array.isArray(s) || s.length !== 4 || s[3] == null || s[3] < 1)
        throw new ShapeError(arg, Array.isArray(s) ? s : [], 'NHWC (rank 4) with a known channel count');
    }
    for (const axis of [1, 2]) {
      const a = studentShape[axis];
      const b = teacherShape[axis];
      if (a != null && b != null && a !== b)
        throw new ShapeError(
          'teacherShape',
          [...teacherShape],
          `the height and width of studentShape [${studentShape.join(',')}] (a 1×1 mapper keeps the size)`,
        );
    }
    return new FeatureMapper({
      ...options,
      studentChannels: studentShape[3] as number,
      teacherChannels: teacherShape[3] as number,
    });
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = singleShape(inputShape, this.name);
    this.checkWidth(s);
    this.kernel = this.addWeight(
      'kernel',
      [1, 1, this.studentChannels, this.teacherChannels],
      'float32',
      this.kernelInit,
    );
    if (this.useBias) this.bias = this.addWeight('bias', [this.teacherChannels], 'float32', this.biasInit);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name) as tf.Tensor4D;
      const c = this.checkWidth(x.shape);
      let kernel = (this.kernel as tfl.LayerVariable).read() as tf.Tensor4D;
      if (c < this.studentChannels) kernel = tf.slice(kernel, [0, 0, 0, 0], [1, 1, c, this.teacherChannels]);
      return tf.fused.conv2d({ x, filter: kernel, strides: 1, pad: 'valid', bias: this.bias?.read() });
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = singleShape(inputShape, this.name);
    this.checkWidth(s);
    return [...s.slice(0, 3), this.teacherChannels];
  }

  /** The input's width, after checking it against `studentChannels` (and `sliceInput`). */
  private checkWidth(shape: readonly (number | null)[]): number {
    const c = shape[3];
    const ok =
      shape.length === 4 &&
      c != null &&
      (c === this.studentChannels || (this.sliceInput && c >= 1 && c < this.studentChannels));
    if (!ok)
      throw new ShapeError(
        `${this.name} input`,
        [...shape],
        this.sliceInput
          ? `NHWC with at most ${this.studentChannels} channels (the full student width)`
          : `NHWC with ${this.studentChannels} channels (the student width; set sliceInput for a supernet)`,
      );
    return c;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ...OPTIONS.config({
        studentChannels: this.studentChannels,
        teacherChannels: this.teacherChannels,
        sliceInput: this.sliceInput,
        useBias: this.useBias,
        kernelInitializer: this.kernelInit,
        biasInitializer: this.biasInit,
        seed: this.seed,
      }),
    };
  }
}
registerLayer(FeatureMapper);
