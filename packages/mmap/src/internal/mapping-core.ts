import { closeSync, fdatasync, fstatSync } from 'node:fs';
import { describeThrown, describeValue, expectOneOf } from '@patinox/errors';
import { createEvent, safeRecord, type MetricSnapshot, type Monitor } from '@patinox/monitor';
import { MMAP_EVENTS } from '../events.js';
import { MappingClosedError, MappingFileTruncatedError } from '../errors.js';
import type { MappingAdvice, MappingMode } from '../options.js';
import type { MmapBinding } from './binding.js';
import { ioError } from './io-error.js';
import { ADVICES, markEscaped, type MappingHolder } from './mappings.js';
import { WindowTable } from './window-table.js';

// Closes descriptors of mappings that were dropped without close(); the windows themselves are unmapped by
// the addon when their Buffers are collected.
const fdFinalizer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Already closed by close(): nothing left to release.
  }
});

/** @internal Everything a view needs to know about its range, shared by all views of one open file. */
export interface CoreInit {
  path: string;
  name: string;
  fd: number;
  mode: MappingMode;
  fileOffset: number;
  byteLength: number;
  windowBytes: number;
  windowed: boolean;
  overlap: number;
  checked: boolean;
  binding: MmapBinding | undefined;
  advice: MappingAdvice;
  monitor: Monitor;
  pageSize: number;
  /** {@link fileIdentity} of the file, or `undefined` to never reuse windows. */
  identity: string | undefined;
  /** Map the windowed range as one mapping off the caller's path (see {@link MappingCore.promotable}). */
  promotable: boolean;
}

/**
 * @internal One open range of one file: its lifecycle (the closed flag every view checks before touching memory,
 * truncation checks that poison every view, promotion to one mapping, close) and its descriptor. The windows
 * themselves, mapped lazily or read into memory in fallback mode, live in its {@link WindowTable}.
 */
export class MappingCore {
  /** Hot-path flag: true once closed or once a truncation was detected. */
  closed = false;
  closedBy: 'close' | 'truncation' = 'close';
  readonly path: string;
  readonly name: string;
  readonly mode: MappingMode;
  readonly fileOffset: number;
  readonly byteLength: number;
  readonly windowBytes: number;
  readonly windowed: boolean;
  readonly windowCount: number;
  readonly overlap: number;
  readonly checked: boolean;
  readonly isFallback: boolean;
  readonly pageSize: number;
  readonly monitor: Monitor;
  windowFaults = 0;
  mappedBytes = 0;
  truncationsDetected = 0;
  #fd: number;
  readonly #binding: MmapBinding | undefined;
  /** The windows' Buffers and where each starts; this core decides when they are loaded, replaced and dropped. */
  readonly #table: WindowTable;
  #pendingSyncs = 0;
  #closeCalled = false;
  #releaseHooks: (() => void)[] = [];
  /**
   * True for a windowed `'read'` range that fits one mapping and whose owner asked for promotion: once every
   * window is mapped (checked mode) or right after open (unchecked), one mapping of the whole range replaces
   * the windows, on a later turn of the event loop.
   */
  readonly promotable: boolean;
  /** The whole range as one mapping once promoted. */
  promoted: Buffer | undefined;
  #mappedWindows = 0;
  #promotion: NodeJS.Immediate | undefined;
  #promoteHooks: ((whole: Buffer) => void)[] = [];
  // How other open files sharing a writable mapping reach this one (see mappings.ts); held by this core only.
  readonly #holder: MappingHolder = { poison: (size) => this.#poison(size) };
  readonly #holderRef = new WeakRef(this.#holder);
  /** What a fallback read that meets the end of the file calls: the file shrank. */
  readonly #onEof = (size: number): never => this.#truncated(size);

  constructor(init: CoreInit) {
    this.path = init.path;
    this.name = init.name;
    this.mode = init.mode;
    this.fileOffset = init.fileOffset;
    this.byteLength = init.byteLength;
    this.windowBytes = init.windowBytes;
    this.windowed = init.windowed;
    this.windowCount = init.byteLength === 0 ? 0 : Math.ceil(init.byteLength / init.windowBytes);
    this.overlap = init.overlap;
    this.checked = init.checked;
    this.isFallback = init.binding === undefined;
    this.pageSize = init.pageSize;
    this.monitor = init.monitor;
    this.#fd = init.fd;
    this.#binding = init.binding;
    this.#table = new WindowTable({
      path: init.path,
      fd: init.fd,
      mode: init.mode,
      binding: init.binding,
      advice: init.advice,
      identity: init.mode === 'private' ? undefined : init.identity,
      fileOffset: init.fileOffset,
      byteLength: init.byteLength,
      windowBytes: init.windowBytes,
      windowCount: this.windowCount,
      overlap: init.overlap,
      pageSize: init.pageSize,
      holder: this.#holderRef,
    });
    this.promotable = init.promotable && init.binding !== undefined && init.windowed && init.mode === 'read' && init.overlap === 0;
    if (init.fd >= 0) fdFinalizer.register(this, init.fd, this);
  }

  /** Runs `hook` with the whole-range mapping when the core is promoted. */
  onPromote(hook: (whole: Buffer) => void): void {
    this.#promoteHooks.push(hook);
  }

  /**
   * Unchecked promotable ranges promote right after open: at once when an earlier open's whole mapping of the
   * same range is still alive (nothing new is mapped), else on the next turn of the event loop.
   */
  startPromotion(): void {
    if (!this.promotable || this.checked) return;
    if (this.#table.reuse(this.fileOffset, this.byteLength) !== undefined) this.promote();
    else this.#schedulePromotion();
  }

  #schedulePromotion(): void {
    if (this.#promotion !== undefined || this.promoted !== undefined || this.closed) return;
    // Unref'd: a pending promotion never keeps the process alive; setImmediate rather than a delay, so the
    // single-mapping get arrives as soon as the caller yields.
    this.#promotion = setImmediate(() => {
      this.#promotion = undefined;
      try {
        this.promote();
      } catch {
        // promote() reported the failure (mmap.truncated, mmap.promote.failed); the file stays windowed or poisoned.
      }
    });
    this.#promotion.unref();
  }

  /**
   * Maps the whole range as one mapping and hands it to the views. Before it maps anything it re-stats the
   * file (whatever `checked` says), so a truncation found here poisons every view as a window fault would.
   * A failing mmap leaves the file windowed and is reported as `mmap.promote.failed`.
   */
  promote(): void {
    if (!this.promotable || this.promoted !== undefined || this.closed) return;
    const started = performance.now();
    this.verify();
    let whole = this.#table.reuse(this.fileOffset, this.byteLength);
    const reused = whole !== undefined;
    if (whole === undefined) {
      try {
        whole = this.#table.map(this.fileOffset, this.byteLength);
      } catch (err) {
        safeRecord(this.monitor, createEvent(MMAP_EVENTS.promoteFailed, this.name, { path: this.path, reason: describeThrown(err) }));
        throw err;
      }
    }
    // A close() that ran while the addon mapped (from a finalizer or a monitor) wins: the new mapping is dropped.
    if (this.closed) return;
    this.promoted = whole;
    this.#table.adopt(whole);
    this.mappedBytes = whole.length;
    for (const hook of this.#promoteHooks) hook(whole);
    safeRecord(this.monitor, createEvent(MMAP_EVENTS.promoted, this.name, { path: this.path, bytes: whole.length, reused, durationMs: performance.now() - started }));
  }

  /**
   * Marks window 0 of a writable single-mapping range as handed out raw (`asSlice()`), so `close()` detaches it
   * once no other open file shares it, and a detected truncation detaches it at once.
   */
  escape(): void {
    const buffer = this.#table.buffer(0);
    if (buffer !== undefined && this.mode !== 'read') markEscaped(buffer);
  }

  /** The error every access after close (or after a detected truncation) throws. */
  closedError(): Error {
    if (this.closedBy === 'truncation') {
      return new MappingFileTruncatedError(`${this.path} shrank while mapped; reopen it`, { context: { path: this.path } });
    }
    return new MappingClosedError(`${this.path} is closed; its views can no longer be used`, { context: { path: this.path } });
  }

  assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  /** Runs `hook` when the core closes or is poisoned, so views drop their references to the windows. */
  onRelease(hook: () => void): void {
    this.#releaseHooks.push(hook);
  }

  /** Logical byte index (from the start of the range) of window `k`'s first byte. */
  base(k: number): number {
    return this.#table.base(k);
  }

  /** Window `k`, mapping (or reading) it on first use. */
  window(k: number): Buffer {
    if (this.closed) throw this.closedError();
    return this.#table.buffer(k) ?? this.#fault(k);
  }

  #fault(k: number): Buffer {
    if (this.checked) this.verify();
    const buffer = this.#table.load(k, this.#onEof);
    this.windowFaults += 1;
    this.mappedBytes += buffer.length;
    this.#mappedWindows += 1;
    if (this.windowed) {
      safeRecord(this.monitor, createEvent(MMAP_EVENTS.windowMapped, this.name, { index: k, offset: this.fileOffset + this.#table.base(k), bytes: buffer.length }));
    }
    // A monitor may close the file from that event: the release dropped this window, so the caller must not get it.
    if (this.closed) throw this.closedError();
    // Checked ranges promote only once every window is mapped: from then on no fault would ever re-check the
    // size, so the single mapping drops none of the checks the windows would have made.
    if (this.promotable && this.checked && this.#mappedWindows === this.windowCount) this.#schedulePromotion();
    return buffer;
  }

  /** Re-stats the file and poisons every view with `MMAP_FILE_TRUNCATED` if it shrank below the range. */
  verify(): void {
    if (this.closed) throw this.closedError();
    if (this.#fd < 0) return;
    let size: number;
    try {
      size = fstatSync(this.#fd).size;
    } catch (err) {
      throw ioError('stat', this.path, err);
    }
    if (size < this.fileOffset + this.byteLength) this.#truncated(size);
  }

  #truncated(size: number): never {
    this.truncationsDetected += 1;
    // Already-mapped windows may now cover pages past EOF; touching them would raise SIGBUS, so every view
    // stops here, not just the window that noticed. Released before the report, so a monitor that closes the
    // file on it cannot turn this into a plain close that leaves a shared mapping's raw array attached.
    this.#release('truncation', size);
    safeRecord(this.monitor, createEvent(MMAP_EVENTS.truncated, this.name, { path: this.path, size, expected: this.fileOffset + this.byteLength }));
    throw new MappingFileTruncatedError(
      `${this.path} is ${size} bytes, shorter than the mapped range ending at ${this.fileOffset + this.byteLength}; reopen it`,
      { context: { path: this.path, size, expected: this.fileOffset + this.byteLength } },
    );
  }

  /** Another open file found the file truncated and revoked a mapping this one shares. */
  #poison(size: number): void {
    if (this.closed) return;
    try {
      this.#truncated(size);
    } catch {
      // Expected: #truncated reported mmap.truncated and poisoned every view, which now throws MMAP_FILE_TRUNCATED.
    }
  }

  advise(advice: MappingAdvice): void {
    expectOneOf('advice', advice, ADVICES);
    // MADV_DONTNEED drops a private mapping's copy-on-write pages: its writes would silently revert to the file.
    if (advice === 'dontneed' && this.mode === 'private') {
      throw new TypeError(`Expected \`advice\` other than 'dontneed' on a 'private' mapping (it discards the mapping's own writes), got ${describeValue(advice)}`);
    }
    this.assertOpen();
    this.#table.advise(advice);
  }

  incore(): { residentPages: number; totalPages: number } {
    this.assertOpen();
    return this.#table.incore();
  }

  async sync(): Promise<void> {
    this.assertOpen();
    if (this.mode !== 'readwrite' || this.#binding === undefined || this.#fd < 0) return;
    const fd = this.#fd;
    this.#pendingSyncs += 1;
    try {
      // Writes through a MAP_SHARED mapping land in the file's page cache, which fdatasync writes back; run on
      // the thread pool it does not block the event loop as msync(MS_SYNC) would. (The addon's own sync()
      // wrapper also breaks when its module is evaluated twice, e.g. under jest's per-file registries.)
      await new Promise<void>((resolve, reject) => {
        fdatasync(fd, (err) => (err === null ? resolve() : reject(ioError('sync', this.path, err))));
      });
    } finally {
      this.#pendingSyncs -= 1;
      if (this.closed && this.#pendingSyncs === 0) this.#closeFd();
    }
  }

  /** Closes the core; `report: false` for an open that failed, which reported no `mmap.opened` either. */
  close(report = true): void {
    if (this.#closeCalled) return;
    this.#closeCalled = true;
    // After a detected truncation the views stay poisoned (closedBy keeps 'truncation'); the close is reported.
    this.#release('close');
    if (report) safeRecord(this.monitor, createEvent(MMAP_EVENTS.closed, this.name, { path: this.path }));
  }

  #release(by: 'close' | 'truncation', truncatedSize?: number): void {
    if (!this.closed) this.closedBy = by;
    this.closed = true;
    if (this.#promotion !== undefined) clearImmediate(this.#promotion);
    this.#promotion = undefined;
    this.#promoteHooks = [];
    this.#table.clear(truncatedSize);
    this.promoted = undefined;
    this.mappedBytes = 0;
    const hooks = this.#releaseHooks;
    this.#releaseHooks = [];
    for (const hook of hooks) hook();
    if (this.#pendingSyncs === 0) this.#closeFd();
  }

  #closeFd(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    fdFinalizer.unregister(this);
    try {
      closeSync(fd);
    } catch {
      // EBADF cannot happen for a descriptor only this object owns; nothing else to release.
    }
  }

  collectMetrics(): MetricSnapshot[] {
    const labels = { file: this.name };
    return [
      { type: 'gauge', name: 'patinox_mmap_mapped_bytes', help: 'Bytes currently mapped (or read, in fallback mode)', labels, value: this.mappedBytes },
      { type: 'counter', name: 'patinox_mmap_window_faults_total', help: 'Windows mapped on first access', labels, value: this.windowFaults },
      { type: 'counter', name: 'patinox_mmap_truncations_total', help: 'Truncations detected by checked mode', labels, value: this.truncationsDetected },
      { type: 'gauge', name: 'patinox_mmap_open', help: '1 while the mapping is open', labels, value: this.closed ? 0 : 1 },
    ];
  }
}
