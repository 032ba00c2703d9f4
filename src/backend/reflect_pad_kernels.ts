import * as tf from '@tensorflow/tfjs-core';
import { BackendError, ConfigError } from '../util/index.js';
import { reflectPad2dGradient, reflectPadGradient } from './reflect_pad_math.js';
import { heapBytes, type WasmBackend } from './wasm_kernel_utils.js';

/*
 * Reflection padding with a correct gradient. The forward kernel is the backend's own MirrorPad
 * ('reflect'); the gradient kernel folds dy back onto the input (reflect_pad_math.ts), in one
 * pass over dy, where tfjs 4.22's MirrorPad gradient keeps only the interior.
 */

/**
 * Reflection padding with a correct gradient: input `{ x }`, attribute `paddings` (`[before,
 * after]` per axis, each smaller than its axis). `pad2d(x, pads, 'reflect')` runs it when the
 * current backend has it.
 *
 * @example
 * ```ts
 * const y = tf.engine().runKernel(REFLECT_PAD_KERNEL, { x }, { paddings: [[0, 0], [1, 1], [1, 1], [0, 0]] });
 * ```
 */
export const REFLECT_PAD_KERNEL = 'GancompressReflectPad';
/**
 * The gradient of {@link REFLECT_PAD_KERNEL}: input `{ dy }` (the padded shape), the same
 * `paddings`; output the input's gradient.
 *
 * @example
 * ```ts
 * const dy = tf.ones([1, 6, 6, 3]); // the gradient of a [1, 4, 4, 3] input padded by 1
 * const dx = tf.engine().runKernel(REFLECT_PAD_GRAD_KERNEL, { dy }, { paddings: [[0, 0], [1, 1], [1, 1], [0, 0]] });
 * ```
 */
export const REFLECT_PAD_GRAD_KERNEL = 'GancompressReflectPadGrad';

type Paddings = [number, number][];

/** Throws unless `paddings` pads each axis of `shape` by non-negative integers it can reflect. */
function checkPaddings(kernel: string, shape: readonly number[], paddings: unknown, padded: boolean): Paddings {
  const ok =
    Array.isArray(paddings) &&
    paddings.length === shape.length &&
    paddings.every((p: unknown, a) => {
      if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => Number.isInteger(v) && (v as number) >= 0))
        return false;
      const n = (shape[a] as number) - (padded ? (p[0] as number) + (p[1] as number) : 0);
      return (p[0] as number) < n && (p[1] as number) < n;
    });
  if (!ok)
    throw new ConfigError(
      `${kernel}: paddings`,
      paddings,
      `[before, after] per axis of [${shape.join(',')}]${padded ? ' (the padded shape)' : ''}, non-negative integers smaller than the unpadded axis`,
    );
  return paddings as Paddings;
}

/** The forward kernel of a backend: its own MirrorPad kernel, after the checks. */
function forward(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = inputs['x'] as tf.TensorInfo;
    const paddings = checkPaddings(REFLECT_PAD_KERNEL, x.shape, attrs?.['paddings'], false);
    const mirror = tf.getKernel('MirrorPad', backendName);
    if (mirror == null)
      throw new BackendError(`${REFLECT_PAD_KERNEL}: the ${backendName} backend has no MirrorPad kernel`);
    return mirror.kernelFunc({ inputs: { x }, backend, attrs: { paddings, mode: 'reflect' } });
  };
}

/** The cpu backend's storage (the members used here). */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

function gradInput(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined) {
  const dy = inputs['dy'] as tf.TensorInfo;
  if (dy.dtype !== 'float32') throw new ConfigError(`${REFLECT_PAD_GRAD_KERNEL}: dy.dtype`, dy.dtype, "'float32'");
  const paddings = checkPaddings(REFLECT_PAD_GRAD_KERNEL, dy.shape, attrs?.['paddings'], true);
  const xShape = dy.shape.map(
    (d, a) => d - (paddings[a] as [number, number])[0] - (paddings[a] as [number, number])[1],
  );
  return { dy, paddings, xShape };
}

/** dx from dy: the NHWC fast path when only H and W are padded, else the general fold. */
function fold(
  dy: Float32Array,
  dyAt: number,
  shape: number[],
  paddings: Paddings,
  dx: Float32Array,
  dxAt: number,
): void {
  const [n, h, w, c] = paddings as [[number, number], [number, number], [number, number], [number, number]];
  if (shape.length === 4 && n[0] + n[1] + c[0] + c[1] === 0) {
    reflectPad2dGradient(dy, dyAt, shape as [number, number, number, number], [h[0], h[1], w[0], w[1]], dx, dxAt);
  } else {
    reflectPadGradient(dy, dyAt, shape, paddings, dx, dxAt);
  }
}

function gradCpu({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const cpu = backend as unknown as CpuBackend;
  const { dy, paddings, xShape } = gradInput(inputs, attrs);
  const dx = new Float32Array(tf.util.sizeFromShape(xShape));
  fold(cpu.data.get(dy.dataId).values as Float32Array, 0, dy.shape, paddings, dx, 0);
  return cpu.makeTensorInfo(xShape, 'float32', dx);
}

function gradWasm({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const wasm = backend as unknown as WasmBackend;
  const { dy, paddings, xShape } = gradInput(inputs, attrs);
  const dx = wasm.makeOutput(xShape, 'float32');
  const heap = new Float32Array(heapBytes(wasm).buffer);
  fold(heap, wasm.getMemoryOffset(dy.dataId) / 4, dy.shape, paddings, heap, wasm.getMemoryOffset(dx.dataId) / 4);
  return dx;
}

const KERNELS: Readonly<Record<string, Readonly<Record<string, tf.KernelFunc>>>> = {
  cpu: { [REFLECT_PAD_KERNEL]: forward('cpu'), [REFLECT_PAD_GRAD_KERNEL]: gradCpu },
  wasm: { [REFLECT_PAD_KERNEL]: forward('wasm'), [REFLECT_PAD_GRAD_KERNEL]: gradWasm },
};

const reflectPadGradientConfig: tf.GradConfig = {
  kernelName: REFLECT_PAD_KERNEL,
  gradFunc: (dy, _saved, attrs) => ({
    x: () => tf.engine().runKernel<tf.Tensor>(REFLECT_PAD_GRAD_KERNEL, { dy: dy as tf.Tensor }, attrs),
  }),
};

/**
 * Registers the reflection-pad kernels for the cpu and wasm backends and the forward kernel's
 * gradient. Idempotent; returns the `name/backend` pairs registered by this call. Importing the
 * library calls it.
 *
 * @example
 * ```ts
 * registerReflectPadKernels(); // [] once the library is imported: already registered
 * ```
 */
export function registerReflectPadKernels(): string[] {
  const registered: string[] = [];
  for (const [backendName, kernels] of Object.entries(KERNELS)) {
    for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
      if (tf.getKernel(kernelName, backendName) != null) continue;
      tf.registerKernel({ kernelName, backendName, kernelFunc });
      registered.push(`${kernelName}/${backendName}`);
    }
  }
  if (tf.getGradient(REFLECT_PAD_KERNEL) == null) tf.registerGradient(reflectPadGradientConfig);
  return registered;
}
registerReflectPadKernels();
