import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Packs the library, installs the tarball into a scratch project next to that project's own
// tfjs packages, and uses it from ESM, CommonJS and the TypeScript compiler.
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const scratch = mkdtempSync(join(tmpdir(), 'gancompress-consumer-'));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`, {
      cause: e,
    });
  }
}

beforeAll(() => {
  // CI builds before `npm test`; other test files (the notebooks) read dist/ meanwhile, so rebuild
  // (which empties dist/) only when there is no build. Packing with --ignore-scripts skips prepack.
  if (!existsSync(join(repo, 'dist', 'index.js')) || !existsSync(join(repo, 'dist', 'index.d.ts')))
    run('npm', ['run', 'build'], repo);
  const packed = JSON.parse(
    run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], repo),
  ) as { filename: string }[];
  const tarball = (packed[0] as { filename: string }).filename;
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  const tfjs = ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu', 'tfjs-backend-wasm'].map(
    (p) => `@tensorflow/${p}@${pkg.devDependencies[`@tensorflow/${p}`]}`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`, ...tfjs], scratch);
  for (const f of readdirSync(join(here, 'project'))) copyFileSync(join(here, 'project', f), join(scratch, f));
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What the consumer scripts print as their last line. */
interface ConsumerReport {
  backend: string;
  tfjsCoreCopies: number;
  losses: number[];
  roundTripMaxDiff: number;
  exports: string[];
}

const report = (script: string): ConsumerReport =>
  JSON.parse(run('node', [script], scratch).trim().split('\n').pop() as string) as ConsumerReport;

describe('the packed library in a consumer project', () => {
  it('works through `import` (ESM): wasm backend, training, fileSystem, one tfjs-core', () => {
    const out = report('esm.mjs');
    expect(out.backend).toBe('wasm');
    expect(out.tfjsCoreCopies).toBe(1);
    expect(out.losses[1]).toBeLessThan(out.losses[0] as number);
    expect(out.roundTripMaxDiff).toBe(0);
    expect(out.exports).toEqual(
      expect.arrayContaining(['initBackend', 'fileSystem', 'measureLatency', 'Random', 'GanCompressError']),
    );
  });

  it('works through `require` (CJS) with the same exports', () => {
    const out = report('cjs.cjs');
    const esm = report('esm.mjs');
    expect(out.backend).toBe('cpu');
    expect(out.losses[1]).toBeLessThan(out.losses[0] as number);
    expect(out.exports).toEqual(esm.exports);
  });

  it('type-checks consumer code under nodenext (ESM and CJS) and node10 (tslab) resolution', () => {
    const common = ['--noEmit', '--strict', '--target', 'es2020', '--lib', 'es2020,dom'];
    expect(
      typeErrors([...common, '--module', 'nodenext', '--moduleResolution', 'nodenext', 'types.mts', 'types.cts']),
    ).toEqual([]);
    expect(
      typeErrors([
        ...common,
        '--module',
        'commonjs',
        '--moduleResolution',
        'node10',
        '--esModuleInterop',
        'types-node10.ts',
      ]),
    ).toEqual([]);
  });

  it('fails type-checking on a wrong use, so the check above is real', () => {
    writeFileSync(
      join(scratch, 'wrong.mts'),
      "import { initBackend } from 'gancompress';\nconst n: number = initBackend('cpu');\nexport { n };\n",
    );
    expect(
      typeErrors(['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'wrong.mts']).join(
        '\n',
      ),
    ).toMatch(/wrong\.mts.*Type 'Promise<string>' is not assignable to type 'number'/);
  });
});

/**
 * Type errors tsc reports, except those inside tfjs's own declaration files: tfjs-layers' .d.ts
 * do not compile under --strict without skipLibCheck (an upstream issue every strict consumer
 * meets), while ours and the consumer's files must be clean.
 */
function typeErrors(args: string[]): string[] {
  let output = '';
  try {
    execFileSync('node', [tsc, ...args], { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    output = `${(e as { stdout?: string }).stdout ?? ''}`;
  }
  return output
    .split('\n')
    .filter((line) => /^\S.*\(\d+,\d+\): error/.test(line))
    .filter((line) => !line.startsWith('node_modules/@tensorflow/'));
}
