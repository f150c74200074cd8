import { defineEvents, type EventName } from '@patinox/monitor';

/**
 * Every event `@patinox/mmap` reports to a `monitor`; names are public API. None is emitted per access:
 * only on open, close, window faults, promotion, truncation and fallback.
 */
export const MMAP_EVENTS = defineEvents('mmap', {
  /** `open` mapped (or, in fallback mode, read) a range. Data: `path`, `mode`, `offset`, `byteLength`, `windowed`, `fallback`. */
  opened: 'mmap.opened',
  /** A window of a windowed range was mapped on first access. Data: `index`, `offset`, `bytes`. */
  windowMapped: 'mmap.window.mapped',
  /** A windowed `'read'` range now reads one mapping. Data: `path`, `bytes`, `reused`, `durationMs`. */
  promoted: 'mmap.promoted',
  /** Promotion failed; the range stays windowed and keeps working. Data: `path`, `reason`. */
  promoteFailed: 'mmap.promote.failed',
  /** The file shrank below the mapped range; every view is poisoned (`MMAP_FILE_TRUNCATED`). Data: `path`, `size`, `expected`. */
  truncated: 'mmap.truncated',
  /** The native addon could not load and `fallback: 'read'` read the range into memory. Data: `path`, `reason`. */
  fallback: 'mmap.fallback',
  /** A file was closed. Data: `path`. */
  closed: 'mmap.closed',
  /** A `RecordWriter` opened its file. Data: `path`, `records` already there. */
  writerOpened: 'mmap.writer.opened',
  /** A `RecordWriter` flushed and closed. Data: `path`, `records` written. */
  writerClosed: 'mmap.writer.closed',
} as const);

/** One of {@link MMAP_EVENTS}. */
export type MmapEventName = EventName<typeof MMAP_EVENTS>;
