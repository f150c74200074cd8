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

/** @internal A failed file system call as `MMAP_IO_ERROR`, with the system code in `context.errno`. */
export function ioError(what: string, path: string, err: unknown): MappingIoError {
  return new MappingIoError(`Cannot ${what} ${JSON.stringify(path)}: ${describeThrown(err)}`, { cause: err, context: { path, errno: errnoOf(err) } });
}
