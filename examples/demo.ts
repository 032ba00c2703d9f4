/**
 * End-to-end GAN compression on this machine, with the library's parts:
 *
 *  1. a teacher (a fixed photo filter standing in for a pretrained generator) labels real photo
 *     crops — GAN Compression's pseudo-pairs for unpaired training;
 *  2. the full-width student, GAN Compression's SuperMobileResnetGenerator, is distilled from it;
 *  3. channels are sorted by importance, then the once-for-all supernet is trained by sampling a
 *     sub-network every step (largest and random ones alternately);
 *  4. sub-networks under a MAC budget are searched (counted from shapes, scored by PSNR to the
 *     teacher on held-out crops);
 *  5. the winner is extracted as a plain tfjs model, saved and reloaded with fileSystem(), checked
 *     against the supernet, and timed.
 *
 *   npm run demo                          # ~1–2 minutes on 2 cores with the wasm backend
 *   npm run demo -- --backend cpu --quick # a short run, any backend
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  countMacs,
  countParams,
  extractSubnet,
  fileSystem,
  initBackend,
  measureLatency,
  psnr,
  Random,
  resnetConfigFromString,
  resnetConfigToString,
  setSubnet,
  sortChannelsByImportance,
  ssim,
  SuperMobileResnetGenerator,
  type BackendName,
  type SubnetConfig,
} from '../src/index.js';
import { writePng } from '../scripts/png.js';
import { ProgressBar } from '../scripts/progress-bar.js';
import { loadPhotos, randomCrops } from './lib/photo_patches.js';
import { teacher } from './lib/teacher.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const QUICK = process.argv.includes('--quick');
const SIZE = 64; // validation crops and timing
const TRAIN_SIZE = 32; // the generator is fully convolutional: train on smaller crops, 4× cheaper
const BATCH = 8;
const NGF = 16;
const N_BLOCKS = 3;
const DISTILL_STEPS = QUICK ? 40 : 300;
const SUPERNET_STEPS = QUICK ? 60 : 600;
const CANDIDATES = QUICK ? 8 : 40;
const CHOICES = [8, 12, 16];
const BUDGET = 0.4; // fraction of the full student's MACs
const SEED = 2026;

async function main(): Promise<void> {
  tf.enableProdMode();
  const backend = await initBackend(arg('backend', 'auto') as BackendName);
  const rng = new Random(SEED);
  const photos = loadPhotos();
  console.log(
    `backend ${backend}; photos ${photos.map((p) => `${p.width}×${p.height}`).join(', ')}; training crops ${TRAIN_SIZE}×${TRAIN_SIZE}, validation crops ${SIZE}×${SIZE}`,
  );

  const val = randomCrops(photos, 16, SIZE, rng);
  const valTarget = teacher(val);
  const student = SuperMobileResnetGenerator({ ngf: NGF, nBlocks: N_BLOCKS, seed: 1 });
  const full = fullConfig();
  const inputShape = [1, SIZE, SIZE, 3];
  const fullMacs = countMacs(student, inputShape, { subnet: full }).total;
  console.log(
    `student supernet: ${countParams(student).toLocaleString()} parameters, ${(fullMacs / 1e6).toFixed(1)} MMACs at ${SIZE}² (full width)`,
  );

  // 2. Distil the full-width student from the teacher's outputs.
  const optimizer = tf.train.adam(3e-3);
  setSubnet(student, full);
  await train('distil full student', DISTILL_STEPS, () => full);
  const fullScore = evaluate(full);

  // 3. Sort channels so that first-k slices keep the most important ones, then train all widths.
  sortChannelsByImportance(student);
  const afterSort = evaluate(full);
  console.log(
    `channels sorted by importance: full-width PSNR ${fullScore.psnr.toFixed(2)} dB → ${afterSort.psnr.toFixed(2)} dB (same function)`,
  );
  await train('once-for-all supernet', SUPERNET_STEPS, (step) => (step % 2 === 0 ? full : sampleConfig()));
  const fullTrained = evaluate(full);

  // 4. Search sub-networks under the MAC budget.
  const budget = BUDGET * fullMacs;
  const seen = new Set<string>();
  const results: { config: string; macs: number; psnr: number; ssim: number }[] = [];
  const bar = new ProgressBar(CANDIDATES);
  while (results.length < CANDIDATES) {
    const config = resnetConfigToString(sampleConfig(), { nBlocks: N_BLOCKS });
    if (seen.has(config)) continue;
    seen.add(config);
    const macs = countMacs(student, inputShape, {
      subnet: resnetConfigFromString(config, { nBlocks: N_BLOCKS }),
    }).total;
    if (macs > budget) continue;
    results.push({ config, macs, ...evaluate(resnetConfigFromString(config, { nBlocks: N_BLOCKS })) });
    bar.update(results.length, `search: ${config} ${(macs / 1e6).toFixed(1)} MMACs`);
  }
  bar.finish(`searched ${results.length} sub-networks under ${(budget / 1e6).toFixed(1)} MMACs`);
  results.sort((a, b) => b.psnr - a.psnr);
  const best = results[0] as (typeof results)[number];
  const worst = results[results.length - 1] as (typeof results)[number];

  // 5. Export the winner as a static tfjs model, save, reload, check, time.
  const bestConfig = resnetConfigFromString(best.config, { nBlocks: N_BLOCKS });
  const exported = extractSubnet(student, bestConfig);
  const dir = join(mkdtempSync(join(tmpdir(), 'gancompress-demo-')), 'student');
  await exported.save(fileSystem(dir));
  const reloaded = await tfl.loadLayersModel(fileSystem(join(dir, 'model.json')));
  setSubnet(student, bestConfig);
  const diff = tf.tidy(
    () =>
      tf
        .max(tf.abs(tf.sub(student.predict(val) as tf.Tensor, reloaded.predict(val) as tf.Tensor)))
        .dataSync()[0] as number,
  );
  const one = tf.slice(val, [0, 0, 0, 0], [1, SIZE, SIZE, 3]);
  setSubnet(student, full);
  const fullExport = extractSubnet(student, full);
  const fullMs = (await measureLatency(() => fullExport.predict(one), { warmup: 3, runs: 30 })).medianMs;
  const bestMs = (await measureLatency(() => reloaded.predict(one), { warmup: 3, runs: 30 })).medianMs;

  console.log('\nresult (PSNR/SSIM to the teacher on 16 held-out crops; latency of one 64×64 image):');
  console.table([
    {
      model: 'full student',
      config: resnetConfigToString(full, { nBlocks: N_BLOCKS }),
      MMACs: +(fullMacs / 1e6).toFixed(1),
      params: countParams(fullExport),
      PSNR: +fullTrained.psnr.toFixed(2),
      SSIM: +fullTrained.ssim.toFixed(3),
      ms: +fullMs.toFixed(2),
    },
    {
      model: 'searched sub-network',
      config: best.config,
      MMACs: +(best.macs / 1e6).toFixed(1),
      params: countParams(reloaded),
      PSNR: +best.psnr.toFixed(2),
      SSIM: +best.ssim.toFixed(3),
      ms: +bestMs.toFixed(2),
    },
    {
      model: 'worst candidate seen',
      config: worst.config,
      MMACs: +(worst.macs / 1e6).toFixed(1),
      params: NaN,
      PSNR: +worst.psnr.toFixed(2),
      SSIM: +worst.ssim.toFixed(3),
      ms: NaN,
    },
  ]);
  console.log(
    `exported to ${dir}; reloaded model vs supernet at that config: max |difference| ${diff.toExponential(2)}`,
  );
  console.log(
    `compression: ${(fullMacs / best.macs).toFixed(2)}× fewer MACs, ${(fullMs / bestMs).toFixed(2)}× faster, PSNR ${(best.psnr - fullTrained.psnr).toFixed(2)} dB against the full student`,
  );

  const outDir = arg('out', 'demo-output');
  mkdirSync(outDir, { recursive: true });
  setSubnet(student, full);
  const panels = tf.tidy(() => {
    const pick = (t: tf.Tensor): tf.Tensor => tf.slice(t, [0, 0, 0, 0], [4, SIZE, SIZE, 3]);
    const rows = [
      pick(val),
      pick(valTarget),
      pick(student.predict(val) as tf.Tensor),
      pick(reloaded.predict(val) as tf.Tensor),
    ];
    // rows: input, teacher, full student, searched sub-network; columns: four crops
    const grid = tf.concat(
      rows.map((r) => tf.concat(tf.unstack(r), 1)),
      0,
    );
    return tf.cast(tf.clipByValue(tf.round(tf.mul(tf.add(grid, 1), 127.5)), 0, 255), 'int32');
  });
  const [gh, gw] = panels.shape;
  writePng(join(outDir, 'comparison.png'), {
    width: gw as number,
    height: gh,
    channels: 3,
    data: Uint8Array.from(panels.dataSync()),
  });
  console.log(`wrote ${join(outDir, 'comparison.png')} (rows: input, teacher, full student, searched sub-network)`);

  rmSync(dir, { recursive: true, force: true });
  tf.dispose([val, valTarget, one, panels]);
  [student, exported, reloaded, fullExport].forEach((m) => m.dispose());

  function fullConfig(): SubnetConfig {
    return resnetConfigFromString(Array(8).fill(NGF).join('_'), { nBlocks: N_BLOCKS });
  }

  function sampleConfig(): SubnetConfig {
    return resnetConfigFromString(Array.from({ length: 8 }, () => rng.choice(CHOICES)).join('_'), {
      nBlocks: N_BLOCKS,
    });
  }

  function evaluate(config: SubnetConfig): { psnr: number; ssim: number } {
    setSubnet(student, config);
    const out = tf.tidy(() => tf.clipByValue(student.predict(val) as tf.Tensor, -1, 1));
    const score = { psnr: psnr(out, valTarget, 2), ssim: ssim(out, valTarget, { maxVal: 2 }) };
    out.dispose();
    return score;
  }

  async function train(label: string, steps: number, configAt: (step: number) => SubnetConfig): Promise<void> {
    const vars = student.trainableWeights.map((w) => w.read() as tf.Variable);
    const progress = new ProgressBar(steps);
    let recent = 0;
    for (let step = 0; step < steps; step++) {
      setSubnet(student, configAt(step));
      const x = randomCrops(photos, BATCH, TRAIN_SIZE, rng);
      const y = teacher(x);
      const cost = optimizer.minimize(
        () => tf.mean(tf.abs(tf.sub(student.apply(x, { training: true }) as tf.Tensor, y))) as tf.Scalar,
        true,
        vars,
      );
      const loss = (await (cost as tf.Scalar).data())[0] as number;
      recent = step === 0 ? loss : 0.9 * recent + 0.1 * loss;
      tf.dispose([x, y, cost as tf.Scalar]);
      if (step % 5 === 4 || step === steps - 1)
        progress.update(step + 1, `${label}: step ${step + 1}/${steps}, L1 ${recent.toFixed(4)}`);
    }
    progress.finish(`${label}: ${steps} steps, L1 ${recent.toFixed(4)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
