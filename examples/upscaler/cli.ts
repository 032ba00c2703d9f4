/**
 * The demo's command line: `npm run demo -- [options]`, parsed with node:util parseArgs. `--help` prints the usage and
 * exits 0; an unknown flag or a bad value prints what was expected and exits 2.
 */
import { parseArgs } from 'node:util';

/** What the demo was asked to do, checked. */
export interface DemoOptions {
  quick: boolean;
  teacher: 'thick' | 'medium';
  /** The MAC budget: slim's MACs (at the same input size), or a number of GMACs at a 32×32 input. */
  budget: { kind: 'slim' } | { kind: 'gmac'; gmac: number };
  /** The student's training steps (default by mode): 30 % for the supernet, the rest fine-tuning the winner. */
  steps: number | null;
  /** Search under measured wasm latency (slim's latency as the budget) instead of MACs. */
  latency: boolean;
  backend: 'wasm' | 'cpu' | 'tensorflow';
  out: string;
  seed: number;
  /** Threads for the wasm backend ('auto': all cores). */
  threads: number | 'auto';
}

export const USAGE = `Compress UpscalerJS's ESRGAN-thick ×4 into a once-for-all student, search it under a budget, export it.

Usage: npm run demo -- [options]

Options:
  --quick                 a short run (about 3 minutes on 2 cores): fewer crops, steps and candidates
  --teacher thick|medium  the teacher to distil (default thick)
  --budget slim|<GMAC>    MAC budget: slim's MACs (default) or GMACs at a 32×32 input, e.g. 0.2
  --steps N               the student's training steps: 30 % for the supernet, 70 % fine-tuning the winner
                          (default: 1000, or 80 with --quick); the ablation trains as many
  --latency               search under wasm latency measured here, slim's latency as the budget
  --backend wasm|cpu|tensorflow   tfjs backend (default wasm; tensorflow needs @tensorflow/tfjs-node)
  --threads N|auto        wasm threads (default auto: every core)
  --out DIR               where the outputs go (default demo-output)
  --seed S                seed of every random draw (default 2026)
  -h, --help              print this and exit
`;

/** Thrown for a bad command line; the message says what was expected. */
export class UsageError extends Error {}

/** Parses `argv` (without node and the script). Throws UsageError on anything it cannot take. */
export function parseDemoArgs(argv: string[]): DemoOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        teacher: { type: 'string', default: 'thick' },
        budget: { type: 'string', default: 'slim' },
        steps: { type: 'string' },
        latency: { type: 'boolean', default: false },
        backend: { type: 'string', default: 'wasm' },
        threads: { type: 'string', default: 'auto' },
        out: { type: 'string', default: 'demo-output' },
        seed: { type: 'string', default: '2026' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const teacher = v.teacher;
  if (teacher !== 'thick' && teacher !== 'medium')
    throw new UsageError(`--teacher: got '${teacher}', expected thick or medium`);
  let budget: DemoOptions['budget'];
  if (v.budget === 'slim') budget = { kind: 'slim' };
  else {
    const gmac = Number(v.budget);
    if (!/^\d*\.?\d+(e-?\d+)?$/i.test(v.budget) || !Number.isFinite(gmac) || gmac <= 0)
      throw new UsageError(`--budget: got '${v.budget}', expected 'slim' or a positive number of GMACs at 32×32`);
    budget = { kind: 'gmac', gmac };
  }
  let steps: number | null = null;
  if (v.steps != null) {
    steps = Number(v.steps);
    if (!/^\d+$/.test(v.steps) || steps < 1)
      throw new UsageError(`--steps: got '${v.steps}', expected a positive integer`);
  }
  const backend = v.backend;
  if (backend !== 'wasm' && backend !== 'cpu' && backend !== 'tensorflow')
    throw new UsageError(`--backend: got '${backend}', expected wasm, cpu or tensorflow`);
  let threads: number | 'auto' = 'auto';
  if (v.threads !== 'auto') {
    threads = Number(v.threads);
    if (!/^\d+$/.test(v.threads) || threads < 1)
      throw new UsageError(`--threads: got '${v.threads}', expected a positive integer or auto`);
  }
  if (!/^-?\d+$/.test(v.seed)) throw new UsageError(`--seed: got '${v.seed}', expected an integer`);
  if (v.out.trim() === '') throw new UsageError("--out: got '', expected a directory");
  if (v.latency && budget.kind === 'gmac')
    throw new UsageError(
      "--latency: the latency budget is slim's measured latency; it does not combine with --budget <GMAC>",
    );
  return {
    quick: v.quick,
    teacher,
    budget,
    steps,
    latency: v.latency,
    backend,
    out: v.out,
    seed: Number(v.seed),
    threads,
  };
}
