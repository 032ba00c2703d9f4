/**
 * The module map of docs/architecture.md and the code agree: dependency-cruiser, with the rules generated from that
 * map, finds no violation in src/; every folder of src/ is a module of the map and every module exists; and the rules
 * do catch the upward imports the structure issue found (each replayed in a scratch tree).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const { readModuleMap } = require(join(ROOT, 'scripts', 'module-map.cjs')) as {
  readModuleMap: () => { name: string; imports: string[] }[];
};
const config = require(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: IForbiddenRuleType[] };
const modules = readModuleMap();

async function violations(baseDir: string, tsConfig?: string): Promise<string[]> {
  const home = process.cwd();
  process.chdir(baseDir);
  try {
    const result = await cruise(['src'], {
      validate: true,
      ruleSet: { forbidden: config.forbidden },
      ...(tsConfig == null ? {} : { tsConfig: { fileName: tsConfig } }),
      tsPreCompilationDeps: true,
      includeOnly: '^src/',
    });
    const output = result.output as ICruiseResult;
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(home);
  }
}

/** Folders of src/ that hold .ts files, relative to src/. */
function sourceFolders(dir = join(ROOT, 'src'), rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    const sub = rel === '' ? name : `${rel}/${name}`;
    if (readdirSync(path).some((f) => f.endsWith('.ts'))) out.push(sub);
    out.push(...sourceFolders(path, sub));
  }
  return out;
}

describe('docs/architecture.md', () => {
  it('lists each module once, every import above the importer', () => {
    const names = modules.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    modules.forEach((m, i) => {
      for (const dep of m.imports) expect(names.indexOf(dep), `${m.name} imports ${dep}`).toBeLessThan(i);
    });
  });

  it('matches src/: every folder belongs to a module, every module has an index.ts', () => {
    const names = modules.map((m) => m.name);
    for (const folder of sourceFolders()) {
      const owner = names.find((n) => folder === n || folder.startsWith(`${n}/`));
      expect(owner, `src/${folder} is in no module of docs/architecture.md`).toBeDefined();
    }
    // Modules another wave will fill may be listed before their folder exists, but not without an index once it does.
    for (const m of modules) {
      if (existsSync(join(ROOT, 'src', m.name)))
        expect(existsSync(join(ROOT, 'src', m.name, 'index.ts')), m.name).toBe(true);
    }
  });

  it('dependency-cruiser finds no violation in src/', async () => {
    expect(await violations(ROOT, 'tsconfig.json')).toEqual([]);
  }, 120_000);
});

describe('the rules catch the upward imports of the structure issue', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'gancompress-depcruise-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    writeFileSync(join(scratch, file), text);
  };
  // A skeleton with an index per module, then the imports the review found, written as they were.
  write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }));
  for (const m of modules) write(`src/${m.name}/index.ts`, 'export const here = 1;\n');
  write('src/index.ts', modules.map((m, i) => `export { here as m${i} } from './${m.name}/index.js';`).join('\n'));
  const cases: [string, string, string, RegExp][] = [
    [
      'src/layers/modulated/fuse_demodulation.ts',
      "import { here } from '../../nas/index.js';",
      "export { x } from './fuse_demodulation.js';",
      /order:layers\/modulated: src\/layers\/modulated\/fuse_demodulation\.ts → src\/nas\/index\.ts/,
    ],
    [
      'src/layers/modulated/noise.ts',
      "import { here } from '../../nas/flat_graph.js';",
      "export { x } from './noise.js';",
      /order:layers\/modulated: src\/layers\/modulated\/noise\.ts → src\/nas\/flat_graph\.ts/,
    ],
    [
      'src/metrics/macs/graph.ts',
      "import { here } from '../../nas/index.js';",
      "export { x } from './macs/graph.js';",
      /order:metrics: src\/metrics\/macs\/graph\.ts → src\/nas\/index\.ts/,
    ],
    [
      'src/layers/common/instance_norm.ts',
      "import { here } from '../elastic/index.js';",
      "export { x } from './instance_norm.js';",
      /order:layers\/common: src\/layers\/common\/instance_norm\.ts → src\/layers\/elastic\/index\.ts/,
    ],
    [
      'src/wavelet/haar_layers.ts',
      "import { here } from '../layers/elastic/index.js';",
      "export { x } from './haar_layers.js';",
      /order:wavelet: src\/wavelet\/haar_layers\.ts → src\/layers\/elastic\/index\.ts/,
    ],
    [
      'src/models/resnet/trunk.ts',
      "import { here } from '../../layers/common/instance_norm.js';",
      "export { x } from './resnet/trunk.js';",
      /index-only:layers\/common: src\/models\/resnet\/trunk\.ts → src\/layers\/common\/instance_norm\.ts/,
    ],
  ];
  it.each(cases)(
    '%s',
    async (file, importLine, indexLine, expected) => {
      write(file, `${importLine}\nexport const x = here;\n`);
      const moduleDir = modules
        .map((m) => m.name)
        .sort((a, b) => b.length - a.length)
        .find((n) => file.startsWith(`src/${n}/`)) as string;
      write(`src/${moduleDir}/index.ts`, `export const here = 1;\n${indexLine}\n`);
      // The imported file exists, as it did.
      const target = join(dirname(file), /'([^']+)'/.exec(importLine)?.[1] ?? '').replace(/\.js$/, '.ts');
      if (!target.endsWith('index.ts')) write(target, 'export const here = 2;\n');
      const found = await violations(scratch, 'tsconfig.json');
      expect(found.join('\n')).toMatch(expected);
      rmSync(join(scratch, file));
      write(`src/${moduleDir}/index.ts`, 'export const here = 1;\n');
    },
    60_000,
  );
});
