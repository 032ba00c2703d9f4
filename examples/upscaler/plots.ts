/** The demo's plots: Vega-Lite specs rendered to SVG by vega in Node, then to PNG by resvg. */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { writeFileAtomic } from '../../src/index.js';

async function render(spec: vl.TopLevelSpec, file: string): Promise<void> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
  await writeFileAtomic(file, png);
}

/** One evaluated point of the search, or an anchor model. */
export interface ParetoPoint {
  gmacs: number;
  psnr: number;
  /** 'searched config', 'chosen', or an anchor's name (slim, medium, thick, bicubic). */
  kind: string;
  label?: string;
}

/** MACs against PSNR of every evaluated config, with the anchors marked and the budget as a rule. */
export async function paretoPlot(
  points: ParetoPoint[],
  budgetGmacs: number | null,
  file: string,
  title: string,
): Promise<void> {
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: 'point', filled: true, opacity: 0.5, size: 30 },
      transform: [{ filter: "datum.kind === 'searched config'" }],
      encoding: { color: { value: '#4c78a8' } },
    },
    {
      mark: { type: 'point', filled: true, size: 140, shape: 'diamond' },
      transform: [{ filter: "datum.kind !== 'searched config'" }],
      encoding: { color: { field: 'kind', type: 'nominal', title: null, legend: { orient: 'bottom-right' } } },
    },
    {
      mark: { type: 'text', dx: 8, align: 'left', fontSize: 11 },
      transform: [{ filter: "datum.kind !== 'searched config'" }],
      encoding: { text: { field: 'label' } },
    },
  ];
  if (budgetGmacs != null) {
    layers.push({
      data: { values: [{ budget: budgetGmacs }] },
      mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
      encoding: { x: { field: 'budget', type: 'quantitative' } },
    });
  }
  await render(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title,
      width: 560,
      height: 360,
      data: { values: points.map((p) => ({ ...p, label: p.label ?? p.kind })) },
      encoding: {
        x: { field: 'gmacs', type: 'quantitative', title: 'GMACs at a 32×32 input', scale: { type: 'log' } },
        y: { field: 'psnr', type: 'quantitative', title: 'Y-PSNR (dB)', scale: { zero: false } },
      },
      layer: layers,
    } as unknown as vl.TopLevelSpec,
    file,
  );
}

/** One logged value of a training curve. */
export interface CurvePoint {
  step: number;
  value: number;
  series: string;
  stage: string;
}

/** Training curves, one panel per stage. */
export async function lossPlot(points: CurvePoint[], file: string, title: string): Promise<void> {
  await render(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title,
      data: { values: points },
      // Stages in the order they ran (Vega-Lite sorts facets by name otherwise).
      facet: { row: { field: 'stage', type: 'nominal', title: null, sort: [...new Set(points.map((p) => p.stage))] } },
      spec: {
        width: 560,
        height: 200,
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative', title: 'loss', scale: { type: 'log' } },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
      resolve: { scale: { x: 'independent', y: 'independent' } },
    } as unknown as vl.TopLevelSpec,
    file,
  );
}
