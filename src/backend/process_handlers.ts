/** The process events emscripten's Node glue listens to (and rethrows from). */
const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `start` (which instantiates an emscripten module), then removes the `uncaughtException`
 * and `unhandledRejection` listeners added while it ran.
 *
 * Emscripten's Node glue installs both and rethrows from them. Node then prints the listener's
 * source line — the whole minified module, ~38 KB — before the error, and exits with status 7
 * (an exception inside an exception handler). Without them an uncaught error prints itself and
 * exits with status 1, as in any Node program. The listeners only matter for emscripten's
 * `exit()`, which the tfjs backends never call.
 */
export async function withoutAddedProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  if (typeof process === 'undefined' || typeof process.listeners !== 'function') return start();
  type Listener = (...args: unknown[]) => void;
  const listeners = (event: (typeof EVENTS)[number]): Listener[] => process.rawListeners(event) as Listener[];
  const before = EVENTS.map((event) => new Set(listeners(event)));
  try {
    return await start();
  } finally {
    EVENTS.forEach((event, i) => {
      for (const listener of listeners(event)) {
        if (!before[i]?.has(listener)) process.removeListener(event, listener);
      }
    });
  }
}
