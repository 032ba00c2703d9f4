import { ConfigError } from './errors.js';

/** Explicit spatial padding `[top, bottom, left, right]` (this library's order; PyTorch's `F.pad` uses `(left, right, top, bottom)`). */
export type Pads2d = [number, number, number, number];

/** How a conv pads: tfjs `'same'` / `'valid'`, a symmetric pad `p` on every side, or `[top, bottom, left, right]`. */
export type Padding2d = 'same' | 'valid' | number | Pads2d;

/** Normalises `n | [a, b]` to a pair of integers `>= min`, naming `argument` in the error. */
export function intPair(argument: string, value: unknown, min: number): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : value;
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !pair.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= min)
  ) {
    throw new ConfigError(argument, value, `an integer >= ${min} or a pair [h, w] of them`);
  }
  return [pair[0] as number, pair[1] as number];
}

/** Normalises `p | [t, b, l, r]` to four non-negative integers, naming `argument` in the error. */
export function explicitPads(argument: string, value: unknown): Pads2d {
  const pads = typeof value === 'number' ? [value, value, value, value] : value;
  if (
    !Array.isArray(pads) ||
    pads.length !== 4 ||
    !pads.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)
  ) {
    throw new ConfigError(argument, value, 'a non-negative integer or [top, bottom, left, right] of them');
  }
  return [pads[0], pads[1], pads[2], pads[3]] as Pads2d;
}

/** Validates a {@link Padding2d} value. */
export function checkPadding(argument: string, value: unknown): Padding2d {
  if (value === 'same' || value === 'valid') return value;
  const pads = explicitPads(argument, value);
  return typeof value === 'number' ? value : pads;
}

/**
 * The pads tfjs's `'same'` applies along one axis (`total = max((ceil(n/s) − 1)·s + dk − n, 0)`,
 * the smaller half before), so that `'same'` can be made explicit and combined with reflection.
 */
export function samePads(size: number, stride: number, effectiveKernel: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effectiveKernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output length of a convolution over `size` after explicit pads (`null` stays unknown). */
export function convOutputLength(
  size: number | null,
  padBefore: number,
  padAfter: number,
  effectiveKernel: number,
  stride: number,
): number | null {
  if (size == null) return null;
  return Math.floor((size + padBefore + padAfter - effectiveKernel) / stride) + 1;
}

/** `d·(k − 1) + 1`: the extent of a dilated kernel. */
export function effectiveKernel(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/** `'zeros'` or `'reflect'`: what fills explicit pads. */
export type PadMode = 'zeros' | 'reflect';
