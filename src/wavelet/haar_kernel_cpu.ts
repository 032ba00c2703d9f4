import * as tf from '@tensorflow/tfjs-core';
import { haarLoop, haarPass, type HaarDirection } from './haar_pass.js';
import { assertKernelInput } from './haar_kernel_checks.js';

/** The members of the cpu backend (`MathBackendCPU`) the kernel uses, declared structurally. */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/**
 * The cpu backend's kernel for one direction: one JavaScript pass from the input's values into a
 * new Float32Array, which becomes the output's storage.
 */
export function haarCpuKernel(kernelName: string, direction: HaarDirection): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const x = inputs['x'] as tf.TensorInfo;
    assertKernelInput(kernelName, direction, x);
    const cpu = backend as unknown as CpuBackend;
    const pass = haarPass(direction, x.shape);
    const out = new Float32Array(x.shape.reduce((a, b) => a * b, 1));
    haarLoop(cpu.data.get(x.dataId).values as Float32Array, 0, out, 0, pass);
    return cpu.makeTensorInfo(pass.outShape, 'float32', out);
  };
}
