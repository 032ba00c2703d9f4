import * as tf from '@tensorflow/tfjs-core';
import {
  evolutionSearch,
  latencyCost,
  macsCost,
  psnr,
  Random,
  resnetConfigFromString,
  SearchSpace,
  subnetEvaluator,
  SuperMobileResnetGenerator,
} from '../src/index.js';
import { defineBench, disposeAll, fmt, median, status, useBackend } from './harness.js';

/**
 * SEARCH_BENCH_QUICK=1 shrinks both parts (64², ngf 16, 5 configs, 3 generations) to check that the
 * suite runs; the recorded numbers come from the full run.
 */
const QUICK = process.env['SEARCH_BENCH_QUICK'] === '1';

/** Spearman's rank correlation (average ranks for ties). */
function spearman(a: readonly number[], b: readonly number[]): number {
  const ranks = (v: readonly number[]): number[] => {
    const order = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length;) {
      let j = i;
      while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
      for (let k = i; k <= j; k++) r[order[k]?.[1] as number] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(ra);
  const mb = mean(rb);
  let num = 0;
  let da = 0;
  let db = 0;
  ra.forEach((x, i) => {
    const y = rb[i] as number;
    num += (x - ma) * (y - mb);
    da += (x - ma) ** 2;
    db += (y - mb) ** 2;
  });
  return num / Math.sqrt(da * db);
}

export default defineBench('Search: latency tables and search overhead', async (progress) => {
  await useBackend('wasm');

  // Part 1: latencyCost's predictions against whole-network runs.
  const ngf = QUICK ? 16 : 64;
  const size = QUICK ? 64 : 256;
  const configs = QUICK ? 5 : 20;
  const supernet = SuperMobileResnetGenerator({ ngf });
  const lists = [8, 7, 6, 5, 4, 3, 2].map((k) => (ngf * k) / 8); // channels-64-pix2pix at ngf 64
  const space = SearchSpace.fromConfigStrings(Array(8).fill(lists), resnetConfigFromString, { model: supernet });
  const started = performance.now();
  const latency = await latencyCost(supernet, [1, size, size, 3], {
    space,
    runs: 5,
    warmup: 2,
    checks: 3, // with the smallest and the largest: five whole-network runs fix the scale
    onProgress: (done, total) => {
      if (done % 25 === 0 || done === total) progress(`latency table: ${done}/${total} layer calls`);
    },
  });
  const tableSeconds = (performance.now() - started) / 1000;
  const rng = new Random(20);
  const rows: (string | number)[][] = [];
  const predicted: number[] = [];
  const summed: number[] = [];
  const measured: number[] = [];
  for (let i = 0; i < configs; i++) {
    const point = space.sampleIndices(rng);
    progress(`whole network ${i + 1}/${configs}`);
    const p = latency(space.decode(point));
    const m = await latency.measure(space.decode(point), { warmup: 2, runs: 5 });
    predicted.push(p);
    summed.push(p / latency.scale);
    measured.push(m);
    rows.push([
      space.toConfigString(point),
      fmt(p / latency.scale),
      fmt(p),
      fmt(m),
      `${fmt(100 * (p / latency.scale / m - 1), 1)} %`,
      `${fmt(100 * (p / m - 1), 1)} %`,
    ]);
  }
  const errors = predicted.map((p, i) => Math.abs(p / (measured[i] as number) - 1));
  const rawErrors = summed.map((p, i) => Math.abs(p / (measured[i] as number) - 1));
  const worst = Math.max(...errors);
  const rho = spearman(predicted, measured);
  supernet.dispose();

  // Part 2: evolution with GAN Compression's population of 100 for 20 generations, evaluating PSNR
  // against the largest sub-network's output on 2 images at 64×64; the overhead is everything
  // outside evaluate (cost model included).
  progress('evolution: 100 × 20');
  const small = SuperMobileResnetGenerator({ ngf: 16 });
  const smallSpace = SearchSpace.fromModel(small);
  const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 3);
  const target = small.predict(x) as tf.Tensor;
  const evaluate = subnetEvaluator(small, (m) => tf.tidy(() => psnr(target, m.predict(x) as tf.Tensor, 2)));
  const cost = macsCost(small, [1, 64, 64, 3], { space: smallSpace });
  const lo = cost(smallSpace.decode(smallSpace.smallest()));
  const hi = cost(smallSpace.decode(smallSpace.largest()));
  const result = await evolutionSearch({
    space: smallSpace,
    evaluate,
    cost,
    budget: lo + 0.4 * (hi - lo),
    generations: QUICK ? 3 : 20,
    seed: 0,
    onGeneration: ({ generation }) => progress(`evolution: generation ${generation}`),
  });
  const { totalMs, evaluateMs, costMs } = result.timing;
  const overhead = 1 - evaluateMs / totalMs;
  disposeAll(x, target);
  small.dispose();

  return [
    {
      title: `latencyCost on wasm: SuperMobileResnetGenerator (ngf ${ngf}) at ${size}², ${configs} random configs (median ms)`,
      columns: [
        'config (GAN Compression string)',
        'sum of layers',
        'predicted (sum × scale)',
        'measured',
        'error of the sum',
        'error predicted',
      ],
      rows,
      notes: [
        `Space: channels-64-pix2pix scaled to ngf ${ngf} (${lists.join(', ')} per position, ${space.size} sub-networks). Table: ${Object.keys(latency.table.entries).length} layer calls timed alone (median of 5, after 2 warm-ups), built in ${fmt(tableSeconds, 1)} s; predicted = sum of the calls' medians.`,
        `Scale ${fmt(latency.scale, 3)}: the median of measured / sum over the smallest, the largest and 3 random sub-networks (not among the rows).`,
        'Measured: model.predict at the sub-network, batch 1, median of 5 runs after 2 warm-ups, output read back.',
      ],
    },
    {
      title: 'latencyCost accuracy and search overhead (targets of issue 14)',
      columns: ['measure', 'value', 'target', 'status'],
      rows: [
        ['largest relative error, predicted vs measured', `${fmt(100 * worst, 1)} %`, '≤ 15 %', status(worst <= 0.15)],
        ['median relative error, predicted vs measured', `${fmt(100 * median(errors), 1)} %`, '—', ''],
        ['largest relative error of the plain sum (OFA)', `${fmt(100 * Math.max(...rawErrors), 1)} %`, '—', ''],
        ['Spearman ρ (predicted vs measured)', fmt(rho, 3), '≥ 0.9', status(rho >= 0.9)],
        [
          `evolution time outside evaluate (${result.evaluations} evaluations)`,
          `${fmt(100 * overhead, 2)} %`,
          '< 5 %',
          status(overhead < 0.05),
        ],
        ['… of which the cost model (macsCost)', `${fmt((100 * costMs) / totalMs, 2)} %`, '—', ''],
      ],
      notes: [
        `Evolution: population 100, parents 25, 50 mutations + 50 crossovers per generation, ${QUICK ? 3 : 20} generations, under 40 % of the MAC range; evaluate = PSNR of a SuperMobileResnetGenerator (ngf 16) sub-network against the largest on 2 images at 64² (wasm), ${fmt(evaluateMs / result.evaluations, 1)} ms each. Total ${fmt(totalMs / 1000, 1)} s.`,
      ],
    },
  ];
});
