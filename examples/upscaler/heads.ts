/**
 * Which up-sampling head for the demo's student: pixel shuffle or Haar wavelet coefficients (MobileStyleGAN's
 * head, pixels by inverse DWTs)? Trains the same sub-network with each, from the same seed, on the same crops and
 * losses as the demo's fine-tuning, and scores both on the validation and test photos.
 *
 *   npx tsx examples/upscaler/heads.ts [--steps N] [--out DIR]
 *
 * The teacher's labels are read from (or written to) DIR/cache, the cache `npm run demo -- --out DIR` makes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  evaluateUpscaler,
  extractSubnet,
  countMacs,
  initBackend,
  labelImages,
  SuperResidualUpscaler,
  trainUpscaler,
  type SubnetConfig,
} from '../../src/index.js';
import { loadAnchor } from './anchors.js';
import { loadData } from './data.js';
import { stage } from '../../scripts/progress.js';

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '300' }, out: { type: 'string', default: 'demo-output' } },
});
const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 1)
  throw new Error(`--steps: got '${values.steps}', expected a positive integer`);
const out = resolve(values.out);

await initBackend('wasm', { threads: 'auto' });
tf.enableProdMode();
const { train, validation, test } = loadData({ trainImages: Infinity, validationCrop: 256, testCrop: 256 });
const thick = await loadAnchor('thick');
const images = await labelImages(thick, train, {
  features: ['RRDB_5_out', 'GRL'],
  dir: join(out, 'cache', 'teacher-thick'),
});

// A sub-network under slim's MACs, as the demo's searches pick them: trunk 40, hidden widths 16–64.
const hidden = [64, 40, 32, 16, 40, 40, 32, 24];
const config: SubnetConfig = { head: { outChannels: 40 } };
hidden.forEach((h, i) => {
  config[`block${i}_conv1`] = { outChannels: h };
  config[`block${i}_conv2`] = { outChannels: 40 };
});

const rows: string[] = [];
for (const head of ['pixelShuffle', 'wavelet'] as const) {
  const student = extractSubnet(
    SuperResidualUpscaler({ channels: 64, hidden: 64, blocks: 8, head, seed: 2026 }),
    config,
  );
  const bar = stage(`train (${head})`, steps);
  const { seconds } = await trainUpscaler({
    student,
    teacher: thick.model,
    images,
    losses: { groundTruth: 1, teacher: 0.5, features: 0.1 },
    featurePairs: [
      ['RRDB_5_out', 'block3_add'],
      ['GRL', 'block7_add'],
    ],
    steps,
    batchSize: 16,
    lrSize: 32,
    learningRate: 1e-3,
    seed: 2026,
    onStep: (r) => bar.update(r.step + 1, `loss ${r.total.toFixed(4)}`),
  });
  bar.finish();
  const run = (lr: tf.Tensor4D) => student.apply(lr) as tf.Tensor4D;
  const v = evaluateUpscaler(run, validation);
  const t = evaluateUpscaler(run, test);
  const gmac = countMacs(student, [1, 32, 32, 3]).total / 1e9;
  rows.push(
    `| ${head} | ${gmac.toFixed(3)} | ${v.psnr.toFixed(2)} | ${t.psnr.toFixed(2)} | ${t.ssim.toFixed(4)} | ${seconds.toFixed(0)} |`,
  );
}
console.log(`\n${steps} steps, batch 16, 32² crops, losses ground truth 1 / teacher 0.5 / features 0.1, seed 2026\n`);
console.log('| head | GMAC (32×32) | validation Y-PSNR (dB) | test Y-PSNR (dB) | test SSIM | training (s) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
