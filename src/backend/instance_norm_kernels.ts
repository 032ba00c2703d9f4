import * as tf from '@tensorflow/tfjs-core';
import {
  affineInputs,
  checkNormCall,
  gradInputs,
  INSTANCE_NORM_GRAD_KERNEL,
  INSTANCE_NORM_KERNEL,
} from './instance_norm_checks.js';
import { normApply, normGradient, normStats, STATS_ROWS, type At } from './instance_norm_math.js';
import { instanceNormWasm, instanceNormGradWasm } from './instance_norm_wasm.js';

export { INSTANCE_NORM_GRAD_KERNEL, INSTANCE_NORM_KERNEL, type InstanceNormAttrs } from './instance_norm_checks.js';

/*
 * Fused instance normalisation: one kernel instead of the chain tf.moments + sub + add + rsqrt +
 * mul (+ mul + add for the affine, + relu), which on wasm was eight or more passes over memory
 * (tf.moments alone transposes, since the wasm Mean reduces innermost axes), and one kernel for
 * its gradient instead of the gradients of that chain.
 */

/** The cpu backend's storage (the members used here). */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

function cpuValues(backend: CpuBackend, t: tf.TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

const whole = (a: Float32Array): At => ({ a, o: 0 });

function instanceNormCpu({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const cpu = backend as unknown as CpuBackend;
  const x = inputs['x'] as tf.TensorInfo;
  const call = checkNormCall(INSTANCE_NORM_KERNEL, x, attrs ?? {});
  const { batch, channels: c } = call.shape;
  const { gamma, beta } = affineInputs(INSTANCE_NORM_KERNEL, inputs, c);
  const stats = new Float32Array(batch * STATS_ROWS * c);
  const y = new Float32Array(tf.util.sizeFromShape(x.shape));
  const xv = whole(cpuValues(cpu, x));
  normStats(xv, call.shape, call.epsilon, gamma && cpuValues(cpu, gamma), whole(stats));
  normApply(xv, call.shape, whole(stats), beta && cpuValues(cpu, beta), call.relu, whole(y));
  return [cpu.makeTensorInfo([...x.shape], 'float32', y), cpu.makeTensorInfo([batch, STATS_ROWS, c], 'float32', stats)];
}

function instanceNormGradCpu({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const cpu = backend as unknown as CpuBackend;
  const { call, x, dy, y, stats } = gradInputs(inputs, attrs ?? {});
  const c = call.shape.channels;
  const dx = new Float32Array(tf.util.sizeFromShape(x.shape));
  const dgamma = new Float32Array(c);
  const dbeta = new Float32Array(c);
  const [dyv, xv, yv, sv] = [dy, x, y, stats].map((t) => whole(cpuValues(cpu, t))) as [At, At, At, At];
  normGradient(dyv, xv, yv, call.shape, sv, call.relu, whole(dx), dgamma, dbeta);
  return [
    cpu.makeTensorInfo([...x.shape], 'float32', dx),
    cpu.makeTensorInfo([c], 'float32', dgamma),
    cpu.makeTensorInfo([c], 'float32', dbeta),
  ];
}

const KERNELS: Readonly<Record<string, Readonly<Record<string, tf.KernelFunc>>>> = {
  cpu: { [INSTANCE_NORM_KERNEL]: instanceNormCpu, [INSTANCE_NORM_GRAD_KERNEL]: instanceNormGradCpu },
  wasm: { [INSTANCE_NORM_KERNEL]: instanceNormWasm, [INSTANCE_NORM_GRAD_KERNEL]: instanceNormGradWasm },
};

/** The backends {@link registerInstanceNormKernels} provides the fused kernels for. */
export const INSTANCE_NORM_BACKENDS: readonly string[] = Object.keys(KERNELS);

const instanceNormGradient: tf.GradConfig = {
  kernelName: INSTANCE_NORM_KERNEL,
  inputsToSave: ['x'],
  outputsToSave: [true, true],
  gradFunc: (dys, saved, attrs) => {
    // dys is [dy, d(stats)]: the stats output is internal, its gradient (zeros) is ignored.
    const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
    const [x, y, stats] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    const [dx, dgamma, dbeta] = tf
      .engine()
      .runKernel<[tf.Tensor, tf.Tensor, tf.Tensor]>(INSTANCE_NORM_GRAD_KERNEL, { dy, x, y, stats }, attrs);
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/**
 * Registers the fused kernels for the cpu and wasm backends (whether or not those are loaded:
 * the registry is keyed by name) and the forward kernel's gradient. Idempotent: a kernel already
 * registered under these names — by an earlier call, or by another copy of the library — is
 * kept. Returns the `name/backend` pairs registered by this call. Importing the library calls it.
 *
 * @example
 * ```ts
 * registerInstanceNormKernels(); // [] once the library is imported: already registered
 * ```
 */
export function registerInstanceNormKernels(): string[] {
  const registered: string[] = [];
  for (const [backendName, kernels] of Object.entries(KERNELS)) {
    for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
      if (tf.getKernel(kernelName, backendName) != null) continue;
      tf.registerKernel({ kernelName, backendName, kernelFunc });
      registered.push(`${kernelName}/${backendName}`);
    }
  }
  if (tf.getGradient(INSTANCE_NORM_KERNEL) == null) tf.registerGradient(instanceNormGradient);
  return registered;
}
registerInstanceNormKernels();
