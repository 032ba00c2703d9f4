/**
 * `npm run demo -- --quick` end to end, as a user runs it (a child process on the wasm backend): every output exists;
 * the exported student loads with plain tfjs plus the library's layer registrations, and with nothing but the
 * layers its UpscalerJS definition registers; and the report's numbers for the student agree with recomputing them
 * from the saved files. The CLI refuses bad flags with status 2 and prints usage for --help.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import {
  centreCrop,
  countMacs,
  countParams,
  evaluateUpscaler,
  fileSystem,
  initBackend,
  superResolutionPair,
} from '../../src/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'gancompress-demo-'));
const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const run = (args: string[]) =>
  spawnSync(process.execPath, [tsx, join(ROOT, 'examples', 'upscaler', 'main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });

interface Row {
  name: string;
  gmacs: number | null;
  params: number | null;
  psnr: number;
  ssim: number;
  perImage: number[];
}

describe('npm run demo -- --quick', () => {
  let report: { rows: Row[]; timings: Record<string, number> };
  let stdout = '';
  beforeAll(() => {
    const r = run(['--quick', '--out', out]);
    stdout = r.stdout;
    if (r.status !== 0) throw new Error(`demo exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as typeof report;
  }, 900_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes the report, the pictures and the student with its UpscalerJS definition', () => {
    for (const f of [
      'report.md',
      'report.json',
      'comparison.png',
      'pareto.png',
      'loss.png',
      'student/model.json',
      'student/model-definition.js',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    for (const f of ['comparison.png', 'pareto.png', 'loss.png']) {
      const png = PNG.sync.read(readFileSync(join(out, f)));
      expect(png.width, f).toBeGreaterThan(300);
    }
    expect(report.rows.map((r) => r.name)).toEqual([
      'bicubic',
      'esrgan-slim',
      'esrgan-medium',
      'esrgan-thick (teacher)',
      'student (searched, distilled)',
      'student supernet, largest config',
      'searched config, no teacher (ablation)',
    ]);
    // Plain lines when stdout is not a terminal.
    expect(stdout).toMatch(/supernet \(distil\): \d+\/\d+/);
  });

  it("the saved student loads and scores what the report says; its MACs are within slim's", async () => {
    await initBackend('cpu');
    const student = await tfl.loadLayersModel(fileSystem(join(out, 'student')));
    const row = report.rows.find((r) => r.name.startsWith('student (searched')) as Row;
    const slim = report.rows.find((r) => r.name === 'esrgan-slim') as Row;
    expect(countMacs(student, [1, 32, 32, 3]).total / 1e9).toBeCloseTo(row.gmacs as number, 4);
    expect(row.gmacs as number).toBeLessThanOrEqual(slim.gmacs as number);
    expect(countParams(student)).toBe(row.params);
    // The test images as the demo makes them (split.json, 128² centre crops in --quick).
    const split = JSON.parse(readFileSync(join(ROOT, 'data', 'images', 'split.json'), 'utf8')) as { test: string[] };
    const pairs = split.test.map((name) =>
      tf.tidy(() => {
        const png = PNG.sync.read(readFileSync(join(ROOT, 'data', 'images', `${name}.png`)));
        const rgb = new Float32Array(png.width * png.height * 3);
        for (let p = 0; p < png.width * png.height; p++)
          for (let c = 0; c < 3; c++) rgb[3 * p + c] = (png.data[4 * p + c] as number) / 255;
        return superResolutionPair(
          centreCrop(tf.tensor3d(rgb, [png.height, png.width, 3]), 128),
          4,
        ) as unknown as tf.TensorContainer;
      }),
    ) as unknown as ReturnType<typeof superResolutionPair>[];
    const scores = evaluateUpscaler((lr) => student.apply(lr) as tf.Tensor4D, pairs);
    // The demo scored on wasm, this on cpu: the same to float32 rounding of the 8-bit levels.
    expect(scores.psnr).toBeCloseTo(row.psnr, 2);
    scores.images.forEach((s, i) => expect(s.psnr).toBeCloseTo(row.perImage[i] as number, 2));
    expect(scores.ssim).toBeCloseTo(row.ssim, 3);
    student.dispose();
    pairs.forEach((p) => tf.dispose([p.lr, p.hr]));
  });

  it("loads through its UpscalerJS definition's setup(tf) alone (plain tfjs, no gancompress) to the same output", async () => {
    const child = spawnSync(
      process.execPath,
      [join(import.meta.dirname, 'definition_child.mjs'), join(out, 'student')],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    if (child.status !== 0) throw new Error(`definition_child.mjs failed:\n${child.stderr}`);
    const theirs = JSON.parse(child.stdout) as { shape: number[]; values: number[]; scale: number };
    expect(theirs.scale).toBe(4);
    await initBackend('cpu');
    const ours = await tfl.loadLayersModel(fileSystem(join(out, 'student')));
    const x = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 1);
    const expected = ours.predict(x) as tf.Tensor;
    expect(theirs.shape).toEqual(expected.shape);
    expect(theirs.values).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, expected]);
  });
});

describe('the demo CLI', () => {
  it('prints usage for --help and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: npm run demo -- \[options\]/);
  });
  it.each([
    [['--budget', 'lots'], /--budget: got 'lots'/],
    [['--steps', '0'], /--steps: got '0'/],
    [['--teacher', 'huge'], /--teacher: got 'huge'/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--latency', '--budget', '0.2'], /--latency/],
  ])('%s exits 2 with what was expected', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Usage:/);
  });
});
