import * as tf from '@tensorflow/tfjs-core';
import { resizeBicubic } from '../src/index.js';
import { alternatingRounds, defineBench, disposeAll, fmt, median, useBackend } from './harness.js';

type Case = [number, number, number, number];
/** Inputs downscaled ×4 (the low-resolution images of ×4 super-resolution): one photo crop, a batch of crops. */
const DOWN: Case[] = [
  [1, 256, 256, 3],
  [16, 128, 128, 3],
];
/** The bicubic ×4 baseline upscale of a 64×64 low-resolution crop. */
const UP: Case = [1, 64, 64, 3];

// resizeBicubic is two matMuls against [out, in] weight matrices. tfjs's own resizeBilinear
// (one registered kernel, 2×2 taps, no antialiasing) is the cheapest resize there is: the
// reference for what a resize costs on each backend.
export default defineBench('Image: resizeBicubic', async (progress) => {
  const rows: (string | number)[][] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await useBackend(backend);
    const options = backend === 'cpu' ? { minTotalMs: 300, maxRuns: 10 } : { minTotalMs: 250, maxRuns: 40 };
    for (const [shape, scale] of [...DOWN.map((s) => [s, 1 / 4] as const), [UP, 4] as const]) {
      const [n, h, w, c] = shape;
      const size: [number, number] = [h * scale, w * scale];
      const x = tf.randomUniform<tf.Rank.R4>(shape, 0, 255, 'float32', 1);
      const grad = tf.grad((p: tf.Tensor) => tf.sum(resizeBicubic(p as tf.Tensor4D, size)));
      progress(`[${shape.join(',')}] → ${size.join('×')} on ${backend}`);
      const times = await alternatingRounds(
        {
          bicubic: () => resizeBicubic(x, size),
          plain: () => resizeBicubic(x, size, { antialias: false }),
          clamped: () => resizeBicubic(x, size, { clamp: [0, 255] }),
          bilinear: () => tf.image.resizeBilinear(x, size, false, true),
          backward: () => grad(x),
        },
        { ...options, rounds: 3 },
      );
      const t = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<
        keyof typeof times,
        number
      >;
      rows.push([
        backend,
        `[${n},${h},${w},${c}] → ${size.join('×')}`,
        fmt(t.bicubic),
        fmt(t.plain),
        fmt(t.clamped),
        fmt(t.bilinear),
        `${fmt(t.bicubic / t.bilinear, 1)}×`,
        fmt(t.backward),
      ]);
      disposeAll(x);
    }
  }
  return [
    {
      title: 'resizeBicubic (antialiased ×4 down, ×4 up) against tfjs resizeBilinear, ms, result read back',
      columns: [
        'backend',
        'resize',
        'bicubic',
        'antialias off',
        'clamp [0, 255]',
        'tf resizeBilinear',
        'bicubic / bilinear',
        'backward',
      ],
      rows,
      notes: [
        'bicubic: resizeBicubic(x, size), antialiased (PIL-equal); "antialias off" the 4-tap kernel at any scale; "clamp" adds the per-pass clamp that makes 8-bit results equal PIL within 1 grey level.',
        'tf resizeBilinear: tf.image.resizeBilinear(x, size, alignCorners false, halfPixelCenters true), no antialiasing: the cost floor of a resize on each backend, not an equal result.',
        'backward: the gradient of sum(resizeBicubic(x)) with respect to x (two transposed matMuls).',
        'Medians over 3 alternating rounds, each case timed by its own median; float32 input uniform in [0, 255].',
      ],
    },
  ];
});
