import { closeSync, constants, fstatSync, openSync, writeSync, type Stats } from 'node:fs';
import { describeThrown, describeValue, expectBoolean, expectNonEmptyString, expectObject, expectPositiveInteger, optional, readKnownOptions } from '@patinox/errors';
import { createEvent, expectMonitor, noopMonitor, safeRecord, type HealthCheck, type Monitor } from '@patinox/monitor';
import { MMAP_EVENTS } from './events.js';
import { MappingAlignmentError, MappingClosedError, MappingIoError } from './errors.js';
import { expectPath } from './internal/expect-path.js';
import { ioError } from './internal/io-error.js';
import type { RecordSchema, RecordWriterOptions } from './options.js';
import { FIELD_WRITERS, checkFieldValue, computeRecordLayout, type RecordField, type RecordLayout, type RecordValues } from './record-layout.js';

const WRITER_KEY: unique symbol = Symbol('RecordWriter');

/** Reads and checks one field of an appended record; a getter or Proxy trap that throws is a TypeError naming it. */
function readRecordField(record: object, field: RecordField): number | bigint {
  let value: unknown;
  try {
    value = (record as Record<string, unknown>)[field.name];
  } catch (cause) {
    throw new TypeError(`Expected \`record\` to be readable, but reading \`${field.name}\` threw: ${describeThrown(cause)}`, { cause });
  }
  return checkFieldValue(field, value);
}
// fs.writeSync takes at most 2^31 − 1 bytes per call: a larger buffer could be allocated but never flushed.
const MAX_WRITE_BYTES = 2 ** 31 - 1;

// Closes the descriptor of a writer dropped without close() (its buffered records go with it); close()
// unregisters, so a descriptor number the process reused is never closed twice.
const fdFinalizer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Nothing else owns this descriptor; there is nothing left to release.
  }
});

/** Size of the file open as `fd`, which must be a regular file of whole records. */
function checkedSize(fd: number, path: string, recordSize: number): number {
  let stat: Stats;
  try {
    stat = fstatSync(fd);
  } catch (err) {
    throw ioError('stat', path, err);
  }
  if (!stat.isFile()) {
    throw new MappingIoError(`Cannot append records to ${JSON.stringify(path)}: not a regular file`, { context: { path, errno: 'ENOTREG' } });
  }
  if (stat.size % recordSize !== 0) {
    throw new MappingAlignmentError(`${JSON.stringify(path)} is ${stat.size} bytes, not a whole number of ${recordSize}-byte records`, {
      context: { path, size: stat.size, recordSize },
    });
  }
  return stat.size;
}

/**
 * Appends records of a schema to a file (created if missing) in the layout {@link MappedRecords} reads,
 * buffering `bufferRecords` records per write. Map the file again to see the new records.
 *
 * @example
 * ```ts
 * const writer = RecordWriter.open('prices.bin', { schema: { id: 'u32', price: 'f64' } });
 * writer.append({ id: 1, price: 9.5 });
 * writer.close();
 * ```
 */
export class RecordWriter<S extends RecordSchema = RecordSchema> implements Disposable, AsyncDisposable {
  readonly layout: RecordLayout;
  /** Values of the record being appended, checked before any is written (reused: append allocates nothing). */
  readonly #values: (number | bigint)[];
  /** True when the layout has padding, which each record zeroes so files are byte-for-byte reproducible. */
  readonly #padded: boolean;
  readonly path: string;
  #fd: number;
  readonly #buffer: Buffer;
  readonly #view: DataView;
  #used = 0;
  /** Bytes in the file, which a short write can leave partway through a record. */
  #writtenBytes: number;
  readonly #monitor: Monitor;
  readonly #name: string;
  /** True while the last flush failed and its records are still buffered (health: `degraded`). */
  #writeFailed = false;
  /** True while append() reads a record's fields, whose getters must not append through the shared #values. */
  #reading = false;

  /** @internal Use `RecordWriter.open`. */
  constructor(key: typeof WRITER_KEY, path: string, fd: number, existing: number, layout: RecordLayout, buffer: Buffer, monitor: Monitor, name: string) {
    if (key !== WRITER_KEY) throw new TypeError('RecordWriter is created by RecordWriter.open(), not with new');
    this.layout = layout;
    this.#values = layout.fields.map(() => 0);
    this.#padded = layout.fields.reduce((bytes, field) => bytes + field.bytes, 0) !== layout.recordSize;
    this.path = path;
    this.#fd = fd;
    this.#writtenBytes = existing * layout.recordSize;
    this.#buffer = buffer;
    this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.length);
    this.#monitor = monitor;
    this.#name = name;
    fdFinalizer.register(this, fd, this);
  }

  /**
   * Opens `path` for appending (synchronously: appends are synchronous writes).
   * @throws MappingIoError when the file cannot be opened; MappingAlignmentError when its size is not a
   * whole number of records of this schema; RangeError naming `bufferRecords` when its buffer cannot be
   * allocated (before anything is opened).
   */
  static open<S extends RecordSchema>(path: string, writerOptions: RecordWriterOptions<S>): RecordWriter<S> {
    expectPath(path);
    const options = readKnownOptions('options', writerOptions, ['schema', 'packed', 'bufferRecords', 'monitor', 'name']) as RecordWriterOptions<S>;
    const layout = computeRecordLayout(options.schema, optional('packed', options.packed, expectBoolean, false));
    const bufferRecords = optional('bufferRecords', options.bufferRecords, expectPositiveInteger, 1024);
    const maxRecords = Math.floor(MAX_WRITE_BYTES / layout.recordSize);
    if (bufferRecords > maxRecords) {
      throw new RangeError(
        `Expected \`bufferRecords\` to be at most ${maxRecords} (${layout.recordSize}-byte records, one write of at most ${MAX_WRITE_BYTES} bytes), got ${describeValue(bufferRecords)}`,
      );
    }
    const monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
    const name = optional('name', options.name, expectNonEmptyString, path);
    // Allocated before the file is opened, so a buffer the process cannot get leaves no descriptor or file behind.
    let buffer: Buffer;
    try {
      buffer = Buffer.alloc(layout.recordSize * bufferRecords);
    } catch (cause) {
      throw new RangeError(
        `Cannot allocate the write buffer of \`bufferRecords\` ${bufferRecords} (${layout.recordSize * bufferRecords} bytes): ${describeThrown(cause)}; pass a smaller \`bufferRecords\``,
        { cause },
      );
    }
    let fd: number;
    try {
      // O_NONBLOCK keeps a FIFO from blocking the open; non-regular files are refused below.
      fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o644);
    } catch (err) {
      throw ioError('open', path, err);
    }
    let size: number;
    try {
      size = checkedSize(fd, path, layout.recordSize);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    const writer = new RecordWriter<S>(WRITER_KEY, path, fd, size / layout.recordSize, layout, buffer, monitor, name);
    safeRecord(monitor, createEvent(MMAP_EVENTS.writerOpened, name, { path, records: size / layout.recordSize }));
    return writer;
  }

  /** Records in the file, counting those still buffered. */
  get length(): number {
    return (this.#writtenBytes + this.#used) / this.layout.recordSize;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /**
   * Appends one record and returns its index. Every field must be present with the right JS type and a value
   * its element type stores exactly (integers in range; bigints in range for u64/i64; any number for floats).
   * @throws TypeError on a missing or mistyped field, RangeError on a value out of its type's range (nothing
   * is appended either way); TypeError for an append made from a getter of the record being appended;
   * MappingClosedError after close (also when a getter of the record closed the writer).
   */
  append(record: RecordValues<S>): number {
    if (this.#fd < 0) throw this.#closedError();
    expectObject('record', record);
    if (this.#reading) {
      throw new TypeError(`Expected \`record\` getters not to append to this writer: append() was called while the fields of another record were being read`);
    }
    const fields = this.layout.fields;
    const values = this.#values;
    // Every field is read once and checked before anything is written or flushed.
    this.#reading = true;
    try {
      for (let i = 0; i < fields.length; i += 1) values[i] = readRecordField(record, fields[i]!);
    } finally {
      this.#reading = false;
    }
    // A getter may have closed the writer: the record would be buffered where no flush ever writes it.
    if (this.#fd < 0) throw this.#closedError();
    const size = this.layout.recordSize;
    // After a short write the buffer holds a partial record at its front, so it may be full short of its end.
    if (this.#used + size > this.#buffer.length) this.flush();
    const at = this.#used;
    if (this.#padded) this.#buffer.fill(0, at, at + size);
    for (let i = 0; i < fields.length; i += 1) {
      const field = fields[i]!;
      FIELD_WRITERS[field.type](this.#view, at + field.offset, values[i]!);
    }
    this.#used += size;
    return this.length - 1;
  }

  #closedError(): MappingClosedError {
    return new MappingClosedError(`The record writer of ${this.path} is closed`, { context: { path: this.path } });
  }

  /** Whole records in the file. */
  #writtenRecords(): number {
    return Math.floor(this.#writtenBytes / this.layout.recordSize);
  }

  /**
   * Writes the buffered records to the file.
   * @throws MappingIoError when a write fails: the records not written stay buffered (`context.unwrittenFrom`,
   * the index of the first, and `context.unwrittenRecords`), and the next flush or close writes them.
   */
  flush(): void {
    if (this.#fd < 0 || this.#used === 0) return;
    let done = 0;
    let failure: unknown;
    let failed = false;
    try {
      while (done < this.#used) done += writeSync(this.#fd, this.#buffer, done, this.#used - done);
    } catch (err) {
      failed = true;
      failure = err;
    }
    // Keep any unwritten tail at the front so a retried flush does not duplicate what reached the file.
    if (done > 0 && done < this.#used) this.#buffer.copy(this.#buffer, 0, done, this.#used);
    this.#writtenBytes += done;
    this.#used -= done;
    this.#writeFailed = failed;
    if (failed) throw this.#writeError(failure);
  }

  /** The error of a failed write, naming the records it left buffered. */
  #writeError(err: unknown): MappingIoError {
    const from = this.#writtenRecords();
    const records = this.length - from;
    return ioError('write', this.path, err, {
      note: `records ${from} to ${this.length - 1} (${records}) are not in the file but still buffered: the writer stays open with them, so call flush() or close() again once the fault is gone`,
      context: { unwrittenFrom: from, unwrittenRecords: records },
    });
  }

  /**
   * Flushes and closes the file. Idempotent.
   * @throws MappingIoError when the final flush fails: the writer then stays open with the unwritten records
   * buffered (see {@link RecordWriter.flush}), so `close()` can be called again once the fault is gone; a
   * writer dropped instead has its descriptor closed when it is garbage-collected, and those records are lost.
   */
  close(): void {
    if (this.#fd < 0) return;
    this.flush();
    const fd = this.#fd;
    // Released before closeSync: a descriptor whose close failed is gone anyway, and must never be closed twice.
    this.#fd = -1;
    fdFinalizer.unregister(this);
    let closeError: MappingIoError | undefined;
    try {
      closeSync(fd);
    } catch (err) {
      closeError = ioError('close', this.path, err);
    }
    safeRecord(this.#monitor, createEvent(MMAP_EVENTS.writerClosed, this.#name, { path: this.path, records: this.#writtenRecords() }));
    if (closeError !== undefined) throw closeError;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link RecordWriter.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    // A failing final flush is a rejection, as callers of a promise-returning method expect, not a throw.
    return new Promise<void>((resolve) => {
      this.close();
      resolve();
    });
  }

  /**
   * A check for `checkHealth`: `up` while open, `degraded` while the last write failed and its records are
   * still buffered (`details.unwrittenRecords`), `down` once closed.
   */
  healthCheck(): HealthCheck {
    return {
      name: `mmap.writer:${this.#name}`,
      check: () => {
        const details = { path: this.path, records: this.#writtenRecords() };
        if (this.closed) return { status: 'down', details };
        if (this.#writeFailed && this.#used > 0) return { status: 'degraded', details: { ...details, reason: 'write failed', unwrittenRecords: this.length - details.records } };
        return { status: 'up', details };
      },
    };
  }
}
