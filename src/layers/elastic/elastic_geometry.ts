import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../../util/index.js';
import { limitedPair, option, optionSchema, SIZE_LIMITS, type OptionValues } from '../core/index.js';
import {
  checkPadding,
  convOutputLength,
  effectiveKernel,
  explicitPads,
  samePads,
  type PadMode,
  type Pads2d,
  type Padding2d,
} from '../../util/index.js';
import { pad2d } from '../common/index.js';
import { ReflectionPad2d } from '../common/index.js';

/**
 * The geometry options the elastic convs share (tf.layers.conv2d's names, plus `kernelSizeChoices` and `padMode`).
 *
 * @example
 * ```ts
 * const geometry: ElasticConvGeometryConfig = { kernelSize: 7, kernelSizeChoices: [3, 5, 7], padding: 3, padMode: 'reflect' };
 * const conv = new OnceForAllConv({ filters: 64, ...geometry }); // at kernel 5 the pads become 2
 * ```
 */
export interface ElasticConvGeometryConfig {
  /** The maximum (full) kernel size; kernels are square. */
  kernelSize: number;
  /**
   * Kernel sizes the layer can run (default `[kernelSize]`), strictly increasing and ending with
   * `kernelSize`, all of its parity, so each smaller kernel is a centred window of it.
   */
  kernelSizeChoices?: number[];
  /** Default 1. */
  strides?: number | [number, number];
  /** Default 1 (tfjs requires strides or dilation to be 1). */
  dilationRate?: number | [number, number];
  /**
   * `'same'` (tfjs 'same' for the *active* kernel), `'valid'` (default, as tf.layers.conv2d), a
   * pad `p` on every side or `[top, bottom, left, right]`. Explicit pads are written for the full
   * kernel; a smaller active kernel `k` gets each side reduced by `d·(K − k)/2`, so the output size
   * does not change with the kernel (`p = K//2` becomes `k//2`, OFA's rule).
   */
  padding?: Padding2d;
  /** What fills the pads (explicit or 'same'): `'zeros'` (default) or `'reflect'`. */
  padMode?: PadMode;
}

type ConvPad = 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** `kernelSizeChoices`: centred windows of `kernelSize`, strictly increasing, ending with it. */
function kernelSizeChoices(argument: string, value: unknown, kernelSize: number): number[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new ConfigError(argument, value, 'a non-empty array of kernel sizes');
  for (const k of value as unknown[]) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > kernelSize || (kernelSize - k) % 2 !== 0) {
      throw new ConfigError(
        argument,
        value,
        `integers in [1, ${kernelSize}] with the parity of kernelSize ${kernelSize} (centred windows of it)`,
      );
    }
  }
  const choices = value as number[];
  if (!choices.every((k, i) => i === 0 || k > (choices[i - 1] as number)))
    throw new ConfigError(argument, value, 'kernel sizes in strictly increasing order (no repeats), e.g. [3, 5, 7]');
  if (choices[choices.length - 1] !== kernelSize)
    throw new ConfigError(argument, value, `a list containing kernelSize ${kernelSize}`);
  return [...choices];
}

/**
 * The schema of {@link ElasticConvGeometryConfig} (see `OptionSchema`), with the rules across
 * its options: kernel sizes that are centred windows of the full one, strides or dilation 1,
 * explicit pads large enough for the smallest kernel.
 *
 * @example
 * ```ts
 * const g = ELASTIC_CONV_GEOMETRY_OPTIONS.parse('conv', { kernelSize: 5, kernelSizeChoices: [3, 5], padding: 2 });
 * ```
 */
export const ELASTIC_CONV_GEOMETRY_OPTIONS = optionSchema({
  kernelSize: option.int({ min: 1, limit: SIZE_LIMITS.kernel }),
  kernelSizeChoices: option.custom<number[]>({
    expected: 'a strictly increasing list of kernel sizes ending with kernelSize',
    parse: (argument, value, resolved) => kernelSizeChoices(argument, value, resolved['kernelSize'] as number),
    write: (v) => [...v],
    default: (resolved) => [resolved['kernelSize'] as number],
  }),
  strides: option.intPair({ min: 1, limit: SIZE_LIMITS.kernel, default: 1 }),
  dilationRate: option.custom<[number, number]>({
    expected: 'an integer >= 1 or a pair [h, w] of them (1 when strided)',
    parse(argument, value, resolved) {
      const dilationRate = limitedPair(argument, value, 1, SIZE_LIMITS.kernel);
      const strides = resolved['strides'] as [number, number];
      if (strides.some((st) => st > 1) && dilationRate.some((d) => d > 1)) {
        throw new ConfigError(
          argument,
          value,
          `1 when strides are ${JSON.stringify(strides)} (tfjs convs need strides or dilation to be 1)`,
        );
      }
      return dilationRate;
    },
    write: (v) => [...v],
    default: [1, 1],
  }),
  padding: option.custom<Padding2d>({
    expected: "'same', 'valid', a pad p or [top, bottom, left, right]",
    parse(argument, value, resolved) {
      const padding = checkPadding(argument, value);
      if (typeof padding === 'string') return padding;
      if (explicitPads(argument, padding).some((p) => p > SIZE_LIMITS.extent))
        throw new ConfigError(argument, value, `pads of at most ${SIZE_LIMITS.extent}`);
      const kernelSize = resolved['kernelSize'] as number;
      const smallest = (resolved['kernelSizeChoices'] as number[])[0] as number;
      const dilationRate = resolved['dilationRate'] as [number, number];
      const pads = explicitPads(argument, padding);
      if (pads.some((p, i) => p - (dilationRate[i < 2 ? 0 : 1] * (kernelSize - smallest)) / 2 < 0)) {
        throw new ConfigError(
          argument,
          value,
          `pads of at least d·(K − k)/2 = ${(dilationRate[0] * (kernelSize - smallest)) / 2} (they shrink with the active kernel, down to kernel size ${smallest})`,
        );
      }
      return padding;
    },
    write: (v) => (typeof v === 'object' ? [...v] : v),
    default: 'valid',
  }),
  padMode: option.oneOf(['zeros', 'reflect'] as const, 'zeros'),
});

/** The resolved geometry options. */
export type ElasticConvGeometryValues = OptionValues<typeof ELASTIC_CONV_GEOMETRY_OPTIONS>;

/** Resolved geometry of an elastic conv (checked by {@link ELASTIC_CONV_GEOMETRY_OPTIONS}), with the active-kernel padding rules. */
export class ElasticConvGeometry {
  readonly kernelSize: number;
  readonly kernelSizeChoices: number[];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: Padding2d;
  readonly padMode: PadMode;

  constructor(values: ElasticConvGeometryValues) {
    ({
      kernelSize: this.kernelSize,
      kernelSizeChoices: this.kernelSizeChoices,
      strides: this.strides,
      dilationRate: this.dilationRate,
      padding: this.padding,
      padMode: this.padMode,
    } = values);
  }

  /** Explicit `[top, bottom, left, right]` pads for active kernel `k` on an `h`×`w` input. */
  pads(k: number, h: number, w: number): Pads2d {
    const [dh, dw] = this.dilationRate;
    if (this.padding === 'valid') return [0, 0, 0, 0];
    if (this.padding === 'same') {
      return [
        ...samePads(h, this.strides[0], effectiveKernel(k, dh)),
        ...samePads(w, this.strides[1], effectiveKernel(k, dw)),
      ] as Pads2d;
    }
    const [t, b, l, r] = explicitPads('padding', this.padding);
    const sh = (dh * (this.kernelSize - k)) / 2;
    const sw = (dw * (this.kernelSize - k)) / 2;
    return [t - sh, b - sh, l - sw, r - sw];
  }

  /** Spatial output size for active kernel `k` (`null` stays unknown). */
  outputSize(k: number, h: number | null, w: number | null): [number | null, number | null] {
    if (this.padding === 'same') {
      return [h == null ? null : Math.ceil(h / this.strides[0]), w == null ? null : Math.ceil(w / this.strides[1])];
    }
    const [t, b, l, r] = this.pads(k, 0, 0);
    return [
      convOutputLength(h, t, b, effectiveKernel(k, this.dilationRate[0]), this.strides[0]),
      convOutputLength(w, l, r, effectiveKernel(k, this.dilationRate[1]), this.strides[1]),
    ];
  }

  /**
   * The NHWC output shape for active kernel `k` and `channels` output channels; a `ShapeError`
   * names the layer's input when its rank is not 4 or the kernel does not fit it.
   */
  outputShape(
    layerName: string,
    inputShape: readonly (number | null)[],
    k: number,
    channels: number | null,
  ): (number | null)[] {
    if (inputShape.length !== 4) throw new ShapeError(`${layerName} input`, [...inputShape], 'rank 4 (NHWC)');
    const size = this.outputSize(k, inputShape[1] ?? null, inputShape[2] ?? null);
    if (size.some((n) => n != null && n < 1)) {
      throw new ShapeError(
        `${layerName} input`,
        [...inputShape],
        `a height and width the ${k}×${k} kernel fits (with padding ${JSON.stringify(this.padding)} the output would be ${size.join('×')})`,
      );
    }
    return [inputShape[0] ?? null, ...size, channels];
  }

  /** Pads `x` for a reflect-mode conv, or returns it with the explicit pad argument for a zero-padded one. */
  prepare(x: tf.Tensor4D, k: number): { x: tf.Tensor4D; pad: ConvPad } {
    const pads = this.pads(k, x.shape[1], x.shape[2]);
    if (pads.every((p) => p === 0)) return { x, pad: 'valid' };
    if (this.padMode === 'reflect') return { x: pad2d(x, pads, 'reflect'), pad: 'valid' };
    const [t, b, l, r] = pads;
    return {
      x,
      pad: [
        [0, 0],
        [t, b],
        [l, r],
        [0, 0],
      ],
    };
  }

  /**
   * For static export: applies a padding layer to `x` when one is needed and returns the
   * `padding` the static conv must use (`'same'` where tfjs's 'same' gives the same pads).
   */
  exportPadding(
    x: tfl.SymbolicTensor,
    k: number,
    layerName: string,
  ): { x: tfl.SymbolicTensor; padding: 'same' | 'valid' } {
    if (this.padding === 'valid') return { x, padding: 'valid' };
    if (this.padding === 'same' && this.padMode === 'zeros') return { x, padding: 'same' };
    const [h, w] = [x.shape[1], x.shape[2]];
    const strided = this.strides.some((s) => s > 1);
    if (this.padding === 'same' && strided && (h == null || w == null)) {
      throw new ShapeError(
        `${layerName} input`,
        x.shape,
        "known height and width ('same' reflection pads of a strided conv depend on them)",
      );
    }
    // With stride 1 the 'same' pads do not depend on the input size.
    const pads = this.pads(k, h ?? 1, w ?? 1);
    if (pads.every((p) => p === 0)) return { x, padding: 'valid' };
    if (this.padMode === 'zeros') {
      const same = [
        ...samePads(h ?? 1, this.strides[0], effectiveKernel(k, this.dilationRate[0])),
        ...samePads(w ?? 1, this.strides[1], effectiveKernel(k, this.dilationRate[1])),
      ];
      if (!strided && pads.every((p, i) => p === same[i])) return { x, padding: 'same' };
      const zero = tfl.layers.zeroPadding2d({
        name: `${layerName}_pad`,
        padding: [
          [pads[0], pads[1]],
          [pads[2], pads[3]],
        ],
      });
      return { x: zero.apply(x) as tfl.SymbolicTensor, padding: 'valid' };
    }
    const reflect = new ReflectionPad2d({ name: `${layerName}_pad`, padding: pads });
    return { x: reflect.apply(x) as tfl.SymbolicTensor, padding: 'valid' };
  }
}
