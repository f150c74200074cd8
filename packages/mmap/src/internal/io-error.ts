import { describeThrown } from '@patinox/errors';
import { MappingIoError } from '../errors.js';

// Node's fs errors carry the system code (ENOENT, EISDIR, …) in `code`; anything else counts as EIO.
function errnoOf(err: unknown): string {
  try {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? code : 'EIO';
  } catch {
    return 'EIO';
  }
}

/**
 * @internal A failed file system call as `MMAP_IO_ERROR`, with the system code in `context.errno`; `more` adds a
 * sentence to the message and fields to the context.
 */
export function ioError(what: string, path: string, err: unknown, more?: { note: string; context: Record<string, unknown> }): MappingIoError {
  const message = `Cannot ${what} ${JSON.stringify(path)}: ${describeThrown(err)}`;
  if (more === undefined) return new MappingIoError(message, { cause: err, context: { path, errno: errnoOf(err) } });
  return new MappingIoError(`${message}; ${more.note}`, { cause: err, context: { path, errno: errnoOf(err), ...more.context } });
}
