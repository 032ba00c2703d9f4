import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../../util/index.js';
import { assertOneOf, assertRank } from '../../util/index.js';
import { explicitPads, type PadMode, type Pads2d } from '../../util/index.js';

/** The reflection-pad kernel (with its gradient) the backend module registers for cpu and wasm. */
const REFLECT_PAD = 'GancompressReflectPad';

/**
 * Pads the spatial axes of an NHWC batch by `[top, bottom, left, right]`, with zeros or by
 * reflection (PyTorch `ReflectionPad2d` / `padding_mode='reflect'`: the edge pixel is not
 * repeated, so each pad must be smaller than the axis it pads).
 *
 * @example
 * ```ts
 * const y = pad2d(x, [3, 3, 3, 3], 'reflect'); // ReflectionPad2d(3)
 * const z = pad2d(x, 1);                       // zero pad 1 on every side
 * ```
 */
export function pad2d(x: tf.Tensor4D, pads: number | Pads2d, mode: PadMode = 'zeros'): tf.Tensor4D {
  assertRank('x', x, 4);
  const [t, b, l, r] = explicitPads('pads', pads);
  assertOneOf('mode', mode, ['zeros', 'reflect'] as const);
  if (t === 0 && b === 0 && l === 0 && r === 0) return tf.clone(x);
  const paddings: [number, number][] = [
    [0, 0],
    [t, b],
    [l, r],
    [0, 0],
  ];
  if (mode === 'zeros') return tf.pad(x, paddings);
  const [, h, w] = x.shape;
  if (Math.max(t, b) >= h || Math.max(l, r) >= w) {
    throw new ShapeError(
      'x',
      x.shape,
      `height > ${Math.max(t, b)} and width > ${Math.max(l, r)} for reflection pads [${t},${b},${l},${r}]`,
    );
  }
  // The backend module's kernel (cpu, wasm) has the correct gradient; tfjs 4.22's MirrorPad
  // gradient drops the mirrored border contributions.
  if (x.dtype === 'float32' && tf.getKernel(REFLECT_PAD, tf.getBackend()) != null)
    return tf.engine().runKernel<tf.Tensor4D>(REFLECT_PAD, { x }, { paddings });
  return tf.mirrorPad(x, paddings, 'reflect');
}

/** Throws unless a reflection pad fits an input of this shape (for symbolic shapes, where known). */
export function checkReflectFits(argument: string, shape: readonly (number | null)[], pads: Pads2d): void {
  const [t, b, l, r] = pads;
  const h = shape[1];
  const w = shape[2];
  if ((h != null && Math.max(t, b) >= h) || (w != null && Math.max(l, r) >= w)) {
    throw new ConfigError(argument, pads, `reflection pads smaller than the input's height ${h} and width ${w}`);
  }
}
