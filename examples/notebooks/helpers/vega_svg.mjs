// Renders a Vega-Lite spec (JSON on stdin) to SVG (stdout). A separate process because tslab runs
// notebook code as CommonJS, and vega's Node build cannot be require()d: vega-canvas has a top-level
// `await import('canvas')`. Run by plots.ts.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import * as vega from 'vega';
import * as vl from 'vega-lite';

const spec = JSON.parse(readFileSync(0, 'utf8'));
const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
process.stdout.write(await view.toSVG());
view.finalize();
