/** report.md and report.json of a demo run. */
import { join } from 'node:path';
import { writeFileAtomic, type SubnetConfig } from '../../src/index.js';

/** One model of the comparison. */
export interface ReportRow {
  name: string;
  /** GMACs at a 32×32 input (countMacs, torchprofile); null for bicubic. */
  gmacs: number | null;
  params: number | null;
  /** Mean Y-PSNR (dB) and SSIM against the ground truth on the held-out test images. */
  psnr: number;
  ssim: number;
  /** Mean Y-PSNR against ESRGAN-thick's outputs. */
  psnrToThick: number;
  /** Mean Y-PSNR on the validation images (what the search scored). */
  validationPsnr: number;
  /** Median latency at a 64×64 input on the run's backend (ms). */
  latencyMs: number;
  /** Y-PSNR per test image. */
  perImage: number[];
}

export interface DemoReport {
  machine: string;
  options: Record<string, unknown>;
  budget: { value: number; unit: string; slimGmacs: number };
  searched: { config: SubnetConfig; describe: string; validationPsnr: number; cost: number };
  rows: ReportRow[];
  /** Seconds per stage. */
  timings: Record<string, number>;
  /** Sub-networks the search evaluated. */
  evaluated: number;
}

const f = (v: number | null, digits: number): string => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(digits));

/** Writes report.json (everything) and report.md (the tables) into `dir`, atomically. */
export async function writeReport(dir: string, report: DemoReport): Promise<void> {
  await writeFileAtomic(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const thick = report.rows.find((r) => r.name.startsWith('esrgan-thick'));
  const lines = [
    '# Compressing ESRGAN-thick ×4',
    '',
    `Machine: ${report.machine}. Budget: ${report.budget.value.toPrecision(4)} ${report.budget.unit} (slim: ${report.budget.slimGmacs} GMAC at 32×32). ` +
      `Searched sub-network: ${report.searched.describe} (${report.evaluated} evaluated).`,
    '',
    '| model | GMAC (32×32) | parameters | Y-PSNR (dB) | SSIM | Y-PSNR vs thick (dB) | latency 64×64 (ms) | speed-up vs thick |',
    '|---|---|---|---|---|---|---|---|',
    ...report.rows.map((r) =>
      [
        r.name,
        f(r.gmacs, 3),
        r.params == null ? '—' : r.params.toLocaleString('en-US'),
        f(r.psnr, 2),
        f(r.ssim, 4),
        f(r.psnrToThick, 2),
        f(r.latencyMs, 1),
        thick == null ? '—' : `${(thick.latencyMs / r.latencyMs).toFixed(1)}×`,
      ]
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |'),
    ),
    '',
    'Y-PSNR and SSIM: BT.601 Y channel, 2-pixel border, outputs rounded to 8 bits, mean over the held-out test images ' +
      '(never seen in training or search); low resolution by antialiased bicubic ×4 (PIL). MACs by countMacs (torchprofile).',
    '',
    '| stage | seconds |',
    '|---|---|',
    ...Object.entries(report.timings).map(([k, v]) => `| ${k} | ${v.toFixed(1)} |`),
    `| total | ${Object.values(report.timings)
      .reduce((a, b) => a + b, 0)
      .toFixed(1)} |`,
    '',
  ];
  await writeFileAtomic(join(dir, 'report.md'), lines.join('\n'));
}
