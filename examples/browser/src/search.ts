/**
 * The search for this browser: `latencyCost` builds OFA's per-layer latency table of the supernet on the current
 * backend, here, and `evolutionSearch` finds the sub-network with the best validation Y-PSNR whose predicted
 * latency is within ESRGAN-slim's latency measured here — so the answer is for this browser, not the machine the
 * supernet was trained on.
 */
import * as tf from '@tensorflow/tfjs';
import {
  evaluateUpscaler,
  evolutionSearch,
  latencyCost,
  measureLatency,
  SearchSpace,
  withSubnet,
  type LatencyTableFile,
  type SrPair,
  type SubnetConfig,
  type UpscalerModel,
} from 'gancompress';
import type { PageOptions } from './options.js';
import type { SearchResultSummary } from './results.js';
import { toCanvas } from './images.js';
import { el, figure, log, ms, table, yieldToPage } from './ui.js';

/** Where the latency tables are kept between visits (entries already measured are not measured again). */
const STORAGE_KEY = 'gancompress-example-latency-tables';

/** 'trunk 48, hidden 32/24/…' for a config of the student supernet (as the demo's report writes it). */
export function describeConfig(config: SubnetConfig): string {
  const trunk = config['head']?.outChannels;
  const hidden = Object.keys(config)
    .filter((k) => k.endsWith('_conv1'))
    .sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]))
    .map((k) => config[k]?.outChannels);
  return `trunk ${trunk}, hidden ${hidden.join('/')}`;
}

function storedTables(): LatencyTableFile | undefined {
  try {
    const text = localStorage.getItem(STORAGE_KEY);
    return text == null ? undefined : (JSON.parse(text) as LatencyTableFile);
  } catch {
    return undefined;
  }
}

/** What the search needs, loaded on the backend it runs on. */
export interface SearchModels {
  supernet: tf.LayersModel;
  /** The budget: its latency here. */
  slim: UpscalerModel;
  /** The student the demo exported (searched under slim's MACs in Node), measured here for comparison. */
  student: UpscalerModel;
}

/** Runs the search on the current backend, showing its progress and result in `view`. */
export async function searchForThisBrowser(
  models: SearchModels,
  validation: SrPair,
  options: PageOptions,
  view: HTMLElement,
): Promise<SearchResultSummary> {
  const { supernet, slim, student } = models;
  const side = options.latencyInput;
  const inputShape = [1, side, side, 3];
  const progress = el('p', 'progress', 'measuring ESRGAN-slim…');
  view.replaceChildren(progress);
  const x = tf.randomUniform(inputShape, 0, 1, 'float32', 1);
  const x255 = tf.mul(x, 255);
  try {
    // The budget: slim as a page would run it (its pixels are 0–255), median over runs here.
    const budgetMs = (await measureLatency(() => slim.model.predict(x255), { warmup: 2, runs: 5 })).medianMs;
    const exportedStudentMs = (await measureLatency(() => student.model.predict(x), { warmup: 2, runs: 5 })).medianMs;
    log(`search: budget ${ms(budgetMs)} (ESRGAN-slim at ${side}×${side} on ${tf.getBackend()})`);

    // The demo searched widths in multiples of 8: the same space here.
    const space = SearchSpace.fromModel(supernet, { choices: { multipleOf: 8 } });
    const tables = storedTables();
    const tableStart = performance.now();
    const cost = await latencyCost(supernet, inputShape, {
      space,
      runs: options.latencyRuns,
      warmup: 1,
      checks: 2,
      seed: 0,
      ...(tables === undefined ? {} : { tables }),
      onProgress: (done, total) => {
        progress.textContent = `latency table: ${done} of ${total} layer calls measured`;
      },
    });
    const tableSeconds = (performance.now() - tableStart) / 1000;
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(cost));
    } catch {
      // Storage full or disabled: the next visit measures again.
    }
    const entries = Object.keys(cost.table.entries).length;
    log(
      `search: latency table of ${entries} layer calls (${cost.measured} measured now) in ${tableSeconds.toFixed(1)} s`,
    );
    await yieldToPage();

    // Evolution under the budget, scored by Y-PSNR on the validation crop (each sub-network through withSubnet).
    const searchStart = performance.now();
    const evaluate = (config: SubnetConfig): number =>
      withSubnet(
        supernet,
        config,
        () => evaluateUpscaler((lr) => supernet.apply(lr) as tf.Tensor4D, [validation]).psnr,
      );
    const half = Math.max(1, Math.round(options.population / 2));
    const result = await evolutionSearch({
      space,
      evaluate,
      cost,
      budget: budgetMs,
      population: options.population,
      mutations: half,
      crossovers: half,
      generations: options.generations,
      seed: 0,
      onGeneration: async (g) => {
        progress.textContent = `search: generation ${g.generation} of ${options.generations}, best ${g.best.score.toFixed(2)} dB (${g.evaluations} evaluated)`;
        await yieldToPage();
      },
    });
    const searchSeconds = (performance.now() - searchStart) / 1000;
    const best = result.best;
    const predictedMs = cost(best.config);
    const measuredMs = await cost.measure(best.config, { runs: 5 });
    const values = space.values(best.indices);
    log(
      `search: ${describeConfig(best.config)}, ${best.score.toFixed(2)} dB, predicted ${ms(predictedMs)}, measured ${ms(measuredMs)}`,
    );

    const [lrH, lrW] = validation.lr.shape;
    const picture = withSubnet(supernet, best.config, () =>
      tf.tidy(() => tf.squeeze<tf.Tensor3D>(supernet.apply(tf.expandDims(validation.lr, 0)) as tf.Tensor4D, [0])),
    );
    let chosenCanvas: HTMLCanvasElement;
    try {
      chosenCanvas = await toCanvas(picture);
    } finally {
      picture.dispose();
    }
    view.replaceChildren(
      el(
        'p',
        null,
        `Budget: ESRGAN-slim's latency here, ${ms(budgetMs)} at ${side}×${side} on ${tf.getBackend()}. ` +
          `Latency table: ${entries} layer calls (${cost.measured} measured now, the rest from this browser's storage) ` +
          `in ${tableSeconds.toFixed(1)} s; predictions scaled by ${cost.scale.toFixed(2)}.`,
      ),
      table(
        ['checked sub-network', 'predicted', 'measured'],
        cost.checks.map((c, i) => [
          i === 0 ? 'smallest' : i === 1 ? 'largest' : `random ${i - 1}`,
          ms(c.predictedMs),
          ms(c.measuredMs),
        ]),
      ),
      el(
        'p',
        'chosen',
        `Best for this browser (${result.evaluations} sub-networks evaluated in ${searchSeconds.toFixed(1)} s): ` +
          `${describeConfig(best.config)} — validation Y-PSNR ${best.score.toFixed(2)} dB, predicted ${ms(predictedMs)}, ` +
          `measured ${ms(measuredMs)}, budget ${ms(budgetMs)}. The student exported by the demo (searched under ` +
          `slim's MACs): ${ms(exportedStudentMs)} here.`,
      ),
      el(
        'div',
        'cards',
        figure(`validation input ${lrW}×${lrH}`, await toCanvas(validation.lr, 4), 'shown ×4'),
        figure('chosen sub-network', chosenCanvas, `Y-PSNR ${best.score.toFixed(2)} dB`),
        figure('ground truth', await toCanvas(validation.hr)),
      ),
    );
    return {
      backend: tf.getBackend(),
      inputShape,
      budgetMs,
      tableEntries: entries,
      measuredEntries: cost.measured,
      scale: cost.scale,
      checks: cost.checks.map((c) => ({ predictedMs: c.predictedMs, measuredMs: c.measuredMs })),
      evaluations: result.evaluations,
      values,
      describe: describeConfig(best.config),
      validationPsnr: best.score,
      predictedMs,
      measuredMs,
      exportedStudentMs,
      tableSeconds,
      searchSeconds,
    };
  } finally {
    tf.dispose([x, x255]);
  }
}
