import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Child processes a benchmark alternates between: tfjs processes (one per wasm thread count,
 * which is fixed per process) talking over IPC, and a PyTorch process talking JSON lines.
 */

/** A process that answers `{ case, minTotalMs }` requests with milliseconds. */
export interface Timer {
  /** What it is, for table notes. */
  readonly label: string;
  time(caseName: string, minTotalMs: number): Promise<number>;
  close(): void;
}

/** Starts `script` (TypeScript, run through tsx) with `args`; resolves when it reports ready. */
export async function forkTimer(
  script: string,
  args: string[],
  label: (ready: Record<string, unknown>) => string,
): Promise<Timer> {
  const child = fork(script, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (ms: number) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let onReady: ((info: Record<string, unknown>) => void) | null = null;
  let exited: Error | null = null;
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    onReady = resolve;
    child.once('error', reject);
    child.once('exit', (code) => {
      exited = new Error(`${script} ${args.join(' ')} exited with ${code}`);
      reject(exited);
      for (const w of pending.values()) w.reject(exited);
      pending.clear();
    });
  });
  child.on('message', (m: Record<string, unknown>) => {
    if (m['ready'] === true) return onReady?.(m);
    const waiter = pending.get(m['id'] as number);
    pending.delete(m['id'] as number);
    if (typeof m['ms'] === 'number') waiter?.resolve(m['ms']);
    else waiter?.reject(new Error(`${script}: ${String(m['error'])}`));
  });
  const info = await ready;
  return {
    label: label(info),
    time: (caseName, minTotalMs) =>
      new Promise((resolve, reject) => {
        if (exited != null) return reject(exited);
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, case: caseName, minTotalMs });
      }),
    close: () => void child.kill(),
  };
}

/** Whether `python` can import torch (Debian's python3-torch under /usr/bin/python3). */
export function hasTorch(python: string): boolean {
  const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0;
}

/** Starts the PyTorch timing script in its JSON-lines mode; resolves when it reports ready. */
export async function torchTimer(python: string, script: string, args: string[]): Promise<Timer> {
  const child: ChildProcess = spawn(python, [script, '--serve', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiters: { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | null = null;
  child.once('exit', (code) => {
    exited = new Error(`${script} exited with ${code}`);
    for (const w of waiters.splice(0)) w.reject(exited);
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
    waiters.shift()?.resolve(JSON.parse(line) as Record<string, unknown>),
  );
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => (exited != null ? reject(exited) : waiters.push({ resolve, reject })));
  const info = await next();
  return {
    label: `PyTorch ${String(info['torch'])} (${String(info['threads'])} threads)`,
    time: async (caseName, minTotalMs) => {
      const reply = next();
      child.stdin?.write(`${JSON.stringify({ case: caseName, minMs: minTotalMs })}\n`);
      const r = await reply;
      if (typeof r['ms'] !== 'number') throw new Error(`${script}: ${String(r['error'])}`);
      return r['ms'];
    },
    close: () => {
      child.stdin?.end();
      child.kill();
    },
  };
}
