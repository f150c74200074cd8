import { expectOneOf, optional, readKnownOptions } from '@patinox/errors';
import type { HealthCheck, MetricSnapshot } from '@patinox/monitor';
import { ELEMENT_TYPES, ELEMENT_INFO, type ElementType, type TypedArrayOf } from './element-type.js';
import { MappingTooLargeError } from './errors.js';
import { mappingHealthCheck } from './internal/health.js';
import type { MappingCore } from './internal/mapping-core.js';
import { MAPPING_OPTION_KEYS, openCore } from './internal/open-core.js';
import { TypedWindows } from './internal/typed-windows.js';
import { createSlice, type MappedSlice, type ReadonlyMappedSlice } from './mapped-slice.js';
import type { MappedFileOptions, MappingAdvice, MappingMode, MappingPromotion } from './options.js';

const PROMOTIONS: readonly MappingPromotion[] = ['auto', 'never'];
const FILE_OPTION_KEYS = [...MAPPING_OPTION_KEYS, 'type', 'promote'] as const;

/** What `asMappedSlice()` returns for mode `M`: no setter in `'read'` mode. */
export type SliceFor<T extends ElementType, M extends MappingMode> = M extends 'read' ? ReadonlyMappedSlice<T> : MappedSlice<T>;

/** What `asSlice()` returns for mode `M`: the raw typed array for writable modes, a read-only slice for `'read'`. */
export type ArrayFor<T extends ElementType, M extends MappingMode> = M extends 'read' ? ReadonlyMappedSlice<T> : TypedArrayOf<T>;

/** Page residency of a mapping, from `mincore`. */
export interface IncoreReport {
  /** Pages of the mapped windows that are in RAM. */
  residentPages: number;
  /** Pages of the mapped windows (windows not touched yet are not counted). */
  totalPages: number;
}

const FILE_KEY: unique symbol = Symbol('MappedFile');

/**
 * A file (or a page-aligned range of it) mapped into memory as elements of one type, with every access
 * bounds-checked and every crash of raw mmap (SIGBUS past EOF, SIGSEGV on a read-only page) made impossible
 * through this API. `'read'` ranges over 32 MiB and writable ranges over 2 GiB − 1 page are mapped lazily in
 * windows; empty files give an empty view without mmap.
 *
 * @example
 * ```ts
 * const file = await MappedFile.open('table.u32', { type: 'u32' });
 * const table = file.asMappedSlice();
 * console.log(table.length, table.get(0));
 * file.close();
 * ```
 * @throws MappingIoError, MappingRangeError, MappingAlignmentError, MappingAddressAlignmentError,
 * MappingTooLargeError, MappingUnavailableError, MappingFailedError from `open`.
 */
export class MappedFile<T extends ElementType = ElementType, M extends MappingMode = MappingMode> implements Disposable, AsyncDisposable {
  /** Element type of the view. */
  readonly type: T;
  readonly #core: MappingCore;
  readonly #tw: TypedWindows;
  #slice: MappedSlice<T> | undefined;

  /** @internal Use `MappedFile.open`. */
  constructor(key: typeof FILE_KEY, core: MappingCore, type: T) {
    if (key !== FILE_KEY) throw new TypeError('MappedFile is created by MappedFile.open(), not with new');
    this.type = type;
    this.#core = core;
    this.#tw = new TypedWindows(core, type);
    core.startPromotion();
  }

  /**
   * Opens and maps `path` (or `offset`/`length` of it) as elements of `options.type`.
   * Resolves once the range is validated and mapped (windowed ranges map each window on first access).
   */
  static async open<T extends ElementType, M extends MappingMode = 'read'>(path: string, fileOptions: MappedFileOptions<T, M>): Promise<MappedFile<T, M>> {
    // Read once: each getter runs one time, and a bag that throws when read is a TypeError naming it.
    const options = readKnownOptions('options', fileOptions, FILE_OPTION_KEYS) as MappedFileOptions<T, M>;
    const type = expectOneOf('type', options.type, ELEMENT_TYPES) as T;
    const promote = optional('promote', options.promote, (n, v) => expectOneOf(n, v, PROMOTIONS), 'auto');
    const core = await openCore(path, options, ELEMENT_INFO[type].bytes, 0, promote);
    try {
      // Adopting a live whole mapping at once (unchecked promotion) can fail: the open range is closed, not leaked.
      return new MappedFile<T, M>(FILE_KEY, core, type);
    } catch (err) {
      core.close();
      throw err;
    }
  }

  /** The path given to `open`. */
  get path(): string {
    return this.#core.path;
  }

  /** The mapping mode. */
  get mode(): M {
    return this.#core.mode as M;
  }

  /** Where the range starts in the file, in bytes. */
  get byteOffset(): number {
    return this.#core.fileOffset;
  }

  /** Length of the range, in bytes. */
  get byteLength(): number {
    return this.#core.byteLength;
  }

  /** Number of elements. */
  get length(): number {
    return this.#tw.length;
  }

  /** True when the range is mapped in several windows (then `asSlice()` is unavailable for writable modes). */
  get isWindowed(): boolean {
    return this.#core.windowed;
  }

  /**
   * True once a windowed `'read'` range has been promoted to one mapping (see the `promote` option); its
   * `get` then reads that mapping. `isWindowed` and `windowCount` keep describing the range as opened.
   */
  get isPromoted(): boolean {
    return this.#core.promoted !== undefined;
  }

  /** Number of windows (0 for an empty file, 1 when not windowed). */
  get windowCount(): number {
    return this.#core.windowCount;
  }

  /** True when the addon could not load and the range was read into memory (`fallback: 'read'`). */
  get isFallback(): boolean {
    return this.#core.isFallback;
  }

  /** True when window faults re-check the file size. */
  get isChecked(): boolean {
    return this.#core.checked;
  }

  /** True after `close()` (or after a detected truncation). */
  get closed(): boolean {
    return this.#core.closed;
  }

  /**
   * The whole range as one zero-copy typed array (writable modes), or as a read-only {@link MappedSlice}
   * in `'read'` mode, so a read-only mapping is never writable.
   *
   * A typed array cannot throw, so `close()` revokes it by detaching its memory: after the last file open on
   * the same range closes (open files of one range share one mapping), it has length 0, reads `undefined` and
   * ignores writes, and the mapping is released. A truncation found by `verify()` or checked mode detaches
   * it at once. Where the runtime cannot detach (see the README), it stays usable after `close()` and keeps
   * its mapping alive until collected instead.
   * @throws MappingTooLargeError (`MMAP_TOO_LARGE`) when the range is windowed and writable; MappingClosedError.
   */
  asSlice(): ArrayFor<T, M> {
    this.#core.assertOpen();
    if (this.#core.mode === 'read') return this.asMappedSlice() as unknown as ArrayFor<T, M>;
    if (this.#core.windowed) {
      throw new MappingTooLargeError(`${this.path} is mapped in ${this.windowCount} windows and has no single typed array; use asMappedSlice()`, {
        context: { path: this.path, byteLength: this.byteLength, windows: this.windowCount },
      });
    }
    this.#core.escape();
    return this.#tw.single as unknown as ArrayFor<T, M>;
  }

  /** A bounds-checked {@link MappedSlice} over the whole range (read-only in `'read'` mode). */
  asMappedSlice(): SliceFor<T, M> {
    this.#core.assertOpen();
    this.#slice ??= createSlice<T>(this.#tw, 0, this.#tw.length, this.#core.mode !== 'read');
    return this.#slice;
  }

  /**
   * Flushes writes of a `'readwrite'` mapping to disk without blocking the event loop (fdatasync on the thread
   * pool: shared mappings write into the file's page cache, which it writes back). Resolves at once for
   * `'read'` and `'private'` mappings.
   * @throws MappingIoError (rejection) when the write-back fails; MappingClosedError after close.
   */
  sync(): Promise<void> {
    return this.#core.sync();
  }

  /**
   * Tells the kernel how the mapping will be read (`madvise`); applies to mapped and future windows.
   * @throws TypeError for `'dontneed'` on a `'private'` mapping, where the kernel would throw away the
   * mapping's own (copy-on-write) writes; MappingClosedError after close.
   */
  advise(advice: MappingAdvice): void {
    this.#core.advise(advice);
  }

  /** How many pages of the mapped windows are resident in RAM (`mincore`). */
  incore(): IncoreReport {
    return this.#core.incore();
  }

  /**
   * Re-checks the file size now; if another process truncated it below the range, every view is poisoned.
   * @throws MappingFileTruncatedError (`MMAP_FILE_TRUNCATED`).
   */
  verify(): void {
    this.#core.verify();
  }

  /**
   * Closes the file: every `MappedSlice` then throws `MMAP_CLOSED`, a typed array from `asSlice()` is
   * detached (once no other open file shares its mapping), and the file drops its mappings, which the addon
   * unmaps when they are garbage-collected. Idempotent.
   */
  close(): void {
    this.#core.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link MappedFile.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /**
   * A check for `checkHealth` (from `@patinox/monitor`): `down` once closed or after a truncation (a check
   * re-stats the file, so it finds one as `verify()` does), `degraded` when the size cannot be re-checked.
   */
  healthCheck(): HealthCheck {
    return mappingHealthCheck(this.#core, 'file');
  }

  /** Metrics of this mapping for a `MetricsRegistry` collector (`registry.addCollector(() => file.collectMetrics())`). */
  collectMetrics(): MetricSnapshot[] {
    return this.#core.collectMetrics();
  }
}
