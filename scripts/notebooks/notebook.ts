/**
 * Jupyter notebooks (nbformat 4) as the repository keeps them: code and prose only. Outputs,
 * execution counts and run metadata are produced by executing a notebook (examples/notebooks/run.ts),
 * never committed. Used by the stripper (strip.ts), the runner and tests/notebooks.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** One output of a code cell (stream, display_data, execute_result or error). */
export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  metadata: Record<string, unknown>;
  source: string | string[];
  outputs?: NotebookOutput[];
  execution_count?: number | null;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Notebook-level metadata a committed notebook keeps; the rest (language_info, widgets, ...) is written by runs. */
const KEPT_NOTEBOOK_METADATA = ['kernelspec'];
/** Cell metadata a run writes (nbclient's timings, the classic UI's view state). */
const RUN_CELL_METADATA = ['execution', 'collapsed', 'scrolled', 'ExecuteTime'];

export function readNotebook(file: string): Notebook {
  const nb = JSON.parse(readFileSync(file, 'utf8')) as Notebook;
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) throw new Error(`${file}: not an nbformat 4 notebook`);
  return nb;
}

/** A cell's source as one string (nbformat allows a list of lines). */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** The notebook as it is committed: no outputs, no execution counts, no run metadata. */
export function stripNotebook(nb: Notebook): Notebook {
  const metadata = Object.fromEntries(Object.entries(nb.metadata).filter(([k]) => KEPT_NOTEBOOK_METADATA.includes(k)));
  const cells = nb.cells.map((cell): NotebookCell => {
    const cellMetadata = Object.fromEntries(
      Object.entries(cell.metadata).filter(([k]) => !RUN_CELL_METADATA.includes(k)),
    );
    const base = { ...cell, metadata: cellMetadata };
    return cell.cell_type === 'code' ? { ...base, outputs: [], execution_count: null } : base;
  });
  return { ...nb, metadata, cells };
}

/** What a run left in the notebook, one line each; empty when the notebook is stripped. */
export function strippedProblems(nb: Notebook): string[] {
  const problems: string[] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    if ((cell.outputs ?? []).length > 0) problems.push(`cell ${i}: ${cell.outputs?.length} outputs`);
    if (cell.execution_count != null) problems.push(`cell ${i}: execution_count ${cell.execution_count}`);
    for (const k of Object.keys(cell.metadata))
      if (RUN_CELL_METADATA.includes(k)) problems.push(`cell ${i}: metadata.${k}`);
  });
  for (const k of Object.keys(nb.metadata))
    if (!KEPT_NOTEBOOK_METADATA.includes(k)) problems.push(`notebook metadata.${k}`);
  return problems;
}

/** Serialises as Jupyter does (one-space indent, trailing newline), so saving from Jupyter gives no diff. */
export function formatNotebook(nb: Notebook): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/** Writes through a temporary file in the same directory, so a failed write never leaves half a notebook. */
export function writeNotebook(file: string, nb: Notebook): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, formatNotebook(nb));
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** What an executed notebook shows: its pictures by MIME type, error outputs, and everything written to stderr. */
export interface ExecutionSummary {
  images: Record<string, number>;
  errors: string[];
  stderr: string[];
}

const IMAGE_TYPES = ['image/png', 'image/svg+xml', 'image/jpeg'];

export function summariseOutputs(nb: Notebook): ExecutionSummary {
  const summary: ExecutionSummary = { images: {}, errors: [], stderr: [] };
  nb.cells.forEach((cell, i) => {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === 'error') summary.errors.push(`cell ${i}: ${out.ename ?? ''}: ${out.evalue ?? ''}`);
      if (out.output_type === 'stream' && out.name === 'stderr') {
        const text = Array.isArray(out.text) ? out.text.join('') : (out.text ?? '');
        summary.stderr.push(`cell ${i}: ${text.trim()}`);
      }
      for (const type of Object.keys(out.data ?? {})) {
        // An HTML output counts its embedded PNGs (the notebooks show labelled image rows as HTML).
        if (type === 'text/html') {
          const html = String(out.data?.[type]);
          const n = html.match(/src="data:image\/png;base64,/g)?.length ?? 0;
          if (n > 0) summary.images['image/png'] = (summary.images['image/png'] ?? 0) + n;
        } else if (IMAGE_TYPES.includes(type)) {
          summary.images[type] = (summary.images[type] ?? 0) + 1;
        }
      }
    }
  });
  return summary;
}
