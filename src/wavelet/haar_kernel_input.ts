import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError, ShapeError } from '../util/index.js';
import { haarPass, type HaarDirection, type HaarPass } from './haar_pass.js';

/**
 * A Haar kernel's input `x` and the pass that transforms it, after checking that `x` is a float32
 * NHWC tensor the pass fits. haarDwt / haarIdwt check (and cast) before calling the kernels; a
 * direct `runKernel` call may not, and a wrong shape would make the wasm kernel read other
 * tensors' memory.
 */
export function kernelInput(
  kernelName: string,
  direction: HaarDirection,
  inputs: tf.NamedTensorInfoMap,
): { x: tf.TensorInfo; pass: HaarPass } {
  const x = inputs['x'];
  if (x == null) throw new ConfigError(`${kernelName}: inputs.x`, x, 'a tensor');
  if (x.dtype !== 'float32') throw new ConfigError(`${kernelName}: x.dtype`, x.dtype, "'float32'");
  const [, h = 0, w = 0, c = 0] = x.shape;
  const fits = x.shape.length === 4 && (direction === 'analysis' ? h % 2 === 0 && w % 2 === 0 : c % 4 === 0);
  if (!fits) {
    throw new ShapeError(
      `${kernelName}: x`,
      x.shape,
      direction === 'analysis' ? 'NHWC with even height and width' : 'NHWC with 4·C channels',
    );
  }
  return { x, pass: haarPass(direction, x.shape) };
}
