/**
 * The browser example's Vite configuration (vite.config.ts uses it; so does tests/browser, with its own output
 * directory). `npm run build:browser` builds the page into examples/browser/dist, `npm run browser` builds and
 * serves it on http://localhost:4173.
 *
 * The page fetches, besides its bundle:
 * - `models/student/` and `models/supernet/`: what `npm run demo` exports. Where they come from is the one
 *   option of this config, {@link modelsDirectory}: the directory named by the environment variable
 *   GANCOMPRESS_BROWSER_MODELS, else the first of examples/browser/public/models (the committed models),
 *   demo-output/ (`npm run demo`) and .tmp/demo-quick/ that holds both.
 * - `esrgan-thick/x4/` and `esrgan-slim/x4/`: UpscalerJS's pretrained models from node_modules (the teacher, and
 *   the latency budget of the search).
 * The .wasm files of @tensorflow/tfjs-backend-wasm and the photos are imported as assets by the page itself.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, createReadStream } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin, UserConfig } from 'vite';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository's root. */
export const ROOT = resolve(HERE, '..', '..');

/** Where the models may be, in order (the first one holding both student/ and supernet/ is used). */
const MODEL_CANDIDATES = [join(HERE, 'public', 'models'), join(ROOT, 'demo-output'), join(ROOT, '.tmp', 'demo-quick')];

/** The environment variable naming the directory of exported models (holding student/ and supernet/). */
export const MODELS_ENV = 'GANCOMPRESS_BROWSER_MODELS';

function hasModels(dir: string): boolean {
  return ['student', 'supernet'].every((m) => existsSync(join(dir, m, 'model.json')));
}

/**
 * The directory whose `student/` and `supernet/` the page loads: `explicit`, else $GANCOMPRESS_BROWSER_MODELS,
 * else the first of examples/browser/public/models, demo-output, .tmp/demo-quick that holds both. Throws naming
 * what to run when none does.
 */
export function modelsDirectory(explicit?: string): string {
  const chosen = explicit ?? process.env[MODELS_ENV];
  if (chosen != null && chosen !== '') {
    const dir = resolve(chosen);
    if (!hasModels(dir))
      throw new Error(`${dir} (from ${explicit != null ? 'the option' : MODELS_ENV}) has no student/ and supernet/`);
    return dir;
  }
  const found = MODEL_CANDIDATES.find(hasModels);
  if (found == null)
    throw new Error(
      `the browser example needs the models \`npm run demo\` exports (student/ and supernet/), found in none of ` +
        `${MODEL_CANDIDATES.map((d) => relative(ROOT, d)).join(', ')}: run \`npm run demo\` (or ` +
        `\`npm run demo -- --quick --out .tmp/demo-quick\`), or set ${MODELS_ENV}=<directory>`,
    );
  return found;
}

/** The directory of an installed UpscalerJS model package's ×4 model. */
function upscalerJsModel(name: 'esrgan-thick' | 'esrgan-slim'): string {
  return join(ROOT, 'node_modules', '@upscalerjs', name, 'models', 'x4');
}

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.js': 'text/javascript',
};

/**
 * Serves directories under URL prefixes in the dev server, and copies them into the build's output (so
 * `vite preview` or any static server serves them from there).
 */
function mountDirectories(mounts: Record<string, string>): Plugin {
  let outDir = '';
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const url = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!url.startsWith(prefix)) continue;
      const file = resolve(dir, url.slice(prefix.length));
      if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) break;
      res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
      createReadStream(file).pipe(res);
      return;
    }
    next();
  };
  return {
    name: 'gancompress-mount-directories',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    writeBundle() {
      for (const [prefix, dir] of Object.entries(mounts)) {
        const target = join(outDir, prefix);
        mkdirSync(target, { recursive: true });
        for (const name of readdirSync(dir))
          if (statSync(join(dir, name)).isFile()) copyFileSync(join(dir, name), join(target, name));
      }
    },
  };
}

/**
 * The package declares its built bundle side-effectful (package.json "sideEffects": importing it registers its
 * layers for deserialization), and a user's bundler keeps it whole. This page builds from the sources, which the
 * same declaration leaves side-effect-free: the bundler would drop the modules that register layers no import
 * names (loading a saved model then fails with "Unknown layer: ReflectionPad2d"). Keep them, as the bundle is kept.
 */
function keepLibrarySideEffects(): Plugin {
  const src = join(ROOT, 'src') + sep;
  return {
    name: 'gancompress-keep-library-side-effects',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      const inLibrary = source.startsWith(src) || (importer?.startsWith(src) === true && source.startsWith('.'));
      if (!inLibrary) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved != null && resolved.id.startsWith(src) ? { ...resolved, moduleSideEffects: true } : resolved;
    },
  };
}

/** Options of {@link browserConfig}. */
export interface BrowserConfigOptions {
  /** The directory holding student/ and supernet/ (default: {@link modelsDirectory}). */
  models?: string;
  /** Where the build goes (default examples/browser/dist). */
  outDir?: string;
  /** Vite's log level (default 'info': the preview server prints its URL). */
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
}

/** The example's Vite config; the test builds with its own models and output directory. */
export function browserConfig(options: BrowserConfigOptions = {}): UserConfig {
  const models = modelsDirectory(options.models);
  const inPublic = resolve(models) === join(HERE, 'public', 'models');
  const mounts: Record<string, string> = {
    '/esrgan-thick/x4/': upscalerJsModel('esrgan-thick'),
    '/esrgan-slim/x4/': upscalerJsModel('esrgan-slim'),
    // Vite serves and copies public/ itself.
    ...(inPublic ? {} : { '/models/student/': join(models, 'student'), '/models/supernet/': join(models, 'supernet') }),
  };
  if (options.logLevel == null || options.logLevel === 'info')
    console.log(`browser example: models from ${relative(ROOT, models) || '.'}`);
  return {
    root: HERE,
    // Relative asset URLs: the built page works from any directory of a static server.
    base: './',
    logLevel: options.logLevel ?? 'info',
    clearScreen: false,
    resolve: {
      // The page imports the library by name, as a user's page does; here it is the repository's source.
      alias: { gancompress: join(ROOT, 'src', 'index.ts') },
    },
    server: { host: 'localhost', fs: { allow: [ROOT] } },
    preview: { host: 'localhost', port: 4173 },
    build: {
      outDir: options.outDir ?? join(HERE, 'dist'),
      emptyOutDir: true,
      target: 'es2022',
      // tfjs and its backends are large by nature; the page is an example, not a product.
      chunkSizeWarningLimit: 8000,
    },
    plugins: [keepLibrarySideEffects(), mountDirectories(mounts)],
  };
}
