import { ShapeError } from '../../util/index.js';

/**
 * The channel count (last axis) of an input shape, after checking its rank and that it is known
 * and at most `max` (elastic layers accept narrower inputs than they were built for).
 */
export function inputChannels(layerName: string, shape: readonly (number | null)[], max: number, rank = 4): number {
  const c = shape[shape.length - 1];
  if ((rank > 0 && shape.length !== rank) || (rank === 0 && shape.length < 2) || c == null || c > max) {
    throw new ShapeError(
      `${layerName} input`,
      [...shape],
      `${rank > 0 ? `rank ${rank} (NHWC)` : 'rank >= 2'} with at most ${max} channels${rank === 0 ? ' (last axis)' : ''}`,
    );
  }
  return c;
}

/** `value`, or a ShapeError saying the layer must be built first. */
export function built<T>(layerName: string, value: T | null): T {
  if (value == null) throw new ShapeError(layerName, [], 'a built layer (apply it to an input first)');
  return value;
}
