import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '../io/index.js';
import { ConfigError, ModelFileError, describeValue, importOptional, isNode } from '../util/index.js';

/** The measured latency of one layer call (one input shape, one setting) on one device. */
export interface LatencyEntry {
  medianMs: number;
  meanMs: number;
  /** Timed runs. */
  runs: number;
  /** Calls per timed run (fast calls are repeated and the time divided). */
  reps?: number;
}

/** A whole-network measurement next to the table's prediction for the same sub-network. */
export interface LatencyCheck {
  /** The sub-network, as its dimension values. */
  values: Record<string, number>;
  /** The sum of its layer calls' table entries. */
  sumMs: number;
  /** `sumMs` times the table's scale. */
  predictedMs: number;
  measuredMs: number;
  /** `predictedMs / measuredMs − 1`. */
  error: number;
}

/**
 * One device's per-layer latency table (OFA's lookup table, measured on the current backend): the
 * median time of each layer call, keyed by the layer's class and configuration, its input shapes
 * and its setting — so identical layers (the blocks of a ResNet) share entries.
 */
export interface LatencyTable {
  backend: string;
  device: string;
  /** The model's input shapes the table was measured at. */
  inputShapes: number[][];
  entries: Record<string, LatencyEntry>;
  /** The last whole-network checks of the table's predictions. */
  checks: LatencyCheck[];
  /** The factor the last run applied to the sums (see `LatencyCostOptions.calibrate`). */
  scale?: number;
}

/** A file of latency tables, one per key `backend | device | input shapes`. */
export interface LatencyTableFile {
  format: 'gancompress.latency-tables';
  version: 1;
  tables: Record<string, LatencyTable>;
}

/** The key of a table: backend, device and input shapes. */
export function tableKey(backend: string, device: string, inputShapes: number[][]): string {
  return `${backend} | ${device} | ${JSON.stringify(inputShapes)}`;
}

/** An empty file of tables. */
export function emptyTables(): LatencyTableFile {
  return { format: 'gancompress.latency-tables', version: 1, tables: {} };
}

const isRecord = (x: unknown): x is Record<string, unknown> => x != null && typeof x === 'object' && !Array.isArray(x);

/** Checks a file of tables (from JSON); `where` names its source in errors. Returns it typed. */
export function checkTables(json: unknown, where: string): LatencyTableFile {
  const fail = (problem: string): never => {
    throw new ConfigError(
      where,
      json,
      `a latency-table file ({ format: 'gancompress.latency-tables', ... }): ${problem}`,
    );
  };
  if (!isRecord(json)) return fail('not an object');
  if (json['format'] !== 'gancompress.latency-tables') return fail(`format is ${describeValue(json['format'])}`);
  if (json['version'] !== 1) return fail(`version is ${describeValue(json['version'])}, expected 1`);
  const tables = json['tables'];
  if (!isRecord(tables)) return fail('tables is not an object');
  for (const [key, table] of Object.entries(tables)) {
    if (!isRecord(table) || !isRecord(table['entries']) || typeof table['backend'] !== 'string')
      return fail(`table '${key}' has no backend or entries`);
    for (const [sig, e] of Object.entries(table['entries']))
      if (!isRecord(e) || typeof e['medianMs'] !== 'number' || !Number.isFinite(e['medianMs']) || e['medianMs'] < 0)
        return fail(`entry '${sig}' of table '${key}' has no finite medianMs >= 0`);
  }
  return json as unknown as LatencyTableFile;
}

/** Reads a file of tables (Node); a missing file is an empty one, a malformed one a `ModelFileError`. */
export async function readTables(path: string): Promise<LatencyTableFile> {
  const fs = await importOptional<typeof import('node:fs/promises')>('node:fs/promises');
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return emptyTables();
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(path, `not JSON (${(e as Error).message}); delete it to measure again`);
  }
  try {
    return checkTables(json, path);
  } catch (e) {
    throw new ModelFileError(path, (e as Error).message);
  }
}

/** Writes a file of tables atomically (io's `writeFileAtomic`): a reader sees the old tables or the new ones. */
export async function writeTables(path: string, tables: LatencyTableFile): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(tables, null, 1));
}

/** A description of this machine for table keys: CPU model and count, OS (Node); the user agent (browsers). */
export async function deviceString(): Promise<string> {
  if (isNode()) {
    const os = await importOptional<typeof import('node:os')>('node:os');
    const cpus = os.cpus();
    return `${cpus[0]?.model.trim() ?? 'unknown cpu'} x${cpus.length}, ${os.platform()} ${os.arch()}`;
  }
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  return nav?.userAgent != null ? `${nav.userAgent} (${nav.hardwareConcurrency ?? '?'} threads)` : 'unknown device';
}

/** The current backend's name (throws when none is set). */
export function currentBackend(): string {
  const name = tf.getBackend();
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('backend', name, "a tfjs backend set before measuring (await initBackend('wasm'))");
  return name;
}
