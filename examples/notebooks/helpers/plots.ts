/**
 * Plots for the notebooks: Vega-Lite specs rendered to SVG for `tslab.display.svg`. The rendering runs
 * in a child node process (vega_svg.mjs, next to this file), since vega cannot be loaded into
 * tslab's CommonJS cells; it takes about a second per plot.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The renderer script. Notebooks run with examples/notebooks as the working directory. */
const RENDERER = resolve('helpers', 'vega_svg.mjs');

/** A Vega-Lite spec (https://vega.github.io/vega-lite/) as SVG text. */
export function vegaLiteSvg(spec: Record<string, unknown>): string {
  return execFileSync(process.execPath, [RENDERER], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    maxBuffer: 32 * 1024 * 1024,
  });
}
