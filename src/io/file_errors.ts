import { ModelFileError } from '../util/index.js';

/** What each errno means to someone saving or loading a model, in words. */
const ERRNO_WORDS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error (a failing disk or a lost network mount)',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EBUSY: 'resource busy',
  ETXTBSY: 'file busy',
};

/** The errno code of a Node file error, or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A Node file error in words, with its code: "disk full (ENOSPC)". */
export function describeFileError(error: unknown): string {
  const code = errnoCode(error);
  if (code != null && ERRNO_WORDS[code] != null) return `${ERRNO_WORDS[code]} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return code != null && !message.includes(code) ? `${message} (${code})` : message;
}

/**
 * A {@link ModelFileError} about `path` that keeps the underlying error as `cause`. The message
 * reads `<path>: <problem>`, e.g. `out/m/model.json: cannot write: disk full (ENOSPC); ...`.
 */
export function modelFileError(path: string, problem: string, cause?: unknown): ModelFileError {
  const error = new ModelFileError(path, problem);
  if (cause !== undefined) error.cause = cause;
  return error;
}

/** `modelFileError` for a failed file call: "<path>: cannot <action>: <cause in words>[; <note>]". */
export function fileCallError(path: string, action: string, cause: unknown, note?: string): ModelFileError {
  return modelFileError(path, `cannot ${action}: ${describeFileError(cause)}${note ? `; ${note}` : ''}`, cause);
}
