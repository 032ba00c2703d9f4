import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../../util/index.js';
import { assertInt, assertOneOf } from '../../util/index.js';
import {
  checkPadding,
  convOutputLength,
  effectiveKernel,
  explicitPads,
  intPair,
  samePads,
  type PadMode,
  type Pads2d,
  type Padding2d,
} from '../../util/index.js';
import { pad2d } from '../common/index.js';
import { ReflectionPad2d } from '../common/index.js';

/** The geometry options the elastic convs share (tf.layers.conv2d's names, plus `kernelSizeChoices` and `padMode`). */
export interface ElasticConvGeometryConfig {
  /** The maximum (full) kernel size; kernels are square. */
  kernelSize: number;
  /**
   * Kernel sizes the layer can run (default `[kernelSize]`). Must contain `kernelSize` as the
   * largest and share its parity, so each smaller kernel is a centred window of it.
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

/** Resolved and validated geometry of an elastic conv, with the active-kernel padding rules. */
export class ElasticConvGeometry {
  readonly kernelSize: number;
  readonly kernelSizeChoices: number[];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: Padding2d;
  readonly padMode: PadMode;

  constructor(layerName: string, config: ElasticConvGeometryConfig) {
    assertInt(`${layerName}.kernelSize`, config.kernelSize, 1);
    this.kernelSize = config.kernelSize;
    const choices = config.kernelSizeChoices ?? [config.kernelSize];
    if (!Array.isArray(choices) || choices.length === 0)
      throw new ConfigError(`${layerName}.kernelSizeChoices`, choices, 'a non-empty array of kernel sizes');
    for (const k of choices) {
      if (
        typeof k !== 'number' ||
        !Number.isInteger(k) ||
        k < 1 ||
        k > this.kernelSize ||
        (this.kernelSize - k) % 2 !== 0
      ) {
        throw new ConfigError(
          `${layerName}.kernelSizeChoices`,
          choices,
          `integers in [1, ${this.kernelSize}] with the parity of kernelSize ${this.kernelSize} (centred windows of it)`,
        );
      }
    }
    this.kernelSizeChoices = [...new Set(choices)].sort((a, b) => a - b);
    if (!this.kernelSizeChoices.includes(this.kernelSize)) {
      throw new ConfigError(
        `${layerName}.kernelSizeChoices`,
        choices,
        `a list containing kernelSize ${this.kernelSize}`,
      );
    }
    this.strides = intPair(`${layerName}.strides`, config.strides ?? 1, 1);
    this.dilationRate = intPair(`${layerName}.dilationRate`, config.dilationRate ?? 1, 1);
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new ConfigError(
        `${layerName}.dilationRate`,
        config.dilationRate,
        `1 when strides are ${JSON.stringify(this.strides)} (tfjs convs need strides or dilation to be 1)`,
      );
    }
    this.padding = checkPadding(`${layerName}.padding`, config.padding ?? 'valid');
    this.padMode = config.padMode ?? 'zeros';
    assertOneOf(`${layerName}.padMode`, this.padMode, ['zeros', 'reflect'] as const);
    if (typeof this.padding !== 'string') {
      const smallest = this.kernelSizeChoices[0] as number;
      const pads = explicitPads('padding', this.padding);
      if (pads.some((p, i) => p - (this.dilationRate[i < 2 ? 0 : 1] * (this.kernelSize - smallest)) / 2 < 0)) {
        throw new ConfigError(
          `${layerName}.padding`,
          config.padding,
          `pads of at least d·(K − k)/2 = ${(this.dilationRate[0] * (this.kernelSize - smallest)) / 2} (they shrink with the active kernel, down to kernel size ${smallest})`,
        );
      }
    }
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

  /** The NHWC output shape for active kernel `k` and `channels` output channels (checks the rank). */
  outputShape(
    layerName: string,
    inputShape: readonly (number | null)[],
    k: number,
    channels: number | null,
  ): (number | null)[] {
    if (inputShape.length !== 4) throw new ShapeError(`${layerName} input`, [...inputShape], 'rank 4 (NHWC)');
    return [inputShape[0] ?? null, ...this.outputSize(k, inputShape[1] ?? null, inputShape[2] ?? null), channels];
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

  /** The config entries of the geometry (camelCase keys; arrays stay arrays). */
  getConfig(): tf.serialization.ConfigDict {
    return {
      kernelSize: this.kernelSize,
      kernelSizeChoices: [...this.kernelSizeChoices],
      strides: [...this.strides],
      dilationRate: [...this.dilationRate],
      padding: typeof this.padding === 'object' ? [...this.padding] : this.padding,
      padMode: this.padMode,
    };
  }
}
