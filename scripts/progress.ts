/**
 * Progress per stage: a cli-progress bar on a terminal, plain lines (at most one per 10 % or per 15 s) otherwise, so
 * logs of CI runs stay readable.
 */
import cliProgress from 'cli-progress';

/** One stage's progress. */
export interface StageProgress {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

/** Starts a stage of `total` units, labelled `name`, writing to stdout. */
export function stage(name: string, total: number, stream: NodeJS.WriteStream = process.stdout): StageProgress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${name.padEnd(22)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted} | {detail}`,
        hideCursor: true,
        stream,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    return {
      update: (done, detail = '') => bar.update(done, { detail }),
      finish: (detail = '') => {
        bar.update(total, { detail });
        bar.stop();
      },
    };
  }
  const start = Date.now();
  let lastTenth = -1;
  let lastTime = start;
  const line = (done: number, detail: string): void => {
    const s = ((Date.now() - start) / 1000).toFixed(1);
    stream.write(`${name}: ${done}/${total} (${s} s)${detail === '' ? '' : ` ${detail}`}\n`);
  };
  return {
    update: (done, detail = '') => {
      const tenth = Math.floor((10 * done) / Math.max(total, 1));
      if (tenth > lastTenth || Date.now() - lastTime > 15_000) {
        lastTenth = tenth;
        lastTime = Date.now();
        line(done, detail);
      }
    },
    finish: (detail = '') => line(total, detail === '' ? 'done' : detail),
  };
}
