/**
 * Runs the benchmark files under bench/ (all, or the suites named), prints their tables and, with
 * `--write`, records them in docs/benchmarks.md, replacing only the sections that ran. Without
 * `--write` nothing is written: the tracked doc changes only when asked to.
 *
 *   npm run bench                       # every suite, printed only
 *   npm run bench -- wavelet macs       # suites whose file name contains "wavelet" or "macs"
 *   npm run bench -- macs --write       # ... and record them in docs/benchmarks.md
 *   npm run bench -- --help
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { stage } from '../scripts/progress.js';
import type { BenchSuite, BenchTable } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const docPath = join(here, '..', 'docs', 'benchmarks.md');

/** Every suite: the bench/*.bench.ts files (a new file is a new suite; nothing to register). */
function suiteFiles(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
}

const suiteName = (file: string): string => file.replace(/\.bench\.ts$/, '');

function usage(): string {
  return [
    'Usage: npm run bench -- [suite ...] [--write]',
    '',
    'Runs the benchmark suites (bench/<suite>.bench.ts) and prints their tables.',
    '',
    '  suite         run only the suites whose name contains one of these words (default: all)',
    `                suites: ${suiteFiles().map(suiteName).join(', ')}`,
    '  --write, -w   record the sections that ran in docs/benchmarks.md (otherwise nothing is written)',
    '  --help, -h    print this help',
  ].join('\n');
}

/** Exits 2 with what was wrong and what was expected. */
function usageError(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${usage()}\n`);
  process.exit(2);
}

interface Cli {
  files: string[];
  write: boolean;
}

const OPTIONS = { write: { type: 'boolean', short: 'w' }, help: { type: 'boolean', short: 'h' } } as const;

function parseCli(argv: string[]): Cli | 'help' {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (e) {
    const known = ['--write', '-w', '--help', '-h'];
    const unknown = argv.find((a) => a.startsWith('-') && a !== '--' && !known.includes(a.split('=')[0] as string));
    usageError(unknown == null ? (e as Error).message : `unknown option '${unknown}' (expected --write or --help)`);
  }
  if (parsed.values.help === true) return 'help';
  const all = suiteFiles();
  const matches = (file: string, query: string): boolean => suiteName(file).includes(query);
  const unknown = parsed.positionals.filter((q) => !all.some((f) => matches(f, q)));
  if (unknown.length > 0) {
    const names = unknown.map((q) => `'${q}'`).join(', ');
    usageError(`no suite matches ${names} (expected part of a suite name: ${all.map(suiteName).join(', ')})`);
  }
  const chosen = parsed.positionals;
  return {
    files: chosen.length === 0 ? all : all.filter((f) => chosen.some((q) => matches(f, q))),
    write: parsed.values.write === true,
  };
}

function renderTable(t: BenchTable): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(String))];
  const widths = t.columns.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((v, c) => v.padEnd(widths[c] as number)).join(' | ')} |`;
  const out = [
    `**${t.title}**`,
    '',
    line(t.columns),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...t.rows.map((r) => line(r.map(String))),
  ];
  if (t.notes?.length) out.push('', ...t.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, tfjs ${tf.version_core}`;
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  if (cli === 'help') {
    console.log(usage());
    return;
  }
  tf.enableProdMode();
  const sections = new Map<string, string>();
  const stamp = `${new Date().toISOString().slice(0, 10)} on ${machine()}`;
  const bar = stage('bench', cli.files.length, process.stderr);
  for (const [i, file] of cli.files.entries()) {
    const module = (await import(pathToFileURL(join(here, file)).href)) as { default: BenchSuite };
    const suite = module.default;
    bar.update(i, suite.name);
    const started = performance.now();
    const tables = await suite.run((message) => bar.update(i, `${suite.name}: ${message}`));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const body = tables.map(renderTable).join('\n\n');
    console.log(`\n## ${suite.name}\n\n${body}\n`);
    sections.set(suite.name, `## ${suite.name}\n\n_Measured ${stamp} (suite took ${seconds} s)._\n\n${body}\n`);
  }
  bar.finish();
  if (cli.write) writeDoc(sections);
  else process.stderr.write(`not recorded: pass --write to update ${docPath}\n`);
}

function writeDoc(sections: Map<string, string>): void {
  const header =
    '# Benchmarks\n\n' +
    'Produced by `npm run bench -- --write` (bench/*.bench.ts); each section is rewritten when its suite runs. Ratios\n' +
    'are measured side by side in one run on one machine; absolute numbers depend on the machine named in each section.\n';
  const existing = existsSync(docPath) ? readFileSync(docPath, 'utf8') : header;
  const parts = new Map<string, string>();
  const re = /<!-- bench:(.+?) -->\n([\s\S]*?)<!-- \/bench:\1 -->\n?/g;
  for (const m of existing.matchAll(re)) parts.set(m[1] as string, m[2] as string);
  for (const [name, text] of sections) parts.set(name, text);
  const ordered = [...parts.keys()].sort();
  const doc =
    header + '\n' + ordered.map((n) => `<!-- bench:${n} -->\n${parts.get(n)}<!-- /bench:${n} -->\n`).join('\n');
  // Atomically: an interrupted run never leaves a half-written doc.
  const tmp = `${docPath}.${process.pid}.tmp`;
  writeFileSync(tmp, doc);
  renameSync(tmp, docPath);
  process.stderr.write(`recorded ${[...sections.keys()].join(', ')} in ${docPath}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
