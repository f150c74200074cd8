import { PatinoxError, type RecoveryStrategy } from '@patinox/errors';

/** The native addon could not load (not built, wrong platform, blocked); `{ fallback: 'read' }` avoids it. */
export const MMAP_UNAVAILABLE = 'MMAP_UNAVAILABLE';
/** The mapped byte length is not a multiple of the element (or record) size. */
export const MMAP_ALIGNMENT_MISMATCH = 'MMAP_ALIGNMENT_MISMATCH';
/** The file offset is not a multiple of the page size. */
export const MMAP_ADDRESS_ALIGNMENT = 'MMAP_ADDRESS_ALIGNMENT';
/** A view, slice or record accessor was used after its file was closed. */
export const MMAP_CLOSED = 'MMAP_CLOSED';
/** The file shrank below the mapped range while mapped (checked mode). */
export const MMAP_FILE_TRUNCATED = 'MMAP_FILE_TRUNCATED';
/** The file is shorter than `offset + length`. */
export const MMAP_OUT_OF_RANGE = 'MMAP_OUT_OF_RANGE';
/** A write through a `'read'` mapping. */
export const MMAP_READ_ONLY = 'MMAP_READ_ONLY';
/** The range is beyond what one typed array (or the addon's 32-bit offsets) can address. */
export const MMAP_TOO_LARGE = 'MMAP_TOO_LARGE';
/** Opening, statting or reading the file failed (missing file, directory, permissions). */
export const MMAP_IO_ERROR = 'MMAP_IO_ERROR';
/** The `mmap` system call itself failed (address space or memory limits). */
export const MMAP_FAILED = 'MMAP_FAILED';

/** Every error code of `@patinox/mmap`; codes are public API, messages are not. */
export const MMAP_ERROR_CODES = Object.freeze({
  MMAP_UNAVAILABLE,
  MMAP_ALIGNMENT_MISMATCH,
  MMAP_ADDRESS_ALIGNMENT,
  MMAP_CLOSED,
  MMAP_FILE_TRUNCATED,
  MMAP_OUT_OF_RANGE,
  MMAP_READ_ONLY,
  MMAP_TOO_LARGE,
  MMAP_IO_ERROR,
  MMAP_FAILED,
} as const);

/** One of {@link MMAP_ERROR_CODES}. */
export type MmapErrorCode = (typeof MMAP_ERROR_CODES)[keyof typeof MMAP_ERROR_CODES];

/** Options shared by this package's error constructors. */
interface MappingErrorOptions {
  context?: Record<string, unknown>;
  cause?: unknown;
}

/** Base class of every error this package throws; match on `code`, not on the class. */
export class MappingError extends PatinoxError {
  declare readonly code: MmapErrorCode;

  constructor(message: string, code: MmapErrorCode, recovery: RecoveryStrategy, options: MappingErrorOptions = {}) {
    super(message, { code, recovery, context: options.context, cause: options.cause });
    this.name = new.target.name;
  }
}

/** The native mmap addon could not be loaded; the message says why. Opt into `{ fallback: 'read' }` to read instead. */
export class MappingUnavailableError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_UNAVAILABLE, 'fallback', options);
  }
}

/** The byte length does not divide into whole elements or records. */
export class MappingAlignmentError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_ALIGNMENT_MISMATCH, 'fail', options);
  }
}

/** The file offset is not page-aligned. */
export class MappingAddressAlignmentError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_ADDRESS_ALIGNMENT, 'fail', options);
  }
}

/** The mapping was closed; every view of it refuses access instead of touching released memory. */
export class MappingClosedError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_CLOSED, 'fail', options);
  }
}

/** The file is now shorter than the mapped range; touching the lost pages would have killed the process. Reopen. */
export class MappingFileTruncatedError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_FILE_TRUNCATED, 'retry', options);
  }
}

/** The requested range is not inside the file. */
export class MappingRangeError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_OUT_OF_RANGE, 'fail', options);
  }
}

/** A write was attempted through a read-only mapping. */
export class MappingReadOnlyError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_READ_ONLY, 'fail', options);
  }
}

/** The range cannot be addressed as asked (one typed array, or the addon's 32-bit file offsets). */
export class MappingTooLargeError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_TOO_LARGE, 'fallback', options);
  }
}

/** A file system call failed; `context.errno` holds the system code (`ENOENT`, `EISDIR`, `EACCES`). */
export class MappingIoError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_IO_ERROR, 'fail', options);
  }
}

/** The `mmap` call (or `madvise`, `mincore`) failed; `context.errno` is the number the addon reported. */
export class MappingFailedError extends MappingError {
  constructor(message: string, options: MappingErrorOptions = {}) {
    super(message, MMAP_FAILED, 'fail', options);
  }
}
