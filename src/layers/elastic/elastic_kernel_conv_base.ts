import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { dilateKernel } from '../common/index.js';
import { effectiveKernel } from '../../util/index.js';
import { built, type OptionSchema, type OptionValues } from '../core/index.js';
import { ELASTIC_CONV_BASE_OPTIONS, ElasticConvBase, type ElasticConvBaseArgs } from './elastic_conv_base.js';
import {
  ELASTIC_CONV_GEOMETRY_OPTIONS,
  ElasticConvGeometry,
  type ElasticConvGeometryConfig,
} from './elastic_geometry.js';
import { KernelTransforms } from './kernel_transform_weights.js';
import { fillWeights, prefix } from '../core/index.js';

/** The options of the elastic convs with an elastic kernel: the base's and the geometry. */
export interface ElasticKernelConvBaseArgs extends ElasticConvBaseArgs, ElasticConvGeometryConfig {}

/**
 * The schema of {@link ElasticKernelConvBaseArgs}: {@link ELASTIC_CONV_BASE_OPTIONS} and the
 * geometry's.
 *
 * @example
 * ```ts
 * const { kernelSizeChoices } = ELASTIC_KERNEL_CONV_OPTIONS.parse('conv', { kernelSize: 5, kernelSizeChoices: [3, 5] });
 * ```
 */
export const ELASTIC_KERNEL_CONV_OPTIONS = ELASTIC_CONV_BASE_OPTIONS.extend(ELASTIC_CONV_GEOMETRY_OPTIONS);

/** The resolved options of an elastic conv with an elastic kernel. */
export type ElasticKernelConvBaseValues = OptionValues<typeof ELASTIC_KERNEL_CONV_OPTIONS>;

/**
 * The elastic convs whose kernel size is elastic too ({@link OnceForAllConv},
 * {@link ElasticDepthwiseConv2d}, {@link ElasticSeparableConv2d}): square full kernels, the
 * geometry rules of {@link ElasticConvGeometryConfig} (pads that shrink with the active kernel,
 * reflection) and OFA's learned kernel-transformation matrices, applied to the first channels
 * of the full kernel.
 *
 * @example
 * ```ts
 * const kernels = model.layers.filter((l) => l instanceof ElasticKernelConvBase).map((l) => l.getActive().kernelSize);
 * ```
 */
export abstract class ElasticKernelConvBase extends ElasticConvBase {
  /** @internal The resolved kernel, stride, dilation and padding rules. */
  readonly geometry: ElasticConvGeometry;
  declare protected readonly options: ElasticKernelConvBaseValues;
  private readonly transforms: KernelTransforms;

  /** @param schema The subclass's option schema, extending {@link ELASTIC_KERNEL_CONV_OPTIONS}. */
  protected constructor(config: ElasticKernelConvBaseArgs, schema: OptionSchema<ElasticKernelConvBaseValues>) {
    super(config, schema);
    this.geometry = new ElasticConvGeometry(this.options);
    this.transforms = new KernelTransforms(this.geometry.kernelSizeChoices);
    this.activeKernel = this.geometry.kernelSize;
  }

  /** @internal For `build`, after the layer's own weights: the transformation matrices. */
  protected buildKernelTransforms(): void {
    this.transforms.build((name, shape, init) => this.addWeight(name, shape, 'float32', init));
  }

  /** @internal The active k×k kernel from the leading `[K, K, a, b]` block of a full kernel (call inside a tidy). */
  protected activeKernelOf(variable: tfl.LayerVariable | null, a: number, b: number): tf.Tensor4D {
    const k = this.geometry.kernelSize;
    return this.transforms.apply(
      prefix(built(this.name, variable).read() as tf.Tensor4D, [k, k, a, b]),
      this.activeKernel,
    );
  }

  /**
   * @internal Exports a depthwise conv at the active kernel as a built-in DepthwiseConv2D called
   * `name` (after a padding layer when needed); `weights` makes its `[kernel, bias?]`. tfjs-layers'
   * DepthwiseConv2D ignores `dilationRate`, so a dilated kernel is exported spread out (zeros
   * between the taps), which computes the same function.
   */
  protected exportDepthwise(
    input: tfl.SymbolicTensor,
    name: string,
    depthMultiplier: number,
    weights: () => tf.Tensor[],
  ): tfl.SymbolicTensor {
    const { x, padding } = this.geometry.exportPadding(input, this.activeKernel, this.name);
    const [dh, dw] = this.geometry.dilationRate;
    const conv = tfl.layers.depthwiseConv2d({
      name,
      kernelSize: [effectiveKernel(this.activeKernel, dh), effectiveKernel(this.activeKernel, dw)],
      depthMultiplier,
      strides: this.geometry.strides,
      padding,
      useBias: this.useBias,
    });
    const y = conv.apply(x) as tfl.SymbolicTensor;
    fillWeights(conv, () => {
      const [kernel, ...bias] = weights();
      return [dilateKernel(kernel as tf.Tensor4D, [dh, dw]), ...bias];
    });
    return y;
  }
}
