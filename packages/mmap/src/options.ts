import type { Monitor } from '@patinox/monitor';
import type { ElementType } from './element-type.js';

/**
 * How the file is mapped: `'read'` (read-only, shared), `'readwrite'` (shared: writes reach the file and
 * every other mapping of it) or `'private'` (copy-on-write: writes stay in this process's memory).
 */
export type MappingMode = 'read' | 'readwrite' | 'private';

/** Access-pattern hints passed to `madvise`. */
export type MappingAdvice = 'normal' | 'sequential' | 'random' | 'willneed' | 'dontneed';

/**
 * Whether a windowed `'read'` file is later mapped as one piece: `'auto'` promotes ranges that got the default
 * 32 MiB windows and fit one mapping; `'never'` keeps them windowed.
 */
export type MappingPromotion = 'auto' | 'never';

/** What `open` does when the native addon cannot load: fail (`'none'`) or read the file into memory (`'read'`). */
export type MappingFallback = 'none' | 'read';

/** Options shared by {@link MappedFile.open} and {@link MappedRecords.open}. */
export interface MappingOptions<M extends MappingMode = MappingMode> {
  /** Access mode. `'read'` never hands out a writable view. @default 'read' */
  mode?: M;
  /** Where the mapping starts in the file, in bytes; must be a multiple of the page size (4096 on most systems). @default 0 */
  offset?: number;
  /** How many bytes to map, in bytes; must divide into whole elements (records). @default file size − `offset` */
  length?: number;
  /**
   * Creates the file if missing and grows it (zero-filled) to at least this many bytes before mapping; never
   * shrinks it. Only for `'readwrite'` and `'private'`. The mapping still covers `length` or the whole file.
   * The range checks (`offset`, `length`, alignment, the addon's reach) run against the grown size first, so an
   * open that fails creates no file and grows none. In bytes. @default undefined (the file must exist)
   */
  size?: number;
  /**
   * Window size, in bytes, for ranges mapped lazily in windows (a power of two from the page size to
   * 1 GiB); any range longer than it is windowed. Writable ranges up to 2 GiB − 1 page are one
   * mapping by default (so `asSlice()` can return one typed array) and use 1 GiB windows beyond. `'read'`
   * ranges use 32 MiB windows, so opening and first access of a large file never maps it all at once.
   * @default 33554432 (32 MiB) for `'read'`; 1073741824 (1 GiB) otherwise
   */
  windowBytes?: number;
  /**
   * Re-checks the file size (fstat) whenever a window is mapped and raises `MMAP_FILE_TRUNCATED` instead of
   * letting a shrunk file kill the process. @default true for windowed ranges, false otherwise
   */
  checked?: boolean;
  /** Initial `madvise` hint for every window. @default 'normal' */
  advice?: MappingAdvice;
  /**
   * With `'read'`, a missing native addon makes `open` read the range into memory (same API, read-only;
   * `mode` must be `'read'`) instead of failing with `MMAP_UNAVAILABLE`. @default 'none'
   */
  fallback?: MappingFallback;
  /** Receives lifecycle events (`mmap.opened`, `mmap.window.mapped`, `mmap.promoted`, `mmap.promote.failed`, `mmap.truncated`, `mmap.closed`, `mmap.fallback`; see `MMAP_EVENTS`). @default noopMonitor */
  monitor?: Monitor;
  /** Name used as event source and metric label. @default the path */
  name?: string;
  /**
   * Loads the native addon; returns the `@riaskov/mmap-io` module (or a promise of it). For bundlers that
   * ship the addon elsewhere, and for tests. @default a lazy `import('@riaskov/mmap-io')`
   */
  loadBinding?: () => unknown;
}

/** Options of {@link MappedFile.open}. */
export interface MappedFileOptions<T extends ElementType = ElementType, M extends MappingMode = MappingMode> extends MappingOptions<M> {
  /** Element type of the view (`'u32'`, `'f64'`, `'i64'`, …). Required. */
  type: T;
  /**
   * Promotion of a `'read'` range that the default 32 MiB windows split (ranges up to 2 GiB − 1 page; never
   * with an explicit `windowBytes`, in fallback mode or for {@link MappedRecords}): open and first access stay
   * lazy and windowed, then one mapping of the whole range replaces the windows on a later turn of the event
   * loop, and `get` reads that mapping at about the speed of a single-mapping `get`. In `checked` mode (the
   * default for windowed ranges) that happens once every window has been mapped, so no size check is lost; with
   * `checked: false`, on the turn after `open`. V8 answers the new mapping with a garbage collection cycle on
   * the event loop (a few ms for 1 GiB; see the README): `'never'` keeps the file windowed, for services that
   * open many large files and cannot take that pause. @default 'auto'
   */
  promote?: MappingPromotion;
}

/** Field types of a record schema, in declaration order: `{ id: 'u32', price: 'f64' }`. */
export type RecordSchema = Readonly<Record<string, ElementType>>;

/** Options of {@link MappedRecords.open}. */
export interface MappedRecordsOptions<S extends RecordSchema = RecordSchema, M extends MappingMode = MappingMode> extends MappingOptions<M> {
  /**
   * Field names and types, in file order. Names that are array indexes (`'0'`, `'2'`) are refused: JavaScript
   * lists them before every other key, whatever the declaration order. Required.
   */
  schema: S;
  /** Lays fields out back to back with no alignment padding. @default false (C-like natural alignment) */
  packed?: boolean;
}

/** Options of {@link RecordWriter.open}. */
export interface RecordWriterOptions<S extends RecordSchema = RecordSchema> {
  /** Field names and types, in file order; must match the readers' schema. Required. */
  schema: S;
  /** Same meaning as {@link MappedRecordsOptions.packed}. @default false */
  packed?: boolean;
  /** Records buffered in memory before a write to the file, in records; the buffer must fit one write (2^31 − 1 bytes). @default 1024 */
  bufferRecords?: number;
  /** Receives `mmap.writer.opened` / `mmap.writer.closed`. @default noopMonitor */
  monitor?: Monitor;
  /** Name used as event source. @default the path */
  name?: string;
}
