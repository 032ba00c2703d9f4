import * as tf from '@tensorflow/tfjs-core';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countMacs } from '../src/metrics/index.js';
import { resnetConfigFromString, ResnetGenerator, SuperMobileResnetGenerator } from '../src/models/index.js';
import { extractSubnet } from '../src/nas/index.js';
import { forkTimer, hasTorch, torchTimer, type Timer } from './bench_processes.js';
import { defineBench, fmt, median, status, useBackend, type BenchTable } from './harness.js';
import { STUDENT_CONFIG } from './wasm_speed_worker.js';

// tfjs-wasm on one and on two threads against PyTorch on two, measured side by side: each
// configuration is its own process (a wasm backend's thread count is fixed when it starts) and
// every round times every case in each of them, so load from other processes hits all alike;
// ratios are medians of per-round ratios.

const here = dirname(fileURLToPath(import.meta.url));
const WORKER = join(here, 'wasm_speed_worker.ts');
const TORCH_SCRIPT = join(here, 'torch', 'resnet_speed.py');
/** Debian's python3-torch; the pyenv python on PATH has no torch. */
const PYTHON = '/usr/bin/python3';
const ROUNDS = 3;

interface ModelCase {
  key: 'teacher' | 'student' | 'train';
  name: string;
  /** tfjs-wasm (2 threads) / PyTorch (2 threads) at most. */
  maxRatio: number;
  /** 2-thread / 1-thread speed-up at least (when set). */
  minSpeedUp?: number;
}

const MODEL_CASES: ModelCase[] = [
  { key: 'teacher', name: 'ResNet teacher (ngf 64, 9 blocks), 256² inference', maxRatio: 2.8, minSpeedUp: 1.7 },
  { key: 'student', name: `student ${STUDENT_CONFIG} (extracted), 256² inference`, maxRatio: 2.8 },
  { key: 'train', name: 'training step: full supernet ngf 64, batch 4, 64², L1 + Adam', maxRatio: 3, minSpeedUp: 1.4 },
];

/** Kernel rows: [label, our case, the case it replaces (or null)]. */
const KERNEL_CASES: [string, string, string | null][] = [
  ['instance norm + ReLU [1,64,64,256]: fused vs tf.moments chain', 'norm-fused', 'norm-chain'],
  ['instance norm + ReLU [1,256,256,16]: fused vs chain', 'norm-fused-small', 'norm-chain-small'],
  ['its gradient [1,64,64,256]: fused vs chain', 'norm-grad-fused', 'norm-grad-chain'],
  [
    'Slice of a whole [1,64,64,256] batch (predict): shared vs package copy',
    'predict-slice-ours',
    'predict-slice-package',
  ],
  ['Slice [3,3,256,256] → [3,3,128,128] (elastic weights)', 'weight-slice-ours', 'weight-slice-package'],
  ['Sum over axes 0–2 of [4,64,64,64] (bias gradient)', 'bias-grad-ours', 'bias-grad-package'],
  ['reflection pad 1 gradient [1,64,64,256] (correct fold; tfjs drops borders)', 'pad-grad', null],
];

/** Per-round times of `cases` on each timer, the timers alternating inside each round. */
async function rounds(
  timers: Record<string, Timer | null>,
  cases: string[],
  minTotalMs: (caseName: string) => number,
  progress: (message: string) => void,
): Promise<Record<string, Record<string, number[]>>> {
  const times: Record<string, Record<string, number[]>> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of cases) {
      for (const [name, timer] of Object.entries(timers)) {
        if (timer == null) continue;
        progress(`round ${r + 1}/${ROUNDS}: ${c} on ${name}`);
        ((times[c] ??= {})[name] ??= []).push(await timer.time(c, minTotalMs(c)));
      }
    }
  }
  return times;
}

/** The median over rounds of a per-round ratio a[r] / b[r]. */
function ratio(a: number[] | undefined, b: number[] | undefined): number {
  if (a == null || b == null) return Number.NaN;
  return median(a.map((v, r) => v / (b[r] as number)));
}

const cell = (v: number, digits = 2, suffix = ''): string => (Number.isFinite(v) ? fmt(v, digits) + suffix : '—');

export default defineBench('Speed on wasm: threads, predict, fused kernels', async (progress) => {
  progress('counting MACs');
  await useBackend('cpu');
  const teacher = ResnetGenerator({ ngf: 64 });
  const supernet = SuperMobileResnetGenerator({ ngf: 64 });
  const student = extractSubnet(supernet, resnetConfigFromString(STUDENT_CONFIG));
  const teacherMacs = countMacs(teacher, [1, 256, 256, 3]).total;
  const studentMacs = countMacs(student, [1, 256, 256, 3]).total;
  [teacher, supernet, student].forEach((m) => m.dispose());

  const twoCores = cpus().length >= 2;
  progress('starting the benchmark processes');
  const one = await forkTimer(WORKER, ['1'], (r) => `tfjs-wasm ${tf.version_core}, ${String(r['threads'])} thread`);
  const two = twoCores
    ? await forkTimer(WORKER, ['2'], (r) => `tfjs-wasm ${tf.version_core}, ${String(r['threads'])} threads`)
    : null;
  const torch = hasTorch(PYTHON) ? await torchTimer(PYTHON, TORCH_SCRIPT, ['--threads', '2']) : null;
  try {
    const heavy = (c: string): number => (c === 'teacher' ? 1 : 2000); // the teacher: 3 runs per round
    const models = await rounds(
      { one, two, torch },
      MODEL_CASES.map((c) => c.key),
      heavy,
      progress,
    );
    const calls = await rounds({ one, two }, ['conv-predict', 'conv-execute'], () => 1500, progress);
    const kernels = await rounds(
      { two: two ?? one },
      KERNEL_CASES.flatMap(([, ours, theirs]) => (theirs == null ? [ours] : [ours, theirs])),
      () => 500,
      progress,
    );

    const modelRows = MODEL_CASES.map((c) => {
      const t = models[c.key] ?? {};
      const speedUp = ratio(t['one'], t['two']);
      const vsTorch = ratio(t['two'], t['torch']);
      const targets = [`wasm/PyTorch ≤ ${c.maxRatio}`];
      let ok = vsTorch <= c.maxRatio;
      if (c.minSpeedUp != null) {
        targets.push(`2t/1t ≥ ${c.minSpeedUp}`);
        ok &&= speedUp >= c.minSpeedUp;
      }
      return [
        c.name,
        cell(median(t['one'] ?? [])),
        cell(median(t['two'] ?? [])),
        cell(median(t['torch'] ?? [])),
        cell(speedUp, 2, '×'),
        cell(vsTorch, 2, '×'),
        targets.join(', '),
        Number.isFinite(vsTorch) ? status(ok) : '—',
      ];
    });

    const macRatio = teacherMacs / studentMacs;
    const studentRows = (['one', 'two'] as const).map((k) => {
      const speedUp = ratio(models['teacher']?.[k], models['student']?.[k]);
      return [
        k === 'one' ? '1 thread' : '2 threads',
        cell(speedUp, 1, '×'),
        cell(macRatio, 1, '×'),
        cell(speedUp / macRatio),
        status(speedUp / macRatio >= 0.6),
      ];
    });

    const callRows = (['one', 'two'] as const).map((k) => {
      const r = ratio(calls['conv-predict']?.[k], calls['conv-execute']?.[k]);
      return [
        k === 'one' ? '1 thread' : '2 threads',
        cell(median(calls['conv-predict']?.[k] ?? [])),
        cell(median(calls['conv-execute']?.[k] ?? [])),
        cell(r, 3),
        status(r <= 1.05),
      ];
    });

    const kernelRows = KERNEL_CASES.map(([label, ours, theirs]) => {
      const t = (name: string): number[] | undefined => kernels[name]?.['two'];
      return [
        label,
        cell(median(t(ours) ?? []), 3),
        theirs == null ? '—' : cell(median(t(theirs) ?? []), 3),
        theirs == null ? '—' : cell(ratio(t(theirs), t(ours)), 1, '×'),
      ];
    });

    const tables: BenchTable[] = [
      {
        title: 'ResNet generators: tfjs-wasm (1 and 2 threads) vs PyTorch CPU (2 threads), ms',
        columns: [
          'case',
          'wasm 1 thread',
          'wasm 2 threads',
          'PyTorch 2 threads',
          '2t / 1t',
          'wasm 2t / PyTorch',
          'targets',
          'met',
        ],
        rows: modelRows,
        notes: [
          `${one.label}; ${two?.label ?? 'no second core'}; ${torch?.label ?? `PyTorch: not available (${PYTHON} cannot import torch) — cells show —`}.`,
          `Medians over ${ROUNDS} alternating rounds (each round times every case in every process); ratios are medians of per-round ratios.`,
          'tfjs: model.predict on an input in [-1, 1], output read back; the training step is optimizer.minimize of the L1 loss over every trainable weight. PyTorch: bench/torch/resnet_speed.py (the same architectures, torch.inference_mode; zero_grad, backward, Adam step).',
        ],
      },
      {
        title: 'Student speed-up over the teacher on wasm, against their MAC ratio',
        columns: ['wasm', 'teacher / student time', 'teacher / student MACs', 'fraction', 'target ≥ 0.6'],
        rows: studentRows,
        notes: [`MACs (torchprofile convention, 256²): teacher ${teacherMacs}, student ${studentMacs}.`],
      },
      {
        title: 'model.predict vs model.execute: one 3×3 conv layer 256 → 256 on [1,64,64,256], ms',
        columns: ['wasm', 'predict', 'execute', 'predict / execute', 'target ≤ 1.05'],
        rows: callRows,
        notes: ['Both read the output back; predict also splits the batch with Slice and joins it with concat.'],
      },
      {
        title: 'Kernels on wasm (2 threads): the library’s vs what they replace, ms',
        columns: ['kernel', 'gancompress', 'replaced', 'speed-up'],
        rows: kernelRows,
        notes: [
          '“chain”: the tfjs ops the library ran before (tf.moments, sub, add, rsqrt, mul, relu); “package”: the tfjs-backend-wasm kernel the library replaces, on the same inputs.',
          'Outputs are read back (measureLatency), which adds the same copy to both sides.',
        ],
      },
    ];
    return tables;
  } finally {
    one.close();
    two?.close();
    torch?.close();
  }
});
