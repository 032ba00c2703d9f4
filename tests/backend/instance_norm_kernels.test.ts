import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INSTANCE_NORM_GRAD_KERNEL,
  INSTANCE_NORM_KERNEL,
  registerInstanceNormKernels,
} from '../../src/backend/instance_norm_kernels.js';
import { initBackend } from '../../src/backend/index.js';
import { setWasmNormChoice, type WasmNormChoice } from '../../src/backend/instance_norm_wasm.js';
import { normKernelsOver } from '../../src/backend/instance_norm_wasm_module.js';
import { wasmMemoryOf, type WasmBackend } from '../../src/backend/wasm_kernel_utils.js';
import { instanceNorm } from '../../src/layers/common/index.js';
import { describeBackends } from '../helpers/backends.js';
import { fromFixture, readFixture, type FixtureTensor } from '../helpers/fixtures.js';
import { checkGradient } from '../helpers/gradients.js';
import { expectClose, expectNoLeak, seededTensor } from '../helpers/tensors.js';

type Activation = 'linear' | 'relu';

/** The fused kernel as an op: y only (the stats output is internal). */
function fused(
  x: tf.Tensor4D,
  epsilon: number,
  activation: Activation,
  gamma?: tf.Tensor1D,
  beta?: tf.Tensor1D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const inputs: tf.NamedTensorMap = { x };
    if (gamma != null) inputs['gamma'] = gamma;
    if (beta != null) inputs['beta'] = beta;
    const [y] = tf.engine().runKernel<tf.Tensor[]>(INSTANCE_NORM_KERNEL, inputs, { epsilon, activation });
    return y as tf.Tensor4D;
  });
}

/** The same computation as a chain of tfjs ops (what the library ran before the fused kernel). */
function chain(
  x: tf.Tensor4D,
  epsilon: number,
  activation: Activation,
  gamma?: tf.Tensor1D,
  beta?: tf.Tensor1D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    if (gamma != null) y = tf.mul(y, gamma);
    if (beta != null) y = tf.add(y, beta);
    return (activation === 'relu' ? tf.relu(y) : y) as tf.Tensor4D;
  });
}

/** Instance norm in float64, sample by sample and channel by channel (two-pass variance). */
function reference(
  x: tf.Tensor4D,
  epsilon: number,
  activation: Activation,
  gamma?: number[],
  beta?: number[],
): Float64Array {
  const [b, h, w, c] = x.shape;
  const v = x.dataSync();
  const n = h * w;
  const out = new Float64Array(v.length);
  for (let s = 0; s < b; s++) {
    for (let k = 0; k < c; k++) {
      const idx = (p: number): number => (s * n + p) * c + k;
      let mean = 0;
      for (let p = 0; p < n; p++) mean += v[idx(p)] as number;
      mean /= n;
      let variance = 0;
      for (let p = 0; p < n; p++) variance += ((v[idx(p)] as number) - mean) ** 2;
      variance /= n;
      for (let p = 0; p < n; p++) {
        const z =
          (((v[idx(p)] as number) - mean) / Math.sqrt(variance + epsilon)) * (gamma?.[k] ?? 1) + (beta?.[k] ?? 0);
        out[idx(p)] = activation === 'relu' ? Math.max(z, 0) : z;
      }
    }
  }
  return out;
}

/** Shapes [B, H, W, C]: single pixels, odd sizes, channel counts around the SIMD width of 4. */
const SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 4],
  [1, 2, 3, 1],
  [2, 5, 7, 3],
  [1, 4, 4, 5],
  [3, 6, 5, 8],
  [2, 16, 16, 33],
  [1, 9, 11, 64],
];

describe('registerInstanceNormKernels', () => {
  it('registers both kernels for cpu and wasm and the gradient, once', () => {
    expect(registerInstanceNormKernels()).toEqual([]); // already registered on import
    for (const backend of ['cpu', 'wasm'])
      for (const name of [INSTANCE_NORM_KERNEL, INSTANCE_NORM_GRAD_KERNEL])
        expect(tf.getKernel(name, backend), `${name}/${backend}`).toBeDefined();
    expect(tf.getGradient(INSTANCE_NORM_KERNEL)).toBeDefined();
  });
});

/** The kernel's tests, on whichever backend (and wasm implementation) is current. */
function kernelTests(): void {
  it('equals a float64 reference on a grid of shapes, with and without affine and ReLU', () => {
    for (const [i, shape] of SHAPES.entries()) {
      const c = shape[3];
      const x = tf.tidy<tf.Tensor4D>(() => tf.add(tf.mul(seededTensor(shape, 11 + i), 3), 1.5)); // mean far from 0
      const gamma = Array.from({ length: c }, (_, k) => 0.5 + 0.25 * (k % 5));
      const beta = Array.from({ length: c }, (_, k) => -0.3 + 0.1 * (k % 7));
      const g = tf.tensor1d(gamma);
      const bt = tf.tensor1d(beta);
      for (const activation of ['linear', 'relu'] as const) {
        for (const affine of [false, true]) {
          const y = affine ? fused(x, 1e-5, activation, g, bt) : fused(x, 1e-5, activation);
          const expected = affine ? reference(x, 1e-5, activation, gamma, beta) : reference(x, 1e-5, activation);
          expectClose(y, expected, 2e-5, 2e-6, `[${shape}] ${activation} affine=${affine}`);
          y.dispose();
        }
      }
      tf.dispose([x, g, bt]);
    }
  });

  it('a constant channel normalises to zero (variance 0: the epsilon alone scales)', () => {
    const x = tf.fill<tf.Rank.R4>([1, 3, 3, 2], 7);
    const y = fused(x, 1e-3, 'linear');
    expectClose(y, new Float64Array(18), 0);
    tf.dispose([x, y]);
  });

  it('equals the chain of tfjs ops it replaces', () => {
    const x = seededTensor([2, 12, 10, 24], 5) as tf.Tensor4D;
    const gamma = seededTensor([24], 6) as tf.Tensor1D;
    const beta = seededTensor([24], 7) as tf.Tensor1D;
    const a = fused(x, 1e-5, 'relu', gamma, beta);
    const b = chain(x, 1e-5, 'relu', gamma, beta);
    expectClose(a, b, 1e-5, 1e-5);
    tf.dispose([x, gamma, beta, a, b]);
  });

  it('gradients equal those of the op chain (x, gamma and beta; with and without ReLU; batch 1 and 3)', () => {
    for (const [i, shape] of [
      [1, 6, 5, 8],
      [3, 4, 7, 5],
      [2, 16, 16, 33],
    ].entries()) {
      const x = seededTensor(shape, 20 + i) as tf.Tensor4D;
      const c = shape[3] as number;
      const gamma = tf.tidy<tf.Tensor1D>(() => tf.add(seededTensor([c], 30 + i), 1));
      const beta = seededTensor([c], 40 + i) as tf.Tensor1D;
      const w = seededTensor(shape, 50 + i); // a loss that weighs every output differently
      for (const activation of ['linear', 'relu'] as const) {
        const loss = (f: typeof fused) => (xv: tf.Tensor, gv: tf.Tensor, bv: tf.Tensor) =>
          tf.sum(tf.mul(f(xv as tf.Tensor4D, 1e-5, activation, gv as tf.Tensor1D, bv as tf.Tensor1D), w));
        const got = tf.grads(loss(fused))([x, gamma, beta]);
        const want = tf.grads(loss(chain))([x, gamma, beta]);
        ['dx', 'dgamma', 'dbeta'].forEach((name, k) =>
          expectClose(got[k] as tf.Tensor, want[k] as tf.Tensor, 2e-5, 1e-4, `[${shape}] ${activation} ${name}`),
        );
        tf.dispose([...got, ...want]);
      }
      tf.dispose([x, gamma, beta, w]);
    }
  });

  it('gradients match finite differences (no affine, ReLU)', () => {
    const x = tf.tidy(() => tf.mul(seededTensor([1, 3, 2, 3], 3), 2));
    const w = seededTensor([1, 3, 2, 3], 4);
    checkGradient((v) => tf.sum(tf.mul(fused(v as tf.Tensor4D, 1e-3, 'relu'), w)), x, 1e-2, 2e-3, 'x');
    tf.dispose([x, w]);
  });

  it('leaks nothing, inside or outside a caller tidy, forward and backward', async () => {
    const x = seededTensor([2, 4, 4, 6], 8) as tf.Tensor4D;
    const gamma = tf.ones<tf.Rank.R1>([6]);
    await expectNoLeak(() => fused(x, 1e-5, 'relu', gamma).dispose());
    await expectNoLeak(() => tf.tidy(() => void fused(x, 1e-5, 'linear')));
    await expectNoLeak(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(fused(a as tf.Tensor4D, 1e-5, 'relu', b as tf.Tensor1D)),
      )([x, gamma]);
      tf.dispose(g);
    });
    tf.dispose([x, gamma]);
  });

  it('refuses inputs and attributes a direct call gets wrong, naming them', () => {
    const x = tf.zeros([1, 2, 2, 3]);
    const run = (name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown>) => () =>
      tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);
    const ok = { epsilon: 1e-5, activation: 'linear' };
    expect(run(INSTANCE_NORM_KERNEL, { x: tf.zeros([2, 3]) }, ok)).toThrow(
      /GancompressInstanceNorm: x: got shape \[2,3\], expected rank 4/,
    );
    expect(run(INSTANCE_NORM_KERNEL, { x, gamma: tf.ones([4]) }, ok)).toThrow(
      /gamma: got shape \[4\], expected float32 \[3\]/,
    );
    expect(run(INSTANCE_NORM_KERNEL, { x }, { epsilon: 0, activation: 'linear' })).toThrow(
      /epsilon: got 0, expected a finite number > 0/,
    );
    expect(run(INSTANCE_NORM_KERNEL, { x }, { epsilon: 1e-5, activation: 'tanh' })).toThrow(
      /activation: got 'tanh', expected one of 'linear', 'relu'/,
    );
    expect(run(INSTANCE_NORM_KERNEL, { x: tf.zeros([1, 2, 2, 3], 'int32') }, ok)).toThrow(
      /x.dtype: got 'int32', expected 'float32'/,
    );
    const stats = tf.zeros([1, 3, 3]);
    expect(run(INSTANCE_NORM_GRAD_KERNEL, { dy: x, x, y: x, stats: tf.zeros([1, 2, 3]) }, ok)).toThrow(
      /GancompressInstanceNormGrad: stats: got shape \[1,2,3\], expected float32 \[1,3,3\]/,
    );
    expect(run(INSTANCE_NORM_GRAD_KERNEL, { dy: tf.zeros([1, 2, 3, 3]), x, y: x, stats }, ok)).toThrow(
      /dy: got shape \[1,2,3,3\]/,
    );
    tf.dispose([x, stats]);
  });
}

describeBackends('the fused instance norm kernel', () => kernelTests());

describe('the fused instance norm kernel [wasm, JavaScript fallback]', () => {
  let previous: WasmNormChoice = 'auto';
  beforeAll(async () => {
    await initBackend('wasm');
    previous = setWasmNormChoice('js');
  });
  afterAll(() => void setWasmNormChoice(previous));
  kernelTests();
});

describe('the wasm implementation', () => {
  it('is the SIMD module on this runtime (over the backend memory, shared when threaded)', async () => {
    await initBackend('wasm');
    const memory = wasmMemoryOf(tf.backend() as unknown as WasmBackend);
    expect(memory).not.toBeNull();
    expect(normKernelsOver(memory as WebAssembly.Memory)).not.toBeNull();
  });
});

describeBackends('instanceNorm (layers/common) runs the fused kernel', () => {
  it('on this backend, forward and backward (the op and the backend agree on the kernel name)', async () => {
    const x = seededTensor([1, 5, 5, 4], 9) as tf.Tensor4D;
    const gamma = tf.ones<tf.Rank.R1>([4]);
    const info = await tf.profile(() => {
      const [dx, dg] = tf.grads((a: tf.Tensor, g: tf.Tensor) =>
        tf.sum(instanceNorm(a as tf.Tensor4D, { gamma: g as tf.Tensor1D })),
      )([x, gamma]);
      return [dx, dg] as tf.Tensor[];
    });
    const names = info.kernels.map((k) => k.name);
    expect(names).toContain(INSTANCE_NORM_KERNEL);
    expect(names).toContain(INSTANCE_NORM_GRAD_KERNEL);
    expect(names).not.toContain('Mean');
    tf.dispose([x, gamma]);
  });
});

interface NormCase {
  affine: boolean;
  relu: boolean;
  x: FixtureTensor;
  w: FixtureTensor;
  y: FixtureTensor;
  dx: FixtureTensor;
  gamma?: FixtureTensor;
  beta?: FixtureTensor;
  dgamma?: FixtureTensor;
  dbeta?: FixtureTensor;
}

describeBackends('instanceNorm (+ ReLU) against PyTorch InstanceNorm2d, forward and backward', () => {
  it('equals the float64 PyTorch values and gradients (x, and gamma and beta when affine)', () => {
    for (const c of readFixture<{ instanceNorm: NormCase[] }>('backend_torch').instanceNorm) {
      const x = fromFixture(c.x) as tf.Tensor4D;
      const w = fromFixture(c.w);
      const gamma = c.gamma == null ? undefined : (fromFixture(c.gamma) as tf.Tensor1D);
      const beta = c.beta == null ? undefined : (fromFixture(c.beta) as tf.Tensor1D);
      const f = (v: tf.Tensor, g?: tf.Tensor, b?: tf.Tensor): tf.Tensor => {
        const y = instanceNorm(v as tf.Tensor4D, {
          gamma: g as tf.Tensor1D | undefined,
          beta: b as tf.Tensor1D | undefined,
        });
        return c.relu ? tf.relu(y) : y;
      };
      const label = `affine=${c.affine} relu=${c.relu}`;
      const y = f(x, gamma, beta);
      expectClose(y, fromFixture(c.y), 2e-5, 1e-6, `${label} y`);
      const params = gamma == null || beta == null ? [x] : [x, gamma, beta];
      const grads = tf.grads((...p: tf.Tensor[]) => tf.sum(tf.mul(f(p[0] as tf.Tensor, p[1], p[2]), w)))(params);
      expectClose(grads[0] as tf.Tensor, fromFixture(c.dx), 5e-5, 1e-5, `${label} dx`);
      if (c.dgamma != null && c.dbeta != null) {
        expectClose(grads[1] as tf.Tensor, fromFixture(c.dgamma), 1e-4, 1e-5, `${label} dgamma`);
        expectClose(grads[2] as tf.Tensor, fromFixture(c.dbeta), 1e-4, 1e-5, `${label} dbeta`);
      }
      tf.dispose([x, w, y, ...grads, ...(gamma == null ? [] : [gamma]), ...(beta == null ? [] : [beta])]);
    }
  });
});
