import * as tf from '@tensorflow/tfjs-core';
import { replacedWasmKernel } from '../src/backend/wasm_training_kernels.js';
import { measureLatency } from '../src/metrics/latency.js';
import { alternatingRounds, defineBench, disposeAll, fmt, median, medianMs, status, useBackend } from './harness.js';

// Backward (filter + input gradient) throughput of convolutions on the wasm backend with the
// library's training kernels, against the wasm forward conv and the cpu backend's backward.
// Each timed call returns its gradients, which measureLatency reads back, as it does for the
// forward outputs.

interface Case {
  name: string;
  x: [number, number, number, number];
  /** [kh, kw, in, out] for a conv, [kh, kw, C, multiplier] for a depthwise conv. */
  f: [number, number, number, number];
  depthwise: boolean;
}

/** Alternating measurement rounds per case. */
const ROUNDS = 5;

const CASES: Case[] = [
  { name: 'conv 3×3 [1,64,64,64]→64', x: [1, 64, 64, 64], f: [3, 3, 64, 64], depthwise: false },
  { name: 'conv 3×3 [4,32,32,128]→128', x: [4, 32, 32, 128], f: [3, 3, 128, 128], depthwise: false },
  { name: 'depthwise 3×3 [1,128,128,64]', x: [1, 128, 128, 64], f: [3, 3, 64, 1], depthwise: true },
];

/** MACs of the forward conv ('same' padding, stride 1); the backward pass does twice as many. */
function forwardMacs(c: Case): number {
  const [b, h, w] = c.x;
  const [kh, kw, ci, co] = c.f;
  return b * h * w * kh * kw * ci * co;
}

interface Ops {
  forward: () => tf.Tensor;
  backward: () => tf.Tensor[];
  inputGradient: () => tf.Tensor;
  dispose: () => void;
}

function ops(c: Case): Ops {
  const x = tf.randomNormal<tf.Rank.R4>(c.x, 0, 1, 'float32', 1);
  const f = tf.randomNormal<tf.Rank.R4>(c.f, 0, 1, 'float32', 2);
  const dy = tf.randomNormal(
    c.depthwise ? [...c.x.slice(0, 3), c.f[2] * c.f[3]] : [...c.x.slice(0, 3), c.f[3]],
    0,
    1,
    'float32',
    3,
  );
  const attrs = { strides: [1, 1], pad: 'same', dilations: [1, 1], dataFormat: 'NHWC' } as const;
  const run = (name: string, inputs: tf.NamedTensorMap, extra: Record<string, unknown>): tf.Tensor =>
    tf.engine().runKernel<tf.Tensor>(name, inputs, { ...attrs, ...extra });
  const prefix = c.depthwise ? 'DepthwiseConv2dNative' : 'Conv2D';
  const inputGradient = (): tf.Tensor => run(`${prefix}BackpropInput`, { dy, filter: f }, { inputShape: c.x });
  return {
    forward: () => (c.depthwise ? tf.depthwiseConv2d(x, f, 1, 'same') : tf.conv2d(x, f, 1, 'same')),
    backward: () => [run(`${prefix}BackpropFilter`, { x, dy }, { filterShape: c.f }), inputGradient()],
    inputGradient,
    dispose: () => disposeAll(x, f, dy),
  };
}

export default defineBench('Training on wasm: conv gradient kernels', async (progress) => {
  const rows: (string | number)[][] = [];
  const inputRows: (string | number)[][] = [];
  for (const c of CASES) {
    const macs = forwardMacs(c);
    progress(`${c.name}: wasm`);
    await useBackend('wasm');
    let o = ops(c);
    // The machine is shared: forward and backward are timed in alternating short rounds, and
    // each ratio is the median of the per-round ratios, so a load change hits both sides.
    // wasm kernels run synchronously, so without the read-back a call's time is its compute time.
    const round = { minRuns: 3, maxRuns: 50, minTotalMs: 300 };
    const t = await alternatingRounds(
      {
        fwd: o.forward,
        bwd: o.backward,
        fwdCompute: () => void tf.dispose(o.forward()),
        bwdCompute: () => void tf.dispose(o.backward()),
      },
      { ...round, rounds: ROUNDS },
    );
    const perRound = t.fwd.map((fwd, r) => ({
      fwd,
      bwd: t.bwd[r] as number,
      fwdCompute: t.fwdCompute[r] as number,
      bwdCompute: t.bwdCompute[r] as number,
    }));
    const fwd = macs / median(perRound.map((t) => t.fwd)) / 1e6;
    const bwd = (2 * macs) / median(perRound.map((t) => t.bwd)) / 1e6;
    const vsForward = median(perRound.map((t) => (2 * t.fwd) / t.bwd));
    const vsForwardCompute = median(perRound.map((t) => (2 * t.fwdCompute) / t.bwdCompute));
    if (!c.depthwise) {
      const stock = replacedWasmKernel('Conv2DBackpropInput');
      const ours = tf.getKernel('Conv2DBackpropInput', 'wasm');
      if (stock != null && ours != null) {
        // The stock kernel's wasm function is bound in its setupFunc, which ran only if it was
        // registered when the backend started.
        stock.setupFunc?.(tf.backend());
        const use = (config: tf.KernelConfig): void => {
          tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
          tf.registerKernel(config);
        };
        const times: { stock: number; ours: number }[] = [];
        try {
          for (let r = 0; r < ROUNDS; r++) {
            use(stock);
            const stockMs = await medianMs(o.inputGradient, { minRuns: 1, maxRuns: 3, minTotalMs: 0, warmup: 1 });
            use(ours);
            times.push({ stock: stockMs, ours: await medianMs(o.inputGradient, round) });
          }
        } finally {
          use(ours);
        }
        const oldInput = macs / median(times.map((t) => t.stock)) / 1e6;
        const newInput = macs / median(times.map((t) => t.ours)) / 1e6;
        inputRows.push([
          c.name,
          fmt(oldInput),
          fmt(newInput),
          fmt(median(times.map((t) => t.stock / t.ours)), 1) + '×',
        ]);
      }
    }
    o.dispose();
    progress(`${c.name}: cpu backward (slow)`);
    await useBackend('cpu');
    o = ops(c);
    const cpuMs = (await measureLatency(o.backward, { warmup: 0, runs: 1 })).medianMs;
    const cpuBwd = (2 * macs) / cpuMs / 1e6;
    o.dispose();
    const vsCpu = bwd / cpuBwd;
    rows.push([
      c.name,
      fmt(fwd),
      fmt(bwd),
      fmt(cpuBwd, 3),
      fmt(vsForward),
      fmt(vsForwardCompute),
      fmt(vsCpu, 0) + '×',
      status(vsForward >= 0.5 && vsCpu >= 100),
    ]);
  }
  return [
    {
      title: 'Conv backward GMAC/s: wasm with the training kernels vs wasm forward and cpu backward',
      columns: [
        'op',
        'wasm fwd GMAC/s',
        'wasm bwd GMAC/s',
        'cpu bwd GMAC/s',
        'wasm bwd / fwd',
        'same, compute only',
        'wasm bwd / cpu bwd',
        'target',
      ],
      rows,
      notes: [
        "bwd = filter gradient + input gradient (the two backprop kernels a conv's gradient runs), MAC-normalised: 2 × the forward MACs / median wall time.",
        `Forward and backward are timed in ${ROUNDS} alternating rounds; ratios are medians of the per-round ratios.`,
        "Stride 1, 'same' padding, random normal float32 inputs; every timed call reads its outputs back (measureLatency), except in the compute-only ratio, where outputs are disposed unread.",
        'Targets: wasm bwd ≥ 0.5 × wasm fwd and ≥ 100 × cpu bwd. The cpu backward is timed once (it takes seconds).',
      ],
    },
    {
      title:
        'Conv2DBackpropInput (input gradient, also the conv2dTranspose forward) on wasm: the package kernel vs the replacement',
      columns: ['op', 'tfjs-backend-wasm GMAC/s', 'gancompress GMAC/s', 'speed-up'],
      rows: inputRows,
      notes: ['The gancompress kernel runs each stride phase as an XNNPACK convolution with the flipped sub-filter.'],
    },
  ];
});
