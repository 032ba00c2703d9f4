/**
 * One backend's upscaling: the student through gancompress (`upscale`), the teacher (ESRGAN-thick) and the student
 * again through UpscalerJS's own `Upscaler` with the exported definition; timed with `measureLatency`, scored
 * against the ground truth with `superResolutionScores`, shown side by side.
 */
import * as tf from '@tensorflow/tfjs';
import Upscaler from 'upscaler';
import {
  measureLatency,
  resizeBicubic,
  superResolutionScores,
  upscale,
  type SrPair,
  type UpscalerModel,
} from 'gancompress';
import type { StudentDefinition } from './models.js';
import type { BackendResult, Timing } from './results.js';
import { toCanvas } from './images.js';
import { el, figure, ms, yieldToPage } from './ui.js';

/** The models loaded on one backend (before any `Upscaler` registered its own layer classes). */
export interface BackendModels {
  student: UpscalerModel;
  thick: UpscalerModel;
  /** Created on first use, on this backend, and kept. */
  upscaler?: InstanceType<typeof Upscaler>;
}

/** Timed runs of each model (after the run whose output is shown, which also warms the backend up). */
const RUNS = { student: 5, teacher: 1, upscalerjs: 3 };

/**
 * Runs `fn` once and keeps its output (the first run also compiles kernels or shaders), then times `runs` more
 * with `measureLatency`.
 */
async function outputAndTiming<T extends tf.Tensor>(fn: () => T | Promise<T>, runs: number): Promise<[T, Timing]> {
  const output = await fn();
  await output.data();
  try {
    const stats = await measureLatency(fn, { warmup: 0, runs });
    return [output, { medianMs: stats.medianMs, runs: stats.runs }];
  } catch (e) {
    output.dispose();
    throw e;
  }
}

/**
 * Runs the three upscalers on `pair.lr` on the current backend (the caller set it), scores them against
 * `pair.hr`, and puts a row of pictures into `row`.
 */
export async function upscaleOnBackend(
  backend: string,
  models: BackendModels,
  definition: StudentDefinition,
  pair: SrPair,
  row: HTMLElement,
  renderer: string | undefined,
  withTeacher: boolean,
): Promise<BackendResult> {
  const [h, w] = pair.lr.shape;
  const lr = tf.expandDims<tf.Tensor4D>(pair.lr, 0);
  const outputs: tf.Tensor[] = [lr];
  try {
    const inputCanvas = await toCanvas(pair.lr, 4);
    row.replaceChildren(el('h3', null, `${backend}${renderer == null ? '' : ` (${renderer})`}`), el('div', 'cards'));
    const cards = row.querySelector('.cards') as HTMLElement;
    cards.append(figure(`input ${w}×${h}`, inputCanvas, 'shown ×4, pixels kept'));
    await yieldToPage();

    const score = (sr: tf.Tensor3D): number =>
      (superResolutionScores(sr, pair.hr, { border: 2 })[0] as { psnr: number }).psnr;
    const bicubic = tf.tidy(() => tf.squeeze<tf.Tensor3D>(resizeBicubic(lr, [h * 4, w * 4]), [0]));
    outputs.push(bicubic);
    const bicubicPsnr = score(bicubic);
    cards.append(figure('bicubic', await toCanvas(bicubic), `Y-PSNR ${bicubicPsnr.toFixed(2)} dB`));

    // The student through the library: `upscale` maps [0, 1] pixels to the ranges its definition declares.
    const [student4d, studentTime] = await outputAndTiming(() => upscale(models.student, lr), RUNS.student);
    outputs.push(student4d);
    const student = tf.squeeze<tf.Tensor3D>(student4d, [0]);
    outputs.push(student);
    const studentPsnr = score(student);
    cards.append(
      figure(
        'student (gancompress)',
        await toCanvas(student),
        ms(studentTime.medianMs),
        `Y-PSNR ${studentPsnr.toFixed(2)} dB`,
      ),
    );
    await yieldToPage();

    let teacherTime: Timing | null = null;
    let teacherPsnr: number | null = null;
    if (withTeacher) {
      const [teacher4d, time] = await outputAndTiming(() => upscale(models.thick, lr), RUNS.teacher);
      outputs.push(teacher4d);
      const teacher = tf.squeeze<tf.Tensor3D>(teacher4d, [0]);
      outputs.push(teacher);
      teacherTime = time;
      teacherPsnr = score(teacher);
      cards.append(
        figure(
          'teacher (ESRGAN-thick)',
          await toCanvas(teacher),
          ms(time.medianMs),
          `Y-PSNR ${teacherPsnr.toFixed(2)} dB`,
        ),
      );
    } else
      cards.append(
        el(
          'figure',
          'card',
          el('figcaption', 'title', 'teacher (ESRGAN-thick)'),
          'not run on this backend (?teacher=…)',
        ),
      );
    await yieldToPage();

    // The student through UpscalerJS, a client nobody here wrote: it imports the exported definition, runs its
    // setup (plain-tfjs PixelShuffle and ReflectionPad2d), loads model.json, and upscales the input canvas.
    models.upscaler ??= new Upscaler({ model: definition });
    const upscaler = models.upscaler;
    const run = (): Promise<tf.Tensor3D> => upscaler.execute(inputCanvas, { output: 'tensor' });
    const [raw, upscalerTime] = await outputAndTiming(run, RUNS.upscalerjs);
    outputs.push(raw);
    const viaUpscaler = tf.div<tf.Tensor3D>(raw, 255);
    outputs.push(viaUpscaler);
    const upscalerPsnr = score(viaUpscaler);
    const maxDiff = tf.tidy(
      () => tf.max(tf.abs(tf.sub(viaUpscaler, tf.clipByValue(student, 0, 1)))).dataSync()[0] as number,
    );
    cards.append(
      figure(
        'student via UpscalerJS',
        await toCanvas(viaUpscaler),
        ms(upscalerTime.medianMs),
        `Y-PSNR ${upscalerPsnr.toFixed(2)} dB`,
        `max |Δ| to gancompress ${maxDiff.toExponential(1)}`,
      ),
    );
    cards.append(figure(`ground truth ${w * 4}×${h * 4}`, await toCanvas(pair.hr)));

    return {
      available: true,
      backend: tf.getBackend(),
      ...(renderer == null ? {} : { renderer }),
      timings: { student: studentTime, teacher: teacherTime, upscalerjs: upscalerTime },
      psnr: { bicubic: bicubicPsnr, student: studentPsnr, teacher: teacherPsnr, upscalerjs: upscalerPsnr },
      upscalerjsMaxDiff: maxDiff,
      outputs: {
        student: (await student.data()) as Float32Array,
        upscalerjs: (await viaUpscaler.data()) as Float32Array,
      },
    };
  } finally {
    tf.dispose(outputs);
  }
}
