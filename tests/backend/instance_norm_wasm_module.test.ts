import { describe, expect, it } from 'vitest';
import { normApply, normGradient, normStats, STATS_ROWS, type At } from '../../src/backend/instance_norm_math.js';
import { normKernelsOver } from '../../src/backend/instance_norm_wasm_module.js';
import { expectClose } from '../helpers/tensors.js';

// The SIMD module directly, over a memory of each kind: a plain one (the single-threaded wasm
// build's) and a shared one (the threaded build's); the JavaScript passes of instance_norm_math.ts
// (float64 sums) are the reference.

const KINDS = [
  ['plain', () => new WebAssembly.Memory({ initial: 16 })],
  ['shared', () => new WebAssembly.Memory({ initial: 16, maximum: 64, shared: true })],
] as const;

describe.each(KINDS)('the instance norm SIMD module over a %s memory', (_, makeMemory) => {
  it('computes the stats, the normalisation and the gradient passes of the JavaScript reference', () => {
    const memory = makeMemory();
    const k = normKernelsOver(memory);
    expect(k).not.toBeNull();
    if (k == null) return;
    for (const [batch, h, w, c] of [
      [1, 3, 5, 7],
      [2, 4, 4, 16],
      [1, 1, 9, 1],
      [3, 6, 2, 5],
    ] as const) {
      const n = h * w;
      const size = batch * n * c;
      const f32 = new Float32Array(memory.buffer);
      const f64 = new Float64Array(memory.buffer);
      // Element offsets in the memory (every array 16-byte aligned, float64 ones 8-byte).
      let next = 16;
      const alloc = (floats: number): number => {
        const at = next;
        next += Math.ceil(floats / 4) * 4 + 4;
        return at;
      };
      const [x, dy, y, dx, yRef, dxRef] = [0, 1, 2, 3, 4, 5].map(() => alloc(size)) as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const [mean, rstd, scale, beta, row, row2, coef, k1, k2] = Array.from({ length: 9 }, () => alloc(c)) as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const acc = alloc(2 * c);
      const acc2 = alloc(2 * c);
      for (let i = 0; i < size; i++) {
        f32[x + i] = Math.sin(i * 0.7) * 3 + 1;
        f32[dy + i] = Math.cos(i * 1.3);
      }
      for (let i = 0; i < c; i++) f32[beta + i] = 0.1 * i - 0.2;
      const stats = new Float32Array(batch * STATS_ROWS * c);
      const at = (o: number): At => ({ a: f32, o });
      const shape = { batch, pixels: n, channels: c };
      normStats(at(x), shape, 1e-5, null, { a: stats, o: 0 });
      for (const relu of [false, true]) {
        normApply(at(x), shape, { a: stats, o: 0 }, f32.subarray(beta, beta + c), relu, at(yRef));
        const dgamma = new Float32Array(c);
        const dbeta = new Float32Array(c);
        normGradient(at(dy), at(x), at(yRef), shape, { a: stats, o: 0 }, relu, at(dxRef), dgamma, dbeta);
        for (let b = 0; b < batch; b++) {
          const xb = 4 * (x + b * n * c);
          f64.fill(0, acc / 2, acc / 2 + c);
          k.sum_x(xb, n, 4 * c, w, 4 * row, 4 * acc);
          for (let i = 0; i < c; i++) f32[mean + i] = (f64[acc / 2 + i] as number) / n;
          expectClose(
            f32.subarray(mean, mean + c),
            stats.subarray(b * STATS_ROWS * c, b * STATS_ROWS * c + c),
            1e-5,
            1e-6,
            'mean',
          );
          f64.fill(0, acc / 2, acc / 2 + c);
          k.sum_sq(xb, n, 4 * c, w, 4 * row, 4 * acc, 4 * mean);
          for (let i = 0; i < c; i++) {
            f32[rstd + i] = 1 / Math.sqrt((f64[acc / 2 + i] as number) / n + 1e-5);
            f32[scale + i] = f32[rstd + i] as number;
          }
          const rstdRef = stats.subarray(b * STATS_ROWS * c + c, b * STATS_ROWS * c + 2 * c);
          expectClose(f32.subarray(rstd, rstd + c), rstdRef, 0, 1e-5, 'rstd');
          (relu ? k.apply_relu : k.apply_linear)(xb, 4 * (y + b * n * c), n, 4 * c, 4 * mean, 4 * scale, 4 * beta);
          f64.fill(0, acc / 2, acc / 2 + c);
          f64.fill(0, acc2 / 2, acc2 / 2 + c);
          const streams = [4 * (dy + b * n * c), xb, 4 * (y + b * n * c)] as const;
          (relu ? k.gsum_relu : k.gsum_linear)(
            ...streams,
            n,
            4 * c,
            w,
            4 * mean,
            4 * rstd,
            4 * row,
            4 * row2,
            4 * acc,
            4 * acc2,
          );
          for (let i = 0; i < c; i++) {
            f32[k1 + i] = (f64[acc / 2 + i] as number) / n;
            f32[k2 + i] = (f64[acc2 / 2 + i] as number) / n;
            f32[coef + i] = f32[rstd + i] as number;
          }
          (relu ? k.gapply_relu : k.gapply_linear)(
            ...streams,
            4 * (dx + b * n * c),
            n,
            4 * c,
            4 * mean,
            4 * rstd,
            4 * coef,
            4 * k1,
            4 * k2,
          );
        }
        expectClose(
          f32.subarray(y, y + size),
          f32.subarray(yRef, yRef + size),
          1e-5,
          1e-5,
          `[${batch},${h},${w},${c}] y relu=${relu}`,
        );
        expectClose(
          f32.subarray(dx, dx + size),
          f32.subarray(dxRef, dxRef + size),
          1e-5,
          1e-4,
          `[${batch},${h},${w},${c}] dx relu=${relu}`,
        );
      }
    }
  });
});
