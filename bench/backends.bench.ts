import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { defineBench, disposeAll, fmt, medianMs, useBackend } from './harness.js';

// Forward throughput of the two Node backends the tests run on, so users can see what
// choosing wasm over cpu buys (tfjs-node cannot be installed on the benchmark machine).
export default defineBench('Backends: cpu vs wasm forward throughput', async (progress) => {
  const cases = [
    { name: 'conv 3×3 [1,64,64,64]→64', x: [1, 64, 64, 64], f: [3, 3, 64, 64] },
    { name: 'conv 3×3 [4,32,32,128]→128', x: [4, 32, 32, 128], f: [3, 3, 128, 128] },
    { name: 'matMul 512×512·512×512', x: [512, 512], f: [512, 512] },
  ];
  const rows: (string | number)[][] = [];
  for (const c of cases) {
    const result: Record<string, number> = {};
    const macs =
      c.x.length === 4 ? c.x.slice(0, 3).reduce((a, b) => a * b, 1) * c.f.reduce((a, b) => a * b, 1) : 512 ** 3;
    for (const backend of ['cpu', 'wasm'] as const) {
      progress(`${c.name} on ${backend}`);
      await useBackend(backend);
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 1);
      const f = tf.randomNormal(c.f, 0, 1, 'float32', 2);
      const run = (): tf.Tensor =>
        c.x.length === 4 ? tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same') : tf.matMul(x, f);
      const ms = await medianMs(run, { maxRuns: backend === 'cpu' ? 5 : 100, minTotalMs: 1000 });
      result[backend] = macs / ms / 1e6;
      disposeAll(x, f);
    }
    rows.push([
      c.name,
      fmt(result['cpu'] as number, 3),
      fmt(result['wasm'] as number),
      fmt((result['wasm'] as number) / (result['cpu'] as number), 1) + '×',
    ]);
  }
  return [
    {
      title: 'Forward GMAC/s (median of repeated runs)',
      columns: ['op', 'cpu GMAC/s', 'wasm GMAC/s', 'wasm / cpu'],
      rows,
      notes: [
        'GMAC/s = multiply-accumulates of the op / median wall time; inputs are random normal float32.',
        `wasm as initBackend('wasm') sets it up: the threaded-SIMD build on ${getThreadsCount()} thread(s) (see the "Speed on wasm" section for 1 vs 2 threads).`,
      ],
    },
  ];
});
