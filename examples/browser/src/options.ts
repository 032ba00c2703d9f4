/**
 * The page's options. Each has a default and a URL parameter, e.g. `?crop=128&backends=wasm&search=webgl`.
 */

/**
 * Where the page loads the models `npm run demo` exports (`student/` and `supernet/`), relative to the page.
 * The build puts them there (examples/browser/vite.config.ts: the committed examples/browser/public/models, or a
 * demo's output); `?models=<url>` points the page elsewhere.
 */
export const MODELS_URL = 'models/';

/** The backends the page upscales on, in order. */
export const BACKENDS = ['wasm', 'webgl'] as const;

export interface PageOptions {
  /** Base URL of `student/` and `supernet/` (ends with '/'). */
  models: string;
  /** Side of the centre crop of the photo (its ground truth); the input is this divided by 4. */
  crop: number;
  /** The backends to upscale on. */
  backends: string[];
  /** The backends the teacher runs on too (ESRGAN-thick is 30 times the student: slow without a GPU). */
  teacher: string[];
  /** The backend the latency search runs on, or null to skip the search (`?search=none`). */
  search: string | null;
  /** Side of the low-resolution input the latency is measured at. */
  latencyInput: number;
  /** Timed runs per layer call of the latency table. */
  latencyRuns: number;
  /** Generations of the evolutionary search (after the initial population). */
  generations: number;
  /** Size of its population. */
  population: number;
}

/** Parses the page's URL parameters, refusing values it cannot use (named in the error). */
export function pageOptions(search: string): PageOptions {
  const params = new URLSearchParams(search);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const text = params.get(name);
    if (text == null) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`URL parameter ${name}=${text}: expected an integer in [${min}, ${max}]`);
    return value;
  };
  const list = (name: string): string[] => {
    const text = params.get(name) ?? BACKENDS.join(',');
    const names = text.split(',').filter((b) => b !== '');
    for (const b of names)
      if (!(BACKENDS as readonly string[]).includes(b))
        throw new Error(`URL parameter ${name}=${text}: expected some of ${BACKENDS.join(', ')}, comma-separated`);
    return names;
  };
  const searchBackend = params.get('search') ?? 'wasm';
  if (searchBackend !== 'none' && !(BACKENDS as readonly string[]).includes(searchBackend))
    throw new Error(`URL parameter search=${searchBackend}: expected none or one of ${BACKENDS.join(', ')}`);
  let models = params.get('models') ?? MODELS_URL;
  if (!models.endsWith('/')) models += '/';
  const crop = int('crop', 256, 16, 1024);
  if (crop % 4 !== 0) throw new Error(`URL parameter crop=${crop}: expected a multiple of 4`);
  return {
    models,
    crop,
    backends: list('backends'),
    teacher: list('teacher'),
    search: searchBackend === 'none' ? null : searchBackend,
    latencyInput: int('latency', 64, 8, 256),
    latencyRuns: int('runs', 5, 1, 100),
    generations: int('generations', 3, 0, 50),
    population: int('population', 16, 4, 200),
  };
}
