import { modelFileError } from './file_errors.js';
import type { NodeParts } from './file_ops.js';

/**
 * The model.json field in which `fileSystem()` records SHA-256 digests of what it saved. Loaders
 * that do not know it (tfjs-node, the Python converter) ignore unknown top-level fields.
 */
export const INTEGRITY_KEY = 'gancompressIntegrity';

/** The record itself: the digest of model.json without this field, and of each weights file. */
export interface IntegrityRecord {
  version: 1;
  algorithm: 'sha256';
  /** Digest of `JSON.stringify(modelJson)` with the integrity field left out. */
  modelJson: string;
  /** Digest of each weights file, by the path the manifest lists it under. */
  files: Record<string, string>;
}

/** Hex SHA-256 of bytes or of a string's UTF-8 encoding. */
export function sha256Hex(crypto: NodeParts['crypto'], data: Uint8Array | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * model.json's text with an integrity record appended. The digest covers the text
 * `JSON.stringify` gives for the object without the record, which is also what a loader gets back
 * by parsing the file, removing the record and stringifying again: JSON numbers, strings and key
 * order survive that round trip unchanged.
 */
export function sealModelJson(
  crypto: NodeParts['crypto'],
  modelJson: Record<string, unknown>,
  files: Record<string, string>,
): string {
  const record: IntegrityRecord = {
    version: 1,
    algorithm: 'sha256',
    modelJson: sha256Hex(crypto, JSON.stringify(modelJson)),
    files,
  };
  return JSON.stringify({ ...modelJson, [INTEGRITY_KEY]: record });
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Verifies a parsed model.json against its integrity record and returns the record, or null when
 * the file has none (written by tfjs-node, the converter or an older version: nothing to verify).
 * A record that is malformed, of an unknown version, or that does not match refuses the file.
 */
export function verifyModelJson(
  crypto: NodeParts['crypto'],
  jsonPath: string,
  parsed: Record<string, unknown>,
): IntegrityRecord | null {
  if (!Object.prototype.hasOwnProperty.call(parsed, INTEGRITY_KEY)) return null;
  const { [INTEGRITY_KEY]: record, ...rest } = parsed;
  const r = record as Partial<IntegrityRecord> | null;
  const files = r?.files as unknown;
  if (
    r == null ||
    typeof r !== 'object' ||
    r.version !== 1 ||
    r.algorithm !== 'sha256' ||
    typeof r.modelJson !== 'string' ||
    !HEX64.test(r.modelJson) ||
    files == null ||
    typeof files !== 'object' ||
    Array.isArray(files) ||
    !Object.values(files).every((d) => typeof d === 'string' && HEX64.test(d))
  ) {
    throw modelFileError(
      jsonPath,
      `malformed ${INTEGRITY_KEY} record (expected version 1, algorithm 'sha256', the hex digests of ` +
        'model.json and of each weights file): the file is corrupted or was written by a newer version',
    );
  }
  if (sha256Hex(crypto, JSON.stringify(rest)) !== r.modelJson) {
    throw modelFileError(
      jsonPath,
      'does not match the SHA-256 digest recorded when it was saved: the file was modified or corrupted ' +
        `after saving (to accept an edited file on purpose, delete its ${INTEGRITY_KEY} field)`,
    );
  }
  return r as IntegrityRecord;
}

/** Refuses a weights file whose bytes differ from the digest the integrity record holds for it. */
export function verifyWeightsFile(
  crypto: NodeParts['crypto'],
  record: IntegrityRecord,
  file: string,
  listedAs: string,
  jsonPath: string,
  bytes: Uint8Array,
): void {
  const expected = record.files[listedAs];
  if (expected == null) {
    throw modelFileError(
      jsonPath,
      `the weights file '${listedAs}' is not covered by the ${INTEGRITY_KEY} record (it lists ` +
        `${Object.keys(record.files).join(', ') || 'no files'}): the file is corrupted`,
    );
  }
  if (sha256Hex(crypto, bytes) !== expected) {
    throw modelFileError(
      file,
      `does not match the SHA-256 digest recorded in ${jsonPath} when it was saved: the weights were ` +
        'modified or corrupted after saving',
    );
  }
}
