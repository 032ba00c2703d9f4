import * as tf from '@tensorflow/tfjs-core';
import { haarDwt, haarIdwt } from '../src/wavelet/haar.js';
import { setWasmHaarChoice, wasmHaarImplementation } from '../src/wavelet/haar_kernel_wasm.js';
import { haarAnalysis, haarSynthesis, type HaarStrategy } from '../src/wavelet/haar_transform.js';
import { alternatingRounds, defineBench, disposeAll, fmt, median, medianMs, status, useBackend } from './harness.js';

const TARGET = 3;
const SHAPES: [number, number, number, number][] = [
  [1, 256, 256, 64],
  [8, 128, 128, 12],
];

type Timed = () => tf.Tensor;
type Options = Parameters<typeof medianMs>[1];

/** Median over `rounds` alternating rounds of every case. */
async function alternate(
  cases: Record<string, () => tf.Tensor | void>,
  options: Options,
  rounds: number,
): Promise<Record<string, number>> {
  const times = await alternatingRounds(cases, { ...options, rounds });
  return Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t)]));
}

/** The same op timed without reading its result back: cpu and wasm kernels run synchronously when called. */
function computeOnly(fn: Timed): () => void {
  return () => fn().dispose();
}

/** A round trip through the whole-tensor formulation the backends without a kernel use. */
function composed(x: tf.Tensor4D, strategy: HaarStrategy): Timed {
  return () => tf.tidy(() => haarSynthesis(haarAnalysis(x, strategy), strategy));
}

/** `fn` with the wasm kernels forced onto their JavaScript fallback. */
function jsFallback(fn: Timed): Timed {
  return () => {
    const previous = setWasmHaarChoice('js');
    try {
      return fn();
    } finally {
      setWasmHaarChoice(previous);
    }
  };
}

// The Haar round trip against the cheapest memory-bound op on the same tensor: both read and
// write every element. Two timings: the harness's standard one (the result is read back with
// data(), as an application would), and compute only (the result is disposed unread).
export default defineBench('Wavelets: Haar DWT + IDWT round trip', async (progress) => {
  const standard: (string | number)[][] = [];
  const compute: (string | number)[][] = [];
  const other: (string | number)[][] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await useBackend(backend);
    const path =
      backend === 'wasm'
        ? `kernel (${wasmHaarImplementation(tf.backend()) === 'simd' ? 'wasm SIMD' : 'JS loop'})`
        : 'kernel (JS loop)';
    const options: Options = backend === 'cpu' ? { minTotalMs: 400, maxRuns: 15 } : { minTotalMs: 250, maxRuns: 40 };
    for (const shape of SHAPES) {
      const label = `[${shape.join(',')}]`;
      const x = tf.randomNormal<tf.Rank.R4>(shape, 0, 1, 'float32', 1);
      const y = haarDwt(x);
      const roundTrip: Timed = () => tf.tidy(() => haarIdwt(haarDwt(x)));
      const cases: Record<string, Timed> = {
        add: () => tf.add(x, x),
        dwt: () => haarDwt(x),
        idwt: () => haarIdwt(y),
        roundTrip,
      };
      progress(`${label} on ${backend}, read back`);
      const a = await alternate(cases, options, 5);
      progress(`${label} on ${backend}, compute only`);
      const b = await alternate(
        Object.fromEntries(Object.entries(cases).map(([k, f]) => [k, computeOnly(f)])),
        options,
        5,
      );
      for (const [table, t] of [
        [standard, a],
        [compute, b],
      ] as const) {
        const ratio = (t['roundTrip'] as number) / (t['add'] as number);
        table.push([
          backend,
          label,
          path,
          fmt(t['add'] as number),
          fmt(t['dwt'] as number),
          fmt(t['idwt'] as number),
          fmt(t['roundTrip'] as number),
          `${fmt(ratio, 2)}×`,
          status(ratio <= TARGET),
        ]);
      }
      // The paths not taken on this backend, side by side with add and the kernel (few runs: they are the slow ones).
      progress(`${label} on ${backend}, other paths`);
      const paths: Record<string, Timed> = {
        add: cases['add'] as Timed,
        kernel: roundTrip,
        blocks: composed(x, 'blocks'),
        bands: composed(x, 'bands'),
      };
      if (backend === 'wasm') paths['js fallback'] = jsFallback(roundTrip);
      const c = await alternate(
        Object.fromEntries(Object.entries(paths).map(([k, f]) => [k, computeOnly(f)])),
        { minRuns: 3, maxRuns: 5, minTotalMs: 0 },
        3,
      );
      const add = c['add'] as number;
      for (const name of Object.keys(paths).filter((k) => k !== 'add')) {
        const described =
          name === 'kernel' ? path : name === 'js fallback' ? 'kernel, JS fallback (no SIMD)' : `composition "${name}"`;
        other.push([backend, label, described, fmt(c[name] as number), `${fmt((c[name] as number) / add, 1)}×`]);
      }
      disposeAll(x, y);
    }
  }
  const columns = [
    'backend',
    'x',
    'path',
    'add ms',
    'dwt ms',
    'idwt ms',
    'round trip ms',
    'round trip / add',
    `≤ ${TARGET}×`,
  ];
  return [
    {
      title: `Haar DWT + IDWT round trip vs tf.add(x, x), result read back (harness standard; target ≤ ${TARGET}× add)`,
      columns,
      rows: standard,
      notes: [
        'Public haarDwt / haarIdwt: on cpu and wasm each direction is one registered kernel that makes one pass over memory (GancompressHaarDwt / GancompressHaarIdwt).',
        'Medians over 5 alternating rounds (each round times add, dwt, idwt and the round trip by their own medians); they include reading the result back with data(); float32 random normal input.',
      ],
    },
    {
      title: 'The same, compute only (result disposed unread)',
      columns,
      rows: compute,
      notes: [
        'cpu and wasm kernels run synchronously, so this times the computation alone. On wasm it depends on what the cache holds: tf.add touches two 6–16 MB buffers that stay in the last-level cache from run to run, the round trip three (x, the coefficients, the result); and the DWT reads two image rows at once, which streams an uncached input at about half the rate of tf.add when rows are a few KB long (here 6 KB for [8,128,128,12]).',
      ],
    },
    {
      title: 'Every path of the round trip, compute only',
      columns: ['backend', 'x', 'path', 'round trip ms', 'round trip / add'],
      rows: other,
      notes: [
        'The whole-tensor compositions are what backends without a kernel run: "blocks" = 2×2 phases (depthToSpace chain) + batched 4×4 matmul (webgl, webgpu, tensorflow); "bands" = four stride-2 depthwise convs for the DWT, transposes + 2-D matmul for the IDWT (wasm, should its kernel be unregistered).',
        'The JS fallback is what the wasm backend runs where WebAssembly SIMD is unavailable.',
        'Medians of 3 alternating rounds of 3–5 runs each.',
      ],
    },
  ];
});
