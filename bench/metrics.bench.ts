import * as tf from '@tensorflow/tfjs-core';
import { ConfusionMatrix, FeatureStats, frechetDistance, kid, psnr, ssim } from '../src/index.js';
import { setKernelChoice } from '../src/metrics/linalg/heap.js';
import { measureLatency } from '../src/metrics/latency.js';
import { Random } from '../src/util/random.js';
import { defineBench, fmt, medianMs, status, useBackend } from './harness.js';

/** Features with a decaying spectrum (a latent low-rank part plus noise), like pooled CNN features. */
function syntheticFeatures(n: number, d: number, seed: number, shift = 0): Float64Array {
  const rng = new Random(seed);
  const rank = 64;
  const w = Float64Array.from({ length: rank * d }, () => rng.normal());
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = out.subarray(i * d, (i + 1) * d);
    for (let t = 0; t < rank; t++) {
      const z = rng.normal() / (1 + t);
      for (let j = 0; j < d; j++) row[j]! += z * (w[t * d + j] as number);
    }
    for (let j = 0; j < d; j++) row[j]! += 0.3 * rng.normal() + shift;
  }
  return out;
}

async function seconds(fn: () => void, runs: number): Promise<number> {
  return (await measureLatency(fn, { warmup: runs > 1 ? 1 : 0, runs })).medianMs / 1000;
}

// Fréchet distance at Inception's d = 2048 is the hard case: tr √(Σ₁Σ₂) in float64 JavaScript.
export default defineBench('Metrics: FID, KID, SSIM, mIoU', async (progress) => {
  const target = 5;
  const fidRows: (string | number)[][] = [];
  const statsCache = new Map<number, [FeatureStats, FeatureStats]>();
  const statsFor = (d: number): [FeatureStats, FeatureStats] => {
    let pair = statsCache.get(d);
    if (!pair) {
      const n = d + 500;
      pair = [
        new FeatureStats(d).updateRows(syntheticFeatures(n, d, 1), n),
        new FeatureStats(d).updateRows(syntheticFeatures(n, d, 2, 0.05), n),
      ];
      statsCache.set(d, pair);
    }
    return pair;
  };
  for (const d of [512, 2048]) {
    const [a, b] = statsFor(d);
    const result: Record<string, number> = {};
    for (const kernels of ['wasm', 'js'] as const) {
      progress(`Fréchet distance d=${d} (${kernels} kernels)`);
      setKernelChoice(kernels);
      result[kernels] = await seconds(() => void frechetDistance(a, b), d === 2048 && kernels === 'js' ? 1 : 3);
    }
    setKernelChoice('auto');
    const wasm = result['wasm'] as number;
    const js = result['js'] as number;
    fidRows.push([
      `frechetDistance, d = ${d}`,
      fmt(wasm, 3),
      fmt(js, 2),
      `${fmt(js / wasm, 1)}×`,
      d === 2048 ? `≤ ${target} s` : '—',
      d === 2048 ? status(wasm <= target) : '',
    ]);
  }

  progress('FeatureStats accumulation');
  const d = 2048;
  const rows = syntheticFeatures(1024, d, 3);
  const accumulate = await seconds(() => void new FeatureStats(d).updateRows(rows, 1024).covariance(), 3);

  progress('kid');
  const featsA = toRows(syntheticFeatures(2000, d, 4), 2000, d);
  const featsB = toRows(syntheticFeatures(2000, d, 5, 0.05), 2000, d);
  const kidSeconds = await seconds(() => void kid(featsA, featsB, { subsets: 100, subsetSize: 1000, seed: 0 }), 1);

  progress('ssim / psnr / mIoU');
  await useBackend('wasm');
  const imgA = tf.randomUniform([512, 512, 3], 0, 255, 'float32', 1);
  const imgB = tf.add(imgA, tf.randomNormal([512, 512, 3], 0, 8, 'float32', 2));
  const ssimMs = await medianMs(() => void ssim(imgA, imgB, { maxVal: 255 }), {
    minRuns: 3,
    maxRuns: 10,
    minTotalMs: 2000,
  });
  const psnrMs = await medianMs(() => void psnr(imgA, imgB, 255), { minRuns: 3, maxRuns: 20, minTotalMs: 1000 });
  const label = tf.randomUniform([1, 1024, 2048], 0, 19, 'int32', 3);
  const pred = tf.randomUniform([1, 1024, 2048], 0, 19, 'int32', 4);
  const miouMs = await medianMs(() => void new ConfusionMatrix(19).update(pred, label).result(), {
    minRuns: 3,
    maxRuns: 10,
    minTotalMs: 2000,
  });
  tf.dispose([imgA, imgB, label, pred]);

  return [
    {
      title: 'Fréchet distance: tr √(Σ₁Σ₂) in float64 (median seconds)',
      columns: ['computation', 'WebAssembly SIMD s', 'JavaScript fallback s', 'speed-up', 'target', 'status'],
      rows: fidRows,
      notes: [
        'Statistics of d + 500 synthetic features per set (full-rank covariances); the time is frechetDistance alone: two pivoted Cholesky factorisations, M = LᵀΣ₂L, Householder tridiagonalisation, QL.',
        'WebAssembly SIMD is what Node and current browsers run; the JavaScript kernels are the fallback where WebAssembly SIMD is unavailable. Median of 3 runs (1 for the d = 2048 fallback).',
      ],
    },
    {
      title: 'Other metrics (median)',
      columns: ['computation', 'time'],
      rows: [
        [
          `FeatureStats: 1024 vectors of d = ${d} (update + covariance)`,
          `${fmt(accumulate * 1000, 0)} ms (${fmt(1024 / accumulate, 0)} vectors/s)`,
        ],
        [`kid: 2000 + 2000 vectors, d = ${d}, 100 subsets of 1000`, `${fmt(kidSeconds, 2)} s (Gram matrices once)`],
        ['ssim: 512×512×3, float64 Gaussian window', `${fmt(ssimMs, 0)} ms`],
        ['psnr: 512×512×3', `${fmt(psnrMs, 1)} ms`],
        ['ConfusionMatrix: 19 classes, 1024×2048 labels', `${fmt(miouMs, 0)} ms`],
      ],
      notes: ['Image metrics read their tensors from the wasm backend (dataSync) and compute in float64 JavaScript.'],
    },
  ];
});

function toRows(flat: Float64Array, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * d, (i + 1) * d)));
}
