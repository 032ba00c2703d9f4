/**
 * What the page exposes on `window.__results` for a driver (tests/browser), next to
 * `document.body.dataset.status` ('running', then 'done' or 'error: <message>').
 */

/** Median and number of timed runs of one model on one backend (measureLatency). */
export interface Timing {
  medianMs: number;
  runs: number;
}

/** The image the page upscales. */
export interface InputResult {
  /** 'astronaut' (the default photo) or the chosen file's name. */
  name: string;
  /** Side of the centre crop taken from the photo (the ground truth). */
  crop: number;
  /** `[h, w, 3]` of the low-resolution input. */
  lrShape: [number, number, number];
  /** The low-resolution input, RGB in [0, 1], row-major `[h, w, 3]` (what every model was given). */
  lr: Float32Array;
}

/** One backend's run. */
export type BackendResult =
  | { available: false; reason: string }
  | {
      available: true;
      /** `tf.getBackend()` while running. */
      backend: string;
      /** The WebGL renderer, when the backend is webgl (e.g. SwiftShader in headless Chromium). */
      renderer?: string;
      /** Medians after the first run (whose output is shown); the teacher's is null where it did not run. */
      timings: { student: Timing; teacher: Timing | null; upscalerjs: Timing };
      /** Y-PSNR against the ground-truth crop (dB), 2-pixel border, outputs rounded to 8 bits. */
      psnr: { bicubic: number; student: number; teacher: number | null; upscalerjs: number };
      /** Largest |UpscalerJS output / 255 − clip(student output, 0, 1)|. */
      upscalerjsMaxDiff: number;
      /** `[4h, 4w, 3]` outputs, row-major: the student through gancompress (unclipped, [0, 1]) and through UpscalerJS (its clipped [0, 255] divided by 255). */
      outputs: { student: Float32Array; upscalerjs: Float32Array };
    };

/** The search for this browser. */
export interface SearchResultSummary {
  backend: string;
  /** `[1, s, s, 3]`: the input latency is measured at. */
  inputShape: number[];
  /** esrgan-slim's median latency here: the budget (ms). */
  budgetMs: number;
  /** Layer calls in this browser's latency table, and how many were measured now (not from localStorage). */
  tableEntries: number;
  measuredEntries: number;
  /** The table's scale (median measured / summed over the checks). */
  scale: number;
  checks: { predictedMs: number; measuredMs: number }[];
  /** Sub-networks evaluated. */
  evaluations: number;
  /** The chosen sub-network: dimension values, config, score and latencies. */
  values: Record<string, number>;
  describe: string;
  validationPsnr: number;
  predictedMs: number;
  measuredMs: number;
  /** The exported student (searched in Node under slim's MACs), measured here at the same input. */
  exportedStudentMs: number;
  /** Wall time of the table, and of the search. */
  tableSeconds: number;
  searchSeconds: number;
}

/** Everything the page measured. */
export interface PageResults {
  /** The models' base URL the page loaded from. */
  models: string;
  input: InputResult | null;
  backends: Record<string, BackendResult>;
  search: SearchResultSummary | null;
  /** `tf.memory().numTensors` when the page last finished (the models' weights; a second photo adds none). */
  tensors: number;
}

declare global {
  interface Window {
    __results?: PageResults;
  }
}
