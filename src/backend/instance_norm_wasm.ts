import type * as tf from '@tensorflow/tfjs-core';
import { affineInputs, checkNormCall, gradInputs, INSTANCE_NORM_KERNEL } from './instance_norm_checks.js';
import { normApply, normGradient, normStats, STATS_ROWS, type At } from './instance_norm_math.js';
import { normKernelsOver, type NormExports } from './instance_norm_wasm_module.js';
import { free, heapBytes, wasmMemoryOf, type WasmBackend } from './wasm_kernel_utils.js';

/** Which implementation the wasm kernels use: 'auto' (SIMD when it compiles) or 'js'. */
export type WasmNormChoice = 'auto' | 'js';

let choice: WasmNormChoice = 'auto';

/**
 * Selects the implementation of the wasm backend's instance-norm kernels; returns the previous
 * choice. Tests and benchmarks use it to run the JavaScript fallback (what runtimes without
 * WebAssembly SIMD get).
 */
export function setWasmNormChoice(next: WasmNormChoice): WasmNormChoice {
  const previous = choice;
  choice = next;
  return previous;
}

function simdKernels(backend: WasmBackend): NormExports | null {
  const memory = choice === 'js' ? null : wasmMemoryOf(backend);
  return memory == null ? null : normKernelsOver(memory);
}

/** A float32 view of the heap at a tensor (read after every allocation: growing replaces the buffer). */
function at(backend: WasmBackend, t: tf.TensorInfo): At {
  return { a: new Float32Array(heapBytes(backend).buffer), o: backend.getMemoryOffset(t.dataId) / 4 };
}

/**
 * A float32 scratch tensor of `floats` values whose first `doubles` float64 slots start on an
 * 8-byte boundary; returns it with the byte address of that boundary.
 */
function scratch(backend: WasmBackend, floats: number): { info: tf.TensorInfo; base: number } {
  const info = backend.makeOutput([floats + 1], 'float32');
  const offset = backend.getMemoryOffset(info.dataId);
  return { info, base: offset % 8 === 0 ? offset : offset + 4 };
}

/** The fused instance norm for the wasm backend: outputs `[y, stats]`, see instance_norm_math.ts. */
export function instanceNormWasm({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const wasm = backend as unknown as WasmBackend;
  const x = inputs['x'] as tf.TensorInfo;
  const call = checkNormCall(INSTANCE_NORM_KERNEL, x, attrs ?? {});
  const { batch, pixels: n, channels: c } = call.shape;
  const { gamma, beta } = affineInputs(INSTANCE_NORM_KERNEL, inputs, c);
  const y = wasm.makeOutput([...x.shape], 'float32');
  const stats = wasm.makeOutput([batch, STATS_ROWS, c], 'float32');
  if (n * c === 0) return [y, stats];
  const k = simdKernels(wasm);
  if (k == null) {
    const params = (t: tf.TensorInfo | null): Float32Array | null => {
      if (t == null) return null;
      const v = at(wasm, t);
      return v.a.subarray(v.o, v.o + c);
    };
    normStats(at(wasm, x), call.shape, call.epsilon, params(gamma), at(wasm, stats));
    normApply(at(wasm, x), call.shape, at(wasm, stats), params(beta), call.relu, at(wasm, y));
    return [y, stats];
  }
  // Scratch: float64 sums [C], float32 row partials [C], scale [C], zeros [C] (no beta).
  const s = scratch(wasm, 5 * c);
  const acc = s.base;
  const row = acc + 8 * c;
  const scale = row + 4 * c;
  const zeros = scale + 4 * c;
  const heap = heapBytes(wasm).buffer;
  const f32 = new Float32Array(heap);
  const f64 = new Float64Array(heap);
  f32.fill(0, zeros / 4, zeros / 4 + c);
  const off = (t: tf.TensorInfo): number => wasm.getMemoryOffset(t.dataId);
  const gammaAt = gamma == null ? -1 : off(gamma) / 4;
  const betaAt = beta == null ? zeros : off(beta);
  const cbytes = 4 * c;
  const w = x.shape[2] as number;
  for (let b = 0; b < batch; b++) {
    const xb = off(x) + b * n * cbytes;
    const statsRow = off(stats) + b * STATS_ROWS * cbytes;
    const [mean, rstd, gammaRow] = [statsRow, statsRow + cbytes, statsRow + 2 * cbytes];
    f64.fill(0, acc / 8, acc / 8 + c);
    k.sum_x(xb, n, cbytes, w, row, acc);
    for (let i = 0; i < c; i++) f32[mean / 4 + i] = (f64[acc / 8 + i] as number) / n;
    f64.fill(0, acc / 8, acc / 8 + c);
    k.sum_sq(xb, n, cbytes, w, row, acc, mean);
    for (let i = 0; i < c; i++) {
      const r = 1 / Math.sqrt((f64[acc / 8 + i] as number) / n + call.epsilon);
      const g = gammaAt < 0 ? 1 : (f32[gammaAt + i] as number);
      f32[rstd / 4 + i] = r;
      f32[gammaRow / 4 + i] = g;
      f32[scale / 4 + i] = (f32[rstd / 4 + i] as number) * g;
    }
    (call.relu ? k.apply_relu : k.apply_linear)(xb, off(y) + b * n * cbytes, n, cbytes, mean, scale, betaAt);
  }
  free(wasm, s.info);
  return [y, stats];
}

/** The gradient kernel for the wasm backend: outputs `[dx, dgamma, dbeta]`. */
export function instanceNormGradWasm({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const wasm = backend as unknown as WasmBackend;
  const { call, x, dy, y, stats } = gradInputs(inputs, attrs ?? {});
  const { batch, pixels: n, channels: c } = call.shape;
  const dx = wasm.makeOutput([...x.shape], 'float32');
  const dgamma = wasm.makeOutput([c], 'float32');
  const dbeta = wasm.makeOutput([c], 'float32');
  const k = n * c === 0 ? null : simdKernels(wasm);
  if (k == null) {
    const g = at(wasm, dgamma);
    const b = at(wasm, dbeta);
    const [dyv, xv, yv, sv, dxv] = [dy, x, y, stats, dx].map((t) => at(wasm, t)) as [At, At, At, At, At];
    normGradient(dyv, xv, yv, call.shape, sv, call.relu, dxv, g.a.subarray(g.o, g.o + c), b.a.subarray(b.o, b.o + c));
    return [dx, dgamma, dbeta];
  }
  // Scratch: float64 sums S₁ and S₂ [C each], float32 row partials ×2, coef, k1, k2 [C each].
  const s = scratch(wasm, 9 * c);
  const acc1 = s.base;
  const acc2 = acc1 + 8 * c;
  const [row1, row2, coef, k1, k2] = [0, 1, 2, 3, 4].map((i) => acc2 + 8 * c + i * 4 * c) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const heap = heapBytes(wasm).buffer;
  const f32 = new Float32Array(heap);
  const f64 = new Float64Array(heap);
  const off = (t: tf.TensorInfo): number => wasm.getMemoryOffset(t.dataId);
  const cbytes = 4 * c;
  const w = x.shape[2] as number;
  const sumGamma = new Float64Array(c);
  const sumBeta = new Float64Array(c);
  for (let b = 0; b < batch; b++) {
    const at = b * n * cbytes;
    const statsRow = off(stats) + b * STATS_ROWS * cbytes;
    const [mean, rstd, gammaRow] = [statsRow, statsRow + cbytes, statsRow + 2 * cbytes];
    f64.fill(0, acc1 / 8, acc1 / 8 + 2 * c);
    const streams = [off(dy) + at, off(x) + at, off(y) + at] as const;
    (call.relu ? k.gsum_relu : k.gsum_linear)(...streams, n, cbytes, w, mean, rstd, row1, row2, acc1, acc2);
    for (let i = 0; i < c; i++) {
      const s1 = f64[acc1 / 8 + i] as number;
      const s2 = f64[acc2 / 8 + i] as number;
      sumBeta[i]! += s1;
      sumGamma[i]! += s2;
      f32[k1 / 4 + i] = s1 / n;
      f32[k2 / 4 + i] = s2 / n;
      f32[coef / 4 + i] = (f32[rstd / 4 + i] as number) * (f32[gammaRow / 4 + i] as number);
    }
    (call.relu ? k.gapply_relu : k.gapply_linear)(...streams, off(dx) + at, n, cbytes, mean, rstd, coef, k1, k2);
  }
  f32.set(sumGamma, off(dgamma) / 4);
  f32.set(sumBeta, off(dbeta) / 4);
  free(wasm, s.info);
  return [dx, dgamma, dbeta];
}
