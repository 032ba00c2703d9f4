/**
 * A FileOps that fails on purpose: it forwards every call to the real file system and counts the
 * calls that change the disk (mkdir, create, write, fsync, close, rename, unlink, directory fsync)
 * as steps. At step `at` it either throws an errno error without doing the step ('error'; a write
 * failing with ENOSPC first writes half its bytes, as a full disk does), or lets steps up to `at`
 * happen and then fails every later call, reads included, doing nothing ('kill': the disk is left
 * as a killed process would leave it).
 */
import type { FileOps, WritableFile } from '../../src/io/index.js';

export type Fault = { kind: 'error'; code: string; at: number } | { kind: 'kill'; at: number } | { kind: 'none' };

/** An error as Node's fs raises it. */
export function errnoError(code: string, what: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected failure, ${what}`), { code, syscall: what.split(' ')[0] });
}

export class FaultyOps {
  /** The steps taken (or attempted), in order: "rename <from> <to>", "write <file>", ... */
  readonly steps: string[] = [];
  /** Faults actually raised. */
  injected = 0;
  private dead = false;

  constructor(
    private readonly real: FileOps,
    private readonly fault: Fault,
  ) {}

  private alive(what: string): void {
    if (this.dead) throw errnoError('EKILLED', `${what} after the simulated kill`);
  }

  /** Counts a step; returns whether it must fail instead of running. */
  private async step<T>(what: string, run: () => Promise<T>, partial?: () => Promise<void>): Promise<T> {
    this.alive(what);
    this.steps.push(what);
    const n = this.steps.length;
    if (this.fault.kind === 'error' && n === this.fault.at) {
      this.injected++;
      if (partial != null && this.fault.code === 'ENOSPC') await partial();
      throw errnoError(this.fault.code, what);
    }
    const result = await run();
    if (this.fault.kind === 'kill' && n === this.fault.at) {
      this.injected++;
      this.dead = true;
    }
    return result;
  }

  ops(): FileOps {
    const real = this.real;
    if (this.fault.kind === 'kill' && this.fault.at === 0) {
      this.dead = true;
      this.injected++;
    }
    return {
      kind: async (p) => {
        this.alive(`stat ${p}`);
        return real.kind(p);
      },
      readFile: async (p) => {
        this.alive(`read ${p}`);
        return real.readFile(p);
      },
      readdir: async (d) => {
        this.alive(`readdir ${d}`);
        return real.readdir(d);
      },
      mkdir: (d) => this.step(`mkdir ${d}`, () => real.mkdir(d)),
      create: (p) =>
        this.step(`create ${p}`, async () => {
          const file = await real.create(p);
          const wrapped: WritableFile = {
            write: (data) =>
              this.step(
                `write ${p}`,
                () => file.write(data),
                () => file.write(data.subarray(0, data.length >> 1)),
              ),
            sync: () => this.step(`fsync ${p}`, () => file.sync()),
            // A kill closes nothing: the process is gone (the OS closes the descriptor).
            close: () => (this.dead ? file.close() : this.step(`close ${p}`, () => file.close())),
          };
          return wrapped;
        }),
      rename: (from, to) => this.step(`rename ${from} ${to}`, () => real.rename(from, to)),
      unlink: (p) => this.step(`unlink ${p}`, () => real.unlink(p)),
      syncDirectory: (d) => this.step(`fsync-dir ${d}`, () => real.syncDirectory(d)),
    };
  }
}
