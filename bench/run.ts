/**
 * Runs the benchmark files under bench/ (all, or those whose name contains an argument), prints
 * their tables, and records them in docs/benchmarks.md, replacing only the sections that ran.
 *
 *   npm run bench                 # every suite
 *   npm run bench -- wavelet      # suites whose file name contains "wavelet"
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProgressBar } from '../scripts/progress-bar.js';
import type { BenchSuite, BenchTable } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const docPath = join(here, '..', 'docs', 'benchmarks.md');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const dryRun = process.argv.includes('--no-write');

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
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((q) => f.includes(q)))
    .sort();
  if (files.length === 0) throw new Error(`no bench/*.bench.ts file matches ${filters.join(', ')}`);
  tf.enableProdMode();
  const sections = new Map<string, string>();
  const stamp = `${new Date().toISOString().slice(0, 10)} on ${machine()}`;
  const bar = new ProgressBar(files.length);
  for (const [i, file] of files.entries()) {
    const suite = (await import(pathToFileURL(join(here, file)).href)).default as BenchSuite;
    bar.update(i, suite.name);
    const started = performance.now();
    const tables = await suite.run((message) => bar.update(i, `${suite.name}: ${message}`));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const body = tables.map(renderTable).join('\n\n');
    console.log(`\n## ${suite.name}\n\n${body}\n`);
    sections.set(suite.name, `## ${suite.name}\n\n_Measured ${stamp} (suite took ${seconds} s)._\n\n${body}\n`);
  }
  bar.finish();
  if (!dryRun) writeDoc(sections);
}

function writeDoc(sections: Map<string, string>): void {
  const header =
    '# Benchmarks\n\n' +
    'Produced by `npm run bench` (bench/*.bench.ts); each section is rewritten when its suite runs. Ratios are measured\n' +
    'side by side in one run on one machine; absolute numbers depend on the machine named in each section.\n';
  const existing = existsSync(docPath) ? readFileSync(docPath, 'utf8') : header;
  const parts = new Map<string, string>();
  const re = /<!-- bench:(.+?) -->\n([\s\S]*?)<!-- \/bench:\1 -->\n?/g;
  for (const m of existing.matchAll(re)) parts.set(m[1] as string, m[2] as string);
  for (const [name, text] of sections) parts.set(name, text);
  const ordered = [...parts.keys()].sort();
  const doc =
    header + '\n' + ordered.map((n) => `<!-- bench:${n} -->\n${parts.get(n)}<!-- /bench:${n} -->\n`).join('\n');
  writeFileSync(docPath, doc);
  process.stderr.write(`recorded ${[...sections.keys()].join(', ')} in ${docPath}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
