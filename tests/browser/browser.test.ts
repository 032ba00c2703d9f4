/**
 * The browser example (examples/browser) in Debian's Chromium, headless, driven by playwright-core (no browser
 * download): the page is built with Vite, served on localhost, and loaded with a fresh profile. Its numbers are
 * checked against the library in Node:
 * - the low-resolution input the page made (browser PNG decoding + centreCrop + superResolutionPair) is the one
 *   Node makes from the same file;
 * - the student's output in the page equals Node's on the wasm backend for that input within 1e-3, and on webgl
 *   within half an 8-bit level, WEBGL_BOUND (or the page reported webgl unavailable, and says so);
 * - UpscalerJS's `Upscaler`, running the exported model definition, gives the student's image within 1e-3;
 * - the latency search's sub-network is in the supernet's space, predicted within its budget (esrgan-slim's latency
 *   measured in the page), and scores in Node what the page says it scored;
 * - a photo chosen with the file input is upscaled as Node does it, and leaves no tensors behind.
 * A screenshot is saved to .ci/artifacts/browser.png.
 *
 * Skipped, loudly, only when /usr/bin/chromium is absent; with BROWSER_REQUIRED=1 (CI, which installs it: see
 * .ci/run) that fails instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  centreCrop,
  evaluateUpscaler,
  fileSystem,
  initBackend,
  SearchSpace,
  superResolutionPair,
  upscale,
  withSubnet,
  type UpscalerModel,
} from '../../src/index.js';
import { browserConfig, modelsDirectory, ROOT } from '../../examples/browser/config.js';
import type { PageResults } from '../../examples/browser/src/results.js';
import { readPng } from '../../examples/upscaler/png.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The page's options for the test: a 128² crop (32×32 input), the teacher on wasm only (SwiftShader is slow). */
const QUERY = '?crop=128&teacher=wasm';
const SCREENSHOT = join(ROOT, '.ci', 'artifacts', 'browser.png');
/** On wasm the page and Node run the same kernels on the same float32 input. */
const WASM_BOUND = 1e-3;
/**
 * On webgl: other kernels (shaders) and summation orders, and on some GPUs 16-bit float textures. Half an 8-bit
 * level: the saved images differ by at most one level where a value straddles a rounding boundary. Measured here
 * (SwiftShader in headless Chromium without a GPU, float32 textures): 6e-8; wasm and the UpscalerJS path: 0 and
 * 2.4e-7 (UpscalerJS's ×255 then the page's ÷255).
 */
const WEBGL_BOUND = 0.5 / 255;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  // CI installs chromium and sets BROWSER_REQUIRED=1 (.ci/run): there a missing browser is a failure, not a skip.
  if (process.env['BROWSER_REQUIRED'] === '1')
    throw new Error(
      `${CHROMIUM} is absent and BROWSER_REQUIRED=1: install Debian's chromium (apt-get install -y chromium)`,
    );
  process.stderr.write(
    `\n${'!'.repeat(100)}\n!!! tests/browser SKIPPED: ${CHROMIUM} is absent. CI installs Debian's chromium (.ci/run); ` +
      `locally: apt-get install -y chromium\n${'!'.repeat(100)}\n\n`,
  );
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

const clip01 = (v: ArrayLike<number>): Float32Array => Float32Array.from(v, (x) => Math.min(1, Math.max(0, x)));

/** The page's results with the big arrays as plain arrays (what crosses from the page). */
type Fetched = Omit<PageResults, 'input' | 'backends'> & {
  input: { name: string; crop: number; lrShape: [number, number, number]; lr: number[] };
  backends: Record<
    string,
    | { available: false; reason: string }
    | (Extract<PageResults['backends'][string], { available: true }> & {
        outputs: { student: number[]; upscalerjs: number[] };
      })
  >;
};

describe.skipIf(!haveChromium)('the browser example in headless Chromium', () => {
  let models = '';
  let work = '';
  let server: PreviewServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let status = '';
  let results: Fetched;
  const problems: string[] = [];
  let student: UpscalerModel;
  let nodeOutput: Float32Array;

  beforeAll(async () => {
    // The models the page loads (the committed ones, else a demo's output): a clear error names what to run.
    models = modelsDirectory();
    work = mkdtempSync(join(tmpdir(), 'gancompress-browser-'));
    const config = browserConfig({ models, outDir: join(work, 'dist'), logLevel: 'error' });
    await build({ ...config, configFile: false });
    server = await preview({
      ...config,
      configFile: false,
      preview: { host: 'localhost', port: 0, strictPort: false },
    });
    const url = server.resolvedUrls?.local[0];
    if (url == null) throw new Error('vite preview reported no local URL');

    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    await page.goto(url + QUERY);
    await page.waitForFunction(
      () => document.body.dataset.status !== undefined && document.body.dataset.status !== 'running',
      null,
      {
        timeout: 100_000,
        polling: 250,
      },
    );
    status = (await page.evaluate(() => document.body.dataset.status)) ?? '';
    mkdirSync(join(ROOT, '.ci', 'artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    results = (await page.evaluate(() => {
      const r = window.__results as PageResults;
      const backends: Record<string, unknown> = {};
      for (const [name, b] of Object.entries(r.backends))
        backends[name] = b.available
          ? { ...b, outputs: { student: Array.from(b.outputs.student), upscalerjs: Array.from(b.outputs.upscalerjs) } }
          : b;
      return { ...r, input: r.input == null ? null : { ...r.input, lr: Array.from(r.input.lr) }, backends };
    })) as Fetched;

    // Node: the student on wasm, on the input the page made.
    await initBackend('wasm');
    const definition = (
      (await import(pathToFileURL(join(models, 'student', 'model-definition.js')).href)) as {
        default: { scale: number; inputRange: [number, number]; outputRange: [number, number] };
      }
    ).default;
    student = {
      model: await tfl.loadLayersModel(fileSystem(join(models, 'student'))),
      scale: definition.scale,
      inputRange: definition.inputRange,
      outputRange: definition.outputRange,
    };
    const [h, w] = results.input.lrShape;
    nodeOutput = tf
      .tidy(() => upscale(student, tf.tensor4d(results.input.lr, [1, h, w, 3])))
      .dataSync() as Float32Array;
  }, 170_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    student?.model.dispose();
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('finishes with status done, no page errors, and a screenshot', () => {
    expect(status, problems.join('\n')).toBe('done');
    expect(problems.filter((p) => p.startsWith('page error'))).toEqual([]);
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it("makes the same low-resolution input as Node from the same photo (browser decoding, the library's resize)", () => {
    const { crop, lrShape, lr } = results.input;
    expect(results.input.name).toBe('astronaut');
    expect(crop).toBe(128);
    expect(lrShape).toEqual([32, 32, 3]);
    const photo = readPng(join(ROOT, 'data', 'images', 'astronaut.png'));
    const node = tf.tidy(() => superResolutionPair(centreCrop(photo, crop), 4).lr.dataSync());
    photo.dispose();
    // 8-bit levels both: equal, but for a rounding at exactly .5 that float order may flip (one level at most).
    expect(maxAbsDiff(lr, node)).toBeLessThanOrEqual(1 / 255 + 1e-6);
    const differing = lr.filter((v, i) => Math.abs(v - (node[i] as number)) > 1e-6).length;
    expect(differing).toBeLessThanOrEqual(lr.length / 1000);
  });

  it(`runs the student on wasm as Node does, within ${WASM_BOUND}`, () => {
    const wasm = results.backends['wasm'];
    expect(wasm?.available).toBe(true);
    if (wasm?.available !== true) return;
    expect(wasm.backend).toBe('wasm');
    expect(maxAbsDiff(wasm.outputs.student, nodeOutput)).toBeLessThanOrEqual(WASM_BOUND);
  });

  it(`runs the student on webgl within ${WEBGL_BOUND.toExponential(1)} of Node, or reports webgl unavailable on the page`, async () => {
    const webgl = results.backends['webgl'];
    expect(webgl).toBeDefined();
    if (webgl?.available === true) {
      expect(webgl.backend).toBe('webgl');
      expect(maxAbsDiff(webgl.outputs.student, nodeOutput)).toBeLessThanOrEqual(WEBGL_BOUND);
    } else {
      expect(webgl?.reason.length).toBeGreaterThan(0);
      expect(await page.locator('#backends').textContent()).toContain('webgl is not available in this browser');
    }
  });

  it(`gives the student's image through UpscalerJS with the exported definition, within ${WASM_BOUND}`, () => {
    for (const result of Object.values(results.backends)) {
      if (!result.available) continue;
      // UpscalerJS clips to [0, 255]; the page divided by 255.
      expect(maxAbsDiff(result.outputs.upscalerjs, clip01(result.outputs.student))).toBeLessThanOrEqual(WASM_BOUND);
      expect(result.upscalerjsMaxDiff).toBeLessThanOrEqual(WASM_BOUND);
    }
    const wasm = results.backends['wasm'];
    if (wasm?.available === true)
      expect(maxAbsDiff(wasm.outputs.upscalerjs, clip01(nodeOutput))).toBeLessThanOrEqual(WASM_BOUND);
  });

  it('searches under the latency measured in the page: a sub-network of the space within its budget, scored as in Node', async () => {
    const search = results.search;
    expect(search).not.toBeNull();
    if (search == null) return;
    expect(search.backend).toBe('wasm');
    expect(search.budgetMs).toBeGreaterThan(0);
    expect(search.predictedMs).toBeGreaterThan(0);
    expect(search.predictedMs).toBeLessThanOrEqual(search.budgetMs);
    expect(search.measuredEntries).toBe(search.tableEntries); // a fresh profile: every layer call measured here
    expect(search.checks).toHaveLength(4); // smallest, largest, 2 random
    const [smallest, largest] = search.checks;
    expect(smallest?.predictedMs).toBeLessThan(largest?.predictedMs ?? 0);

    const supernet = await tfl.loadLayersModel(fileSystem(join(models, 'supernet')));
    try {
      const space = SearchSpace.fromModel(supernet, { choices: { multipleOf: 8 } });
      const config = space.decode(space.fromValues(search.values));
      const photo = readPng(join(ROOT, 'data', 'images', 'chelsea.png'));
      const pair = tf.tidy(() => superResolutionPair(centreCrop(photo, 128), 4) as unknown as tf.TensorContainer);
      photo.dispose();
      const { lr, hr } = pair as unknown as { lr: tf.Tensor3D; hr: tf.Tensor3D };
      const psnr = withSubnet(
        supernet,
        config,
        () => evaluateUpscaler((x) => supernet.apply(x) as tf.Tensor4D, [{ lr, hr }]).psnr,
      );
      tf.dispose([lr, hr]);
      // Outputs are rounded to 8 bits before scoring: a level may flip where the two float sums straddle a .5.
      expect(Math.abs(psnr - search.validationPsnr)).toBeLessThan(0.02);
    } finally {
      supernet.dispose();
    }
  });

  it("upscales a chosen file the same way (Node's output on wasm), adding no tensors", async () => {
    const before = results.tensors;
    expect(before).toBeGreaterThan(0);
    await page.setInputFiles('#file', join(ROOT, 'data', 'images', 'coffee.png'));
    await page.waitForFunction(
      () => document.body.dataset.status !== 'running' && window.__results?.input?.name === 'coffee.png',
      null,
      { timeout: 60_000, polling: 250 },
    );
    expect(await page.evaluate(() => document.body.dataset.status), problems.join('\n')).toBe('done');
    const again = await page.evaluate(() => {
      const r = window.__results as PageResults;
      const wasm = r.backends['wasm'];
      return {
        tensors: r.tensors,
        lrShape: r.input?.lrShape,
        lr: Array.from(r.input?.lr ?? []),
        student: wasm?.available === true ? Array.from(wasm.outputs.student) : [],
      };
    });
    expect(again.tensors).toBe(before);
    const photo = readPng(join(ROOT, 'data', 'images', 'coffee.png'));
    const lr = tf.tidy(() => superResolutionPair(centreCrop(photo, 128), 4).lr);
    photo.dispose();
    expect(again.lrShape).toEqual([32, 32, 3]);
    expect(maxAbsDiff(again.lr, lr.dataSync())).toBeLessThanOrEqual(1 / 255 + 1e-6);
    const node = tf.tidy(() => upscale(student, tf.expandDims<tf.Tensor4D>(lr, 0)).dataSync());
    lr.dispose();
    expect(maxAbsDiff(again.student, node)).toBeLessThanOrEqual(WASM_BOUND);
  });
});
