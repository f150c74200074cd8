import { describeValue, expectBoolean, optional, readKnownOptions } from '@patinox/errors';
import type { HealthCheck, MetricSnapshot } from '@patinox/monitor';
import { MappingReadOnlyError } from './errors.js';
import { mappingHealthCheck } from './internal/health.js';
import type { MappingCore } from './internal/mapping-core.js';
import { MAPPING_OPTION_KEYS, openCore } from './internal/open-core.js';

const RECORDS_OPTION_KEYS = [...MAPPING_OPTION_KEYS, 'schema', 'packed'] as const;
import type { IncoreReport } from './mapped-file.js';
import type { MappedRecordsOptions, MappingAdvice, MappingMode, RecordSchema } from './options.js';
import { FIELD_READERS, FIELD_WRITERS, checkFieldValue, computeRecordLayout, type RecordField, type RecordLayout, type RecordValues } from './record-layout.js';

/**
 * A movable, zero-allocation view of one record: a getter (and, in writable modes, a setter that writes to
 * the file) per schema field, plus the record's `index`. `MappedRecords.view` repositions and returns the
 * same object every time, so hold values (or `toObject()` copies), not views, or take a `cursor()` of your own.
 */
export type RecordAccessor<S extends RecordSchema, M extends MappingMode = MappingMode> = (M extends 'read'
  ? Readonly<RecordValues<S>>
  : RecordValues<S>) & {
  /** Index of the record the accessor points at (−1 until `view()` first positions it). */
  readonly index: number;
  /** Copies the record into a plain object (what `MappedRecords.get` returns). */
  toObject(): RecordValues<S>;
  /** The same copy, so `JSON.stringify(view)` shows the record rather than `{}`. */
  toJSON(): RecordValues<S>;
};

/** @internal State shared by a records file and all its accessors. */
class RecordsState {
  readonly core: MappingCore;
  readonly layout: RecordLayout;
  readonly length: number;
  readonly writable: boolean;
  views: (DataView | undefined)[];

  constructor(core: MappingCore, layout: RecordLayout) {
    this.core = core;
    this.layout = layout;
    this.length = core.byteLength / layout.recordSize;
    this.writable = core.mode !== 'read';
    this.views = new Array<DataView | undefined>(core.windowCount);
    core.onRelease(() => {
      this.views = [];
    });
  }

  view(k: number): DataView {
    const existing = this.views[k];
    if (existing !== undefined) return existing;
    const buffer = this.core.window(k);
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length);
    this.views[k] = view;
    return view;
  }
}

let position: (cursor: RecordCursor, index: number) => void;
let readField: (cursor: RecordCursor, field: RecordField) => number | bigint;
let writeField: (cursor: RecordCursor, field: RecordField, value: unknown) => void;

/** @internal Base of the per-schema accessor classes; fields are added as prototype accessors. */
class RecordCursor {
  readonly #state: RecordsState;
  #window = -1;
  #at = 0;
  #index = -1;

  constructor(state: RecordsState) {
    this.#state = state;
  }

  get index(): number {
    return this.#index;
  }

  toObject(): Record<string, number | bigint> {
    const out: Record<string, number | bigint> = {};
    for (const field of this.#state.layout.fields) out[field.name] = readField(this, field);
    return out;
  }

  toJSON(): Record<string, number | bigint> {
    return this.toObject();
  }

  static {
    position = (cursor, index) => {
      const state = cursor.#state;
      const start = index * state.layout.recordSize;
      const k = state.core.windowed ? Math.floor(start / state.core.windowBytes) : 0;
      state.view(k);
      cursor.#window = k;
      cursor.#at = start - state.core.base(k);
      cursor.#index = index;
    };
    readField = (cursor, field) => {
      const state = cursor.#state;
      const view = state.views[cursor.#window] ?? RecordCursor.#slowView(cursor);
      return FIELD_READERS[field.type](view, cursor.#at + field.offset);
    };
    writeField = (cursor, field, value) => {
      const state = cursor.#state;
      state.core.assertOpen();
      if (!state.writable) throw new MappingReadOnlyError(`${state.core.path} is mapped read-only; open it with mode 'readwrite' or 'private' to write`, { context: { path: state.core.path } });
      const checked = checkFieldValue(field, value);
      const view = state.views[cursor.#window] ?? RecordCursor.#slowView(cursor);
      FIELD_WRITERS[field.type](view, cursor.#at + field.offset, checked);
    };
  }

  static #slowView(cursor: RecordCursor): DataView {
    const state = cursor.#state;
    state.core.assertOpen();
    if (cursor.#index < 0) throw new RangeError('This record view is not positioned yet: pass it to MappedRecords.view(index, cursor) first');
    return state.view(cursor.#window);
  }
}

function accessorClass(layout: RecordLayout): new (state: RecordsState) => RecordCursor {
  class Accessor extends RecordCursor {}
  for (const field of layout.fields) {
    Object.defineProperty(Accessor.prototype, field.name, {
      enumerable: true,
      get(this: RecordCursor) {
        return readField(this, field);
      },
      set(this: RecordCursor, value: unknown) {
        writeField(this, field, value);
      },
    });
  }
  return Accessor;
}

const RECORDS_KEY: unique symbol = Symbol('MappedRecords');

/**
 * A mapped file of fixed-size records described by a schema (`{ id: 'u32', price: 'f64' }`), with the same
 * bounds, closed and truncation checks as {@link MappedFile}. `get(i)` returns an independent plain record;
 * `view(i)` a reused zero-allocation view that reads and writes the file in place. Fields are little-endian;
 * layout as {@link computeRecordLayout}.
 *
 * @example
 * ```ts
 * const prices = await MappedRecords.open('prices.bin', { schema: { id: 'u32', price: 'f64' } });
 * const row = prices.get(0);
 * console.log(row?.id, row?.price);
 * prices.close();
 * ```
 */
export class MappedRecords<S extends RecordSchema = RecordSchema, M extends MappingMode = MappingMode> implements Disposable, AsyncDisposable, Iterable<RecordValues<S>> {
  /** Field offsets and record size. */
  readonly layout: RecordLayout;
  readonly #state: RecordsState;
  readonly #Accessor: new (state: RecordsState) => RecordCursor;
  readonly #shared: RecordCursor;
  /** The cursor `get` copies through, so a plain read never moves the shared view a caller may hold. */
  readonly #copier: RecordCursor;

  /** @internal Use `MappedRecords.open`. */
  constructor(key: typeof RECORDS_KEY, core: MappingCore, layout: RecordLayout) {
    if (key !== RECORDS_KEY) throw new TypeError('MappedRecords is created by MappedRecords.open(), not with new');
    this.layout = layout;
    this.#state = new RecordsState(core, layout);
    this.#Accessor = accessorClass(layout);
    this.#shared = new this.#Accessor(this.#state);
    this.#copier = new this.#Accessor(this.#state);
  }

  /** Opens and maps `path` as records of `options.schema`. */
  static async open<S extends RecordSchema, M extends MappingMode = 'read'>(path: string, recordsOptions: MappedRecordsOptions<S, M>): Promise<MappedRecords<S, M>> {
    const options = readKnownOptions('options', recordsOptions, RECORDS_OPTION_KEYS) as MappedRecordsOptions<S, M>;
    const layout = computeRecordLayout(options.schema, optional('packed', options.packed, expectBoolean, false));
    const core = await openCore(path, options, layout.recordSize, layout.recordSize);
    return new MappedRecords<S, M>(RECORDS_KEY, core, layout);
  }

  /** Number of records. */
  get length(): number {
    return this.#state.length;
  }

  /** True when there are no records. */
  get isEmpty(): boolean {
    return this.#state.length === 0;
  }

  /** Bytes per record. */
  get recordSize(): number {
    return this.layout.recordSize;
  }

  get path(): string {
    return this.#state.core.path;
  }

  get mode(): M {
    return this.#state.core.mode as M;
  }

  get closed(): boolean {
    return this.#state.core.closed;
  }

  get isWindowed(): boolean {
    return this.#state.core.windowed;
  }

  /**
   * A copy of record `index` as a plain object (`{ id: 1, price: 9.5 }`), or `undefined` when `index` is out
   * of range. Each call returns a new object that later reads do not change and that writes do not reach
   * the file through, and the shared view of {@link MappedRecords.view} stays where it was; use `view` to
   * read without allocating or to write in place.
   * @throws MappingClosedError after close; MappingFileTruncatedError in checked mode.
   */
  get(index: number): RecordValues<S> | undefined {
    const state = this.#state;
    state.core.assertOpen();
    if (typeof index !== 'number' || index >>> 0 !== index || index >= state.length) return undefined;
    position(this.#copier, index);
    return this.#copier.toObject() as RecordValues<S>;
  }

  /**
   * Points a view at record `index` and returns it, or `undefined` when `index` is out of range. Allocates
   * nothing: without `cursor`, the file's one shared view is moved, so a previous result now shows the new
   * record (`[0, 1].map((i) => r.view(i))` holds the same view twice); pass a `cursor()` to keep your own.
   * In `'readwrite'`/`'private'` mode, assigning a field writes the file.
   * @throws MappingClosedError after close; MappingFileTruncatedError in checked mode; TypeError for a
   * `cursor` of another file.
   */
  view(index: number, cursor?: RecordAccessor<S, M>): RecordAccessor<S, M> | undefined {
    const state = this.#state;
    state.core.assertOpen();
    if (typeof index !== 'number' || index >>> 0 !== index || index >= state.length) return undefined;
    let target = this.#shared;
    if (cursor !== undefined) {
      if (!(cursor instanceof this.#Accessor)) throw new TypeError(`Expected \`cursor\` to come from this file's cursor(), got ${describeValue(cursor)}`);
      target = cursor;
    }
    position(target, index);
    return target as unknown as RecordAccessor<S, M>;
  }

  /** A new view of this file, independent of the shared one; position it with `view(index, cursor)`. */
  cursor(): RecordAccessor<S, M> {
    this.#state.core.assertOpen();
    return new this.#Accessor(this.#state) as unknown as RecordAccessor<S, M>;
  }

  /** Yields every record as an independent plain object (as `get`), so `[...records]` is a list of records. */
  *[Symbol.iterator](): IterableIterator<RecordValues<S>> {
    for (let i = 0; i < this.#state.length; i += 1) yield this.get(i) as RecordValues<S>;
  }

  /** Yields the shared view positioned at each record in turn: iteration without allocation per record. */
  *views(): IterableIterator<RecordAccessor<S, M>> {
    for (let i = 0; i < this.#state.length; i += 1) yield this.view(i) as RecordAccessor<S, M>;
  }

  /** Same as {@link MappedFile.sync}. */
  sync(): Promise<void> {
    return this.#state.core.sync();
  }

  /** Same as {@link MappedFile.advise}. */
  advise(advice: MappingAdvice): void {
    this.#state.core.advise(advice);
  }

  /** Same as {@link MappedFile.incore}. */
  incore(): IncoreReport {
    return this.#state.core.incore();
  }

  /** Same as {@link MappedFile.verify}. */
  verify(): void {
    this.#state.core.verify();
  }

  /** Closes the file; every accessor then throws `MMAP_CLOSED`. Idempotent. */
  close(): void {
    this.#state.core.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link MappedRecords.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /**
   * A check for `checkHealth` (from `@patinox/monitor`): `down` once closed or after a truncation (a check
   * re-stats the file, so it finds one as `verify()` does), `degraded` when the size cannot be re-checked.
   */
  healthCheck(): HealthCheck {
    return mappingHealthCheck(this.#state.core, 'records');
  }

  /** Same as {@link MappedFile.collectMetrics}. */
  collectMetrics(): MetricSnapshot[] {
    return this.#state.core.collectMetrics();
  }
}
