import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Each case runs tests/backend/scripts/uncaught_error.ts in its own Node process: what an
// uncaught error does to a process cannot be observed from inside it.
const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, 'scripts', 'uncaught_error.ts');

function run(setup: 'init1' | 'init2' | 'tfjs', ending: 'throw' | 'reject' | 'exit') {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, setup, ending], {
    cwd: join(here, '..', '..'),
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

describe('process handlers after initBackend("wasm")', () => {
  it.each(['init1', 'init2'] as const)(
    '%s: an uncaught error prints itself (not the backend source) and exits with status 1',
    (setup) => {
      const r = run(setup, 'throw');
      expect(r.stdout).toContain('ready wasm 3');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('Error: boom from the user program');
      expect(r.stderr).not.toContain('WasmBackendModule');
      expect(r.stderr.length).toBeLessThan(4000);
    },
  );

  it('an unhandled rejection exits with status 1 and prints the rejection', () => {
    const r = run('init2', 'reject');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error: rejected in the user program');
    expect(r.stderr).not.toContain('WasmBackendModule');
  });

  it('a program on the threaded backend exits by itself when it finishes', () => {
    const r = run('init2', 'exit');
    expect(r.signal).toBeNull(); // not killed by the timeout: the XNNPACK workers do not hold Node open
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ready wasm 3');
  });

  it("tfjs's own initialisation, for contrast, dumps its minified glue and exits with status 7", () => {
    const r = run('tfjs', 'throw');
    expect(r.status).toBe(7);
    expect(r.stderr).toContain('WasmBackendModule');
    expect(r.stderr.length).toBeGreaterThan(30_000);
  });
});
