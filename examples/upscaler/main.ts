/**
 * The main job: compress UpscalerJS's ESRGAN-thick ×4 (a real pretrained GAN generator, 7.26 M parameters) into a
 * once-for-all student with gancompress, search it under slim's MAC budget (or its measured latency), fine-tune and
 * export it, and compare it with bicubic and the same author's hand-designed slim and medium models.
 *
 *   npm run demo                 # the default run (about 30 minutes on 2 cores, wasm)
 *   npm run demo -- --quick      # about 3 minutes
 *   npm run demo -- --help
 *
 * Every step goes through the library's public API: superResolutionPair, labelImages (cacheTeacher), the
 * SuperResidualUpscaler supernet, trainUpscaler (the Distiller with a SandwichSampler), searchUpscaler
 * (evolutionSearch with macsCost or latencyCost), extractSubnet, fileSystem, upscalerModelDefinition,
 * superResolutionScores, countMacs, countParams, measureLatency.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  countMacs,
  countParams,
  evaluateUpscaler,
  extractSubnet,
  fileSystem,
  initBackend,
  labelImages,
  latencyCost,
  macsCost,
  maxSubnet,
  measureLatency,
  resizeBicubic,
  SandwichSampler,
  SearchSpace,
  searchUpscaler,
  SuperResidualUpscaler,
  trainUpscaler,
  upscale,
  upscalerModelDefinition,
  writeFileAtomic,
  type SubnetConfig,
  type UpscalerModel,
  type UpscalerScores,
} from '../../src/index.js';
import { loadAnchor } from './anchors.js';
import { parseDemoArgs, USAGE, UsageError, type DemoOptions } from './cli.js';
import { comparisonImage } from './comparison.js';
import { lossPlot, paretoPlot, type CurvePoint, type ParetoPoint } from './plots.js';
import { loadData, SCALE } from './data.js';
import { stage } from '../../scripts/progress.js';
import { writeReport, type ReportRow, type DemoReport } from './report.js';

/** Sizes of a run: the default one and --quick. */
function plan(o: DemoOptions) {
  const quick = o.quick;
  // The student's training steps in all: 30 % train the supernet (enough to rank sub-networks for the search),
  // 70 % fine-tune the winner. Measured (docs/upscaler.md): fine-tuning steps are what the held-out PSNR follows.
  const steps = o.steps ?? (quick ? 80 : 1000);
  const supernetSteps = Math.max(1, Math.round(0.3 * steps));
  return {
    trainImages: quick ? 3 : Infinity,
    testCrop: quick ? 128 : 256,
    validationCrop: quick ? 128 : 256,
    supernet: { channels: 64, hidden: 64, blocks: quick ? 4 : 8 },
    lrSize: quick ? 24 : 32,
    batchSize: quick ? 8 : 16,
    supernetSteps,
    finetuneSteps: Math.max(1, steps - supernetSteps),
    // The ablation trains the searched config without the teacher for as many steps as the student saw in all.
    population: quick ? 8 : 40,
    generations: quick ? 2 : 6,
    latencyInput: 64,
  };
}

async function main(): Promise<void> {
  let options: DemoOptions | 'help';
  try {
    options = parseDemoArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const o = options;
  const p = plan(o);
  const out = resolve(o.out);
  mkdirSync(join(out, 'student'), { recursive: true });
  tf.enableProdMode();
  const backend = await initBackend(o.backend, o.backend === 'wasm' ? { threads: o.threads } : {});
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const start = Date.now();
    const result = await fn();
    timings[name] = (timings[name] ?? 0) + (Date.now() - start) / 1000;
    return result;
  };
  console.log(`backend ${backend}${backend === 'wasm' ? ` (threads: ${o.threads})` : ''}; output in ${out}`);

  // Data: the photos' split (data/images/split.json); SR pairs made as benchmarks make them.
  const { train, validation, test } = await timed('data', () => loadData(p));
  const latencyInput = tf.randomUniform<tf.Rank.R4>([1, p.latencyInput, p.latencyInput, 3], 0, 1, 'float32', 7);
  console.log(
    `photos: ${train.length} for training, ${validation.length} validation, ${test.length} test (${p.testCrop}² centre crops)`,
  );

  // The teacher and the anchors.
  const anchors = await timed('load models', async () => ({
    slim: await loadAnchor('slim'),
    medium: await loadAnchor('medium'),
    thick: await loadAnchor('thick'),
  }));
  const teacher = anchors[o.teacher];
  const budgetMacs =
    o.budget.kind === 'slim' ? countMacs(anchors.slim.model, [1, 32, 32, 3]).total : o.budget.gmac * 1e9;

  // References: the teacher's outputs on the test images ("PSNR against thick").
  const thickTest = await timed('thick on test images', () =>
    test.map((pair) =>
      tf.tidy(() => tf.squeeze<tf.Tensor3D>(upscale(anchors.thick, tf.expandDims<tf.Tensor4D>(pair.lr, 0)), [0])),
    ),
  );

  // 1. Label the training images with the teacher, once (cached on disk; a second run reads the cache).
  const features = o.teacher === 'thick' ? ['RRDB_5_out', 'GRL'] : [];
  const labelBar = stage('label (teacher)', train.length);
  const images = await timed('label (teacher)', () =>
    labelImages(teacher, train, {
      features,
      dir: join(out, 'cache', `teacher-${o.teacher}`),
      onProgress: ({ examples, fromCache }) => labelBar.update(examples, fromCache ? 'from cache' : ''),
    }),
  );
  labelBar.finish();

  // 2. The once-for-all student: trunk widths 24…64 and hidden widths 16…64, in multiples of 8 (narrower
  //    sub-networks would take training steps for models nobody would pick).
  const supernet = SuperResidualUpscaler({ ...p.supernet, seed: o.seed });
  const space = SearchSpace.fromModel(supernet, {
    choices: (d) => {
      const widths: number[] = [];
      for (let w = d.name === 'head' ? 24 : 16; w <= d.max; w += 8) widths.push(w);
      return widths;
    },
  });
  const largest = maxSubnet(supernet);
  const last = p.supernet.blocks - 1;
  const featurePairs: [string, string][] =
    features.length === 0
      ? []
      : [
          ['RRDB_5_out', `block${Math.floor(last / 2)}_add`],
          ['GRL', `block${last}_add`],
        ];
  console.log(
    `student supernet: ${countParams(supernet).toLocaleString()} parameters, ${gmacs(countMacs(supernet, [1, 32, 32, 3]).total)} GMAC at 32² (largest); space of ${space.size.toExponential(2)} sub-networks; budget ${gmacs(budgetMacs)} GMAC${o.latency ? ' → latency' : ''}`,
  );

  // 3. Distil (ground truth + the teacher's output and features), once-for-all with a sandwich sampler.
  const curves: CurvePoint[] = [];
  const logCurve = (stageName: string) => (log: { step: number; means: Record<string, number | undefined> }) => {
    for (const [series, value] of Object.entries(log.means))
      if (value != null && ['total', 'recon', 'output', 'distill'].includes(series))
        curves.push({
          stage: stageName,
          step: log.step,
          series:
            series === 'recon'
              ? 'ground truth (L1)'
              : series === 'output'
                ? 'teacher output (L1)'
                : series === 'distill'
                  ? 'features (MSE)'
                  : 'total',
          value,
        });
  };
  const losses = {
    groundTruth: 1,
    // Half weight on the teacher's output keeps the student close to thick at no cost on the ground truth (0.2 moved
    // it away from thick for 0.01 dB; docs/upscaler.md).
    teacher: features.length > 0 || o.teacher !== 'thick' ? 0.5 : 0,
    features: featurePairs.length > 0 ? 0.1 : 0,
  };
  const superBar = stage('supernet (distil)', p.supernetSteps);
  await timed('supernet (distil)', () =>
    trainUpscaler({
      student: supernet,
      teacher: teacher.model,
      images,
      losses,
      featurePairs,
      sampler: new SandwichSampler(space, { n: 1, seed: o.seed }),
      steps: p.supernetSteps,
      batchSize: p.batchSize,
      lrSize: p.lrSize,
      learningRate: 1e-3,
      seed: o.seed,
      onStep: (r) => superBar.update(r.step + 1, `loss ${r.total.toFixed(4)}`),
      onLog: logCurve('supernet'),
    }),
  );
  superBar.finish();

  // 4. Search under the budget, scored by Y-PSNR on the validation images.
  let budget = budgetMacs;
  let cost = macsCost(supernet, [1, 32, 32, 3]);
  let costUnit = 'MACs';
  if (o.latency) {
    const latencyBar = stage('latency table', 1);
    const latency = await timed('latency table', () =>
      latencyCost(supernet, [1, p.latencyInput, p.latencyInput, 3], {
        space,
        cache: join(out, 'cache', 'latency.json'),
        seed: o.seed,
        onProgress: (done, total) => latencyBar.update(done, `of ${total}`),
      }),
    );
    latencyBar.finish();
    budget = await medianLatency(anchors.slim, p.latencyInput);
    cost = latency;
    costUnit = 'ms';
  }
  const searchBar = stage('search', p.generations + 1); // the initial population, then each generation
  const result = await timed('search', () =>
    searchUpscaler({
      supernet,
      space,
      validation,
      cost,
      budget,
      population: p.population,
      generations: p.generations,
      seed: o.seed,
      onGeneration: (g) => searchBar.update(g.generation + 1, `best ${g.best.score.toFixed(2)} dB`),
    }),
  );
  searchBar.finish();
  const best = result.best.config;
  const bestCost = result.best.cost ?? cost(best);
  console.log(
    `searched: ${describe(best)} — ${result.best.score.toFixed(2)} dB on validation, cost ${bestCost.toPrecision(4)} ${costUnit}`,
  );

  // The trained supernet itself, for searches elsewhere (e.g. under latency measured in a browser).
  await timed('export', () => supernet.save(fileSystem(join(out, 'supernet'))));

  // The largest sub-network as trained (no fine-tuning), for the report.
  const largestModel = extractSubnet(supernet, largest);

  // 5. Fine-tune the winner, export it, and write its UpscalerJS definition.
  const student = extractSubnet(supernet, best);
  student.name = 'gancompress_upscaler';
  const fineBar = stage('fine-tune', p.finetuneSteps);
  await timed('fine-tune', () =>
    trainUpscaler({
      student,
      teacher: teacher.model,
      images,
      losses,
      featurePairs: featurePairs.filter(([, s]) => student.layers.some((l) => l.name === s)),
      steps: p.finetuneSteps,
      batchSize: p.batchSize,
      lrSize: p.lrSize,
      learningRate: 1e-3,
      seed: o.seed + 1,
      onStep: (r) => fineBar.update(r.step + 1, `loss ${r.total.toFixed(4)}`),
      onLog: logCurve('fine-tune'),
    }),
  );
  fineBar.finish();

  // The distillation ablation: the same config and seed, trained on the ground truth alone for as many steps.
  const ablationSteps = p.supernetSteps + p.finetuneSteps;
  const scratch = extractSubnet(SuperResidualUpscaler({ ...p.supernet, seed: o.seed }), best);
  const ablationBar = stage('ablation (no teacher)', ablationSteps);
  await timed('ablation (no teacher)', () =>
    trainUpscaler({
      student: scratch,
      teacher: teacher.model,
      images,
      losses: { groundTruth: 1, teacher: 0, features: 0 },
      steps: ablationSteps,
      batchSize: p.batchSize,
      lrSize: p.lrSize,
      learningRate: 1e-3,
      seed: o.seed,
      onStep: (r) => ablationBar.update(r.step + 1, `loss ${r.total.toFixed(4)}`),
      onLog: logCurve('ablation (no teacher)'),
    }),
  );
  ablationBar.finish();

  const studentDir = join(out, 'student');
  await timed('export', async () => {
    await student.save(fileSystem(studentDir));
    const scores = evaluateUpscaler((lr) => student.apply(lr) as tf.Tensor4D, test);
    await writeFileAtomic(
      join(studentDir, 'model-definition.js'),
      upscalerModelDefinition(student, {
        scale: SCALE,
        meta: {
          name: 'gancompress student of @upscalerjs/esrgan-thick',
          config: describe(best),
          gmacsAt32: Number(gmacs(countMacs(student, [1, 32, 32, 3]).total)),
          testPsnr: Number(scores.psnr.toFixed(2)),
        },
      }),
    );
  });
  // What a user loads: the saved files, not the model in memory.
  const reloaded = await tfl.loadLayersModel(fileSystem(studentDir));

  // 6. Every row scored on the held-out test images, timed on this backend.
  const rows: ReportRow[] = [];
  const evalBar = stage('evaluate', 7);
  await timed('evaluate', async () => {
    const bicubic = (lr: tf.Tensor4D): tf.Tensor4D => resizeBicubic(lr, [lr.shape[1] * SCALE, lr.shape[2] * SCALE]);
    const entries: [string, (lr: tf.Tensor4D) => tf.Tensor4D, tfl.LayersModel | null][] = [
      ['bicubic', bicubic, null],
      ['esrgan-slim', (lr) => upscale(anchors.slim, lr), anchors.slim.model],
      ['esrgan-medium', (lr) => upscale(anchors.medium, lr), anchors.medium.model],
      ['esrgan-thick (teacher)', (lr) => upscale(anchors.thick, lr), anchors.thick.model],
      ['student (searched, distilled)', (lr) => reloaded.apply(lr) as tf.Tensor4D, reloaded],
      ['student supernet, largest config', (lr) => largestModel.apply(lr) as tf.Tensor4D, largestModel],
      ['searched config, no teacher (ablation)', (lr) => scratch.apply(lr) as tf.Tensor4D, scratch],
    ];
    for (const [name, run, model] of entries) {
      // PSNR against thick's outputs, for every model but thick itself.
      const scores = evaluateUpscaler(run, test, model === anchors.thick.model ? {} : { references: thickTest });
      const valid = evaluateUpscaler(run, validation);
      const latency = await measureLatency(() => run(latencyInput), { warmup: 2, runs: 7 });
      rows.push(row(name, scores, valid, model, latency.medianMs));
      evalBar.update(rows.length, name);
    }
  });
  evalBar.finish();

  // 7. Report, pictures.
  const points: ParetoPoint[] = result.history.map((h) => ({
    gmacs: macsOf(supernet, h.config),
    psnr: h.score,
    kind: 'searched config',
  }));
  for (const r of rows)
    if (r.gmacs != null && r.name !== 'student supernet, largest config' && !r.name.startsWith('searched config'))
      points.push({
        gmacs: r.gmacs,
        psnr: r.validationPsnr,
        kind: r.name.startsWith('student') ? 'chosen' : r.name,
        label: r.name,
      });
  const report: DemoReport = {
    machine: machine(backend, o),
    options: { ...o, budget: o.budget.kind === 'slim' ? 'slim' : `${o.budget.gmac} GMAC` },
    budget: { value: budget, unit: costUnit, slimGmacs: Number(gmacs(budgetMacs)) },
    searched: { config: best, describe: describe(best), validationPsnr: result.best.score, cost: bestCost },
    rows,
    timings,
    evaluated: result.history.length,
  };
  await timed('report', async () => {
    await writeReport(out, report);
    await paretoPlot(
      points,
      costUnit === 'MACs' ? budget / 1e9 : null,
      join(out, 'pareto.png'),
      'Sub-networks evaluated by the search (validation Y-PSNR)',
    );
    await lossPlot(curves, join(out, 'loss.png'), 'Training losses');
    await comparisonImage(join(out, 'comparison.png'), test, [
      ['bicubic', (lr) => resizeBicubic(lr, [lr.shape[1] * SCALE, lr.shape[2] * SCALE])],
      ['slim', (lr) => upscale(anchors.slim, lr)],
      ['thick', (lr) => upscale(anchors.thick, lr)],
      ['student', (lr) => reloaded.apply(lr) as tf.Tensor4D],
    ]);
  });
  console.log(readFileSync(join(out, 'report.md'), 'utf8'));
  tf.dispose([latencyInput, ...thickTest]);
}

function row(
  name: string,
  scores: UpscalerScores,
  valid: UpscalerScores,
  model: tfl.LayersModel | null,
  latencyMs: number,
): ReportRow {
  return {
    name,
    gmacs:
      model == null ? null : Number(gmacs(countMacs(model, [1, 32, 32, 3], { customCounters: ESRGAN_COUNTERS }).total)),
    params: model == null ? null : countParams(model),
    psnr: scores.psnr,
    ssim: scores.ssim,
    psnrToThick: scores.psnrToReference ?? Number.NaN,
    validationPsnr: valid.psnr,
    latencyMs,
    perImage: scores.images.map((s) => s.psnr),
  };
}

/** UpscalerJS's two custom layers, counted as torchprofile would: β·x one product per element, the shuffle 0. */
const ESRGAN_COUNTERS = {
  MultiplyBeta: (_layer: unknown, inputShapes: (number | null)[][]) => ({
    macs: (inputShapes[0] as number[]).reduce((a, b) => a * b, 1),
    params: 0,
  }),
  PixelShuffle4x: () => ({ macs: 0, params: 0 }),
};

function macsOf(model: tfl.LayersModel, config: SubnetConfig): number {
  return Number(gmacs(countMacs(model, [1, 32, 32, 3], { subnet: config }).total));
}

function gmacs(macs: number): string {
  return (macs / 1e9).toFixed(4);
}

async function medianLatency(u: UpscalerModel, size: number): Promise<number> {
  const x = tf.randomUniform<tf.Rank.R4>([1, size, size, 3], 0, 1, 'float32', 3);
  try {
    return (await measureLatency(() => upscale(u, x), { warmup: 2, runs: 9 })).medianMs;
  } finally {
    x.dispose();
  }
}

/** 'trunk 48, hidden 32/24/…' for a config of the student supernet. */
function describe(config: SubnetConfig): string {
  const trunk = config['head']?.outChannels;
  const hidden = Object.keys(config)
    .filter((k) => k.endsWith('_conv1'))
    .sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]))
    .map((k) => config[k]?.outChannels);
  return `trunk ${trunk}, hidden ${hidden.join('/')}`;
}

function machine(backend: string, o: DemoOptions): string {
  return `${backend}${backend === 'wasm' ? `, threads ${o.threads}` : ''}, Node ${process.version}`;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
