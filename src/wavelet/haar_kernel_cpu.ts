import * as tf from '@tensorflow/tfjs-core';
import { kernelInput } from './haar_kernel_input.js';
import { haarLoop, type HaarDirection } from './haar_pass.js';

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
    const { x, pass } = kernelInput(kernelName, direction, inputs);
    const cpu = backend as unknown as CpuBackend;
    const out = new Float32Array(x.shape.reduce((a, b) => a * b, 1));
    haarLoop(cpu.data.get(x.dataId).values as Float32Array, 0, out, 0, pass);
    return cpu.makeTensorInfo(pass.outShape, 'float32', out);
  };
}
