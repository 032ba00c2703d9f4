/**
 * gancompress in the browser: the student `npm run demo` exported, next to its teacher and run by UpscalerJS, on
 * the wasm and webgl backends; then a latency search on the supernet, measured in this browser.
 *
 * State for drivers: `document.body.dataset.status` ('running', then 'done' or 'error: <message>') and
 * `window.__results` (see results.ts).
 */
/// <reference types="vite/client" />
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { centreCrop, superResolutionPair, type SrPair } from 'gancompress';
import astronautUrl from '../../../data/images/astronaut.png?url';
import chelseaUrl from '../../../data/images/chelsea.png?url';
import { decodeImage, fetchImage } from './images.js';
import {
  loadSlim,
  loadStudent,
  loadStudentDefinition,
  loadSupernet,
  loadThick,
  type StudentDefinition,
} from './models.js';
import { pageOptions, type PageOptions } from './options.js';
import type { PageResults } from './results.js';
import { searchForThisBrowser, type SearchModels } from './search.js';
import { byId, el, log, setStatus } from './ui.js';
import { upscaleOnBackend, type BackendModels } from './upscaling.js';

// The wasm backend fetches its binaries at run time: point it at the copies the build emitted.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/**
 * Makes `name` the current backend, or says why it cannot be. After a failure the previous backend is set again:
 * tfjs leaves none current, and its fallback to the highest-priority backend cannot initialise wasm (asynchronous).
 */
async function useBackend(name: string): Promise<string | null> {
  const previous = tf.getBackend();
  let problem: string | null = null;
  try {
    if (await tf.setBackend(name)) await tf.ready();
    else problem = `tf.setBackend('${name}') failed (see the console)`;
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem != null && typeof previous === 'string' && previous !== name) await tf.setBackend(previous);
  return problem;
}

/** The WebGL renderer's name (e.g. SwiftShader when Chromium has no GPU). */
function webglRenderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (gl == null) return 'no WebGL 2 context';
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(debug == null ? gl.RENDERER : debug.UNMASKED_RENDERER_WEBGL));
  return `${name}; float32 textures: ${tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 'yes' : 'no'}`;
}

/** The SR pair of a photo's centre crop (at most `crop`, a multiple of 4), as the demo makes its test pairs. */
function pairOf(photo: tf.Tensor3D, crop: number): { pair: SrPair; crop: number } {
  const side = Math.min(crop, Math.floor(Math.min(photo.shape[0], photo.shape[1]) / 4) * 4);
  if (side < 4) throw new Error(`the image is ${photo.shape[1]}×${photo.shape[0]}: too small to crop and downscale ×4`);
  const pair = tf.tidy(() => superResolutionPair(centreCrop(photo, side), 4) as unknown as tf.TensorContainer);
  return { pair: pair as unknown as SrPair, crop: side };
}

class Page {
  readonly results: PageResults;
  private readonly loaded = new Map<string, BackendModels>();
  private searchModels: SearchModels | null = null;

  constructor(
    readonly options: PageOptions,
    readonly definition: StudentDefinition,
  ) {
    this.results = { models: options.models, input: null, backends: {}, search: null, tensors: 0 };
    window.__results = this.results;
  }

  /**
   * Loads every model on every backend first: UpscalerJS's setup registers its own `PixelShuffle` and
   * `ReflectionPad2d` under the library's class names, so the library's models are built before any `Upscaler` is.
   */
  async load(): Promise<void> {
    for (const backend of this.options.backends) {
      const problem = await useBackend(backend);
      if (problem != null) {
        this.results.backends[backend] = { available: false, reason: problem };
        log(`${backend}: unavailable — ${problem}`);
        continue;
      }
      log(`${backend}: loading the student and ESRGAN-thick`);
      this.loaded.set(backend, { student: await loadStudent(this.definition), thick: await loadThick() });
      if (backend === this.options.search) {
        log(`${backend}: loading the supernet and ESRGAN-slim`);
        this.searchModels = {
          supernet: await loadSupernet(this.options.models),
          slim: await loadSlim(),
          student: (this.loaded.get(backend) as BackendModels).student,
        };
      }
    }
  }

  /** Upscales the centre crop of `photo` on every available backend. */
  async upscale(photo: tf.Tensor3D, name: string): Promise<void> {
    const { pair, crop } = pairOf(photo, this.options.crop);
    try {
      const [h, w] = pair.lr.shape;
      this.results.input = { name, crop, lrShape: [h, w, 3], lr: (await pair.lr.data()) as Float32Array };
      byId('input-note').textContent =
        `${name}: its centre ${crop}×${crop} crop is the ground truth; the input is that crop downscaled ×4 ` +
        `(antialiased bicubic, 8-bit levels, as SR benchmarks make it) to ${w}×${h}.`;
      const rows = byId('backends');
      rows.replaceChildren();
      for (const backend of this.options.backends) {
        const row = el('section', 'backend');
        rows.append(row);
        const models = this.loaded.get(backend);
        if (models == null) {
          const result = this.results.backends[backend];
          const reason = result != null && !result.available ? result.reason : 'not loaded';
          row.append(
            el('h3', null, backend),
            el('p', 'unavailable', `${backend} is not available in this browser: ${reason}`),
          );
          continue;
        }
        const problem = await useBackend(backend);
        if (problem != null) throw new Error(`${backend} was available, then: ${problem}`);
        log(`${backend}: upscaling ${name}`);
        const renderer = backend === 'webgl' ? webglRenderer() : undefined;
        this.results.backends[backend] = await upscaleOnBackend(
          backend,
          models,
          this.definition,
          pair,
          row,
          renderer,
          this.options.teacher.includes(backend),
        );
      }
    } finally {
      tf.dispose([pair.lr, pair.hr]);
    }
  }

  /** The latency search on the search backend, scored on the centre crop of a validation photo. */
  async search(): Promise<void> {
    const view = byId('search');
    const backend = this.options.search;
    if (backend == null) {
      view.textContent = 'Search skipped (?search=none).';
      return;
    }
    if (this.searchModels == null) {
      view.textContent = `The search runs on ${backend}, which is not available in this browser.`;
      return;
    }
    const problem = await useBackend(backend);
    if (problem != null) throw new Error(`${backend} was available, then: ${problem}`);
    const photo = await fetchImage(chelseaUrl);
    // A small validation crop: each sub-network the search evaluates runs on it once.
    const { pair } = (() => {
      try {
        return pairOf(photo, 128);
      } finally {
        photo.dispose();
      }
    })();
    try {
      this.results.search = await searchForThisBrowser(this.searchModels, pair, this.options, view);
    } finally {
      tf.dispose([pair.lr, pair.hr]);
    }
  }
}

function fail(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  console.error(e);
  log(`error: ${e instanceof Error && e.stack != null ? e.stack : message}`);
  setStatus(`error: ${message}`);
}

async function main(): Promise<void> {
  setStatus('running');
  const options = pageOptions(location.search);
  tf.enableProdMode();
  byId('models').textContent = new URL(options.models, document.baseURI).href;
  const definition = await loadStudentDefinition(options.models);
  byId('student-meta').textContent = Object.entries(definition.meta)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
  const page = new Page(options, definition);
  await page.load();
  const photo = await fetchImage(astronautUrl);
  try {
    await page.upscale(photo, 'astronaut');
  } finally {
    photo.dispose();
  }
  await page.search();
  page.results.tensors = tf.memory().numTensors;
  setStatus('done');

  const input = byId<HTMLInputElement>('file');
  input.disabled = false;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file == null) return;
    setStatus('running');
    input.disabled = true;
    void (async () => {
      const image = await decodeImage(file);
      try {
        await page.upscale(image, file.name);
      } finally {
        image.dispose();
      }
      page.results.tensors = tf.memory().numTensors;
      setStatus('done');
    })()
      .catch(fail)
      .finally(() => {
        input.disabled = false;
      });
  });
}

main().catch(fail);
