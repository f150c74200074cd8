import { describeValue, expectFunction, expectPositiveInteger, expectString, optional, readKnownOptions } from '@patinox/errors';
import { channel, type Channel } from 'node:diagnostics_channel';
import { expectMonitor } from './expect-monitor.js';

/** One lifecycle event: `type` is `<package>.<what>` (`'pool.connection.created'`, `'cache.eviction'`). */
export interface MonitorEvent {
  /** Dotted event type; the first segment names the package. */
  readonly type: string;
  /** Which component emitted it (a pool's name, a cache region). */
  readonly source: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  /** Event-specific facts; JSON-friendly. */
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Receives lifecycle events. Components call `record` only on lifecycle changes (created, evicted,
 * failed), never per hot-path call: counts live in metrics that monitors pull.
 */
export interface Monitor {
  record(event: MonitorEvent): void;
}

/** Builds a {@link MonitorEvent} stamped with the current time. */
export function createEvent(type: string, source: string, data: Record<string, unknown> = {}, timestamp: number = Date.now()): MonitorEvent {
  return { type, source, timestamp, data };
}

/** Reports `event` to `monitor`, never letting a throwing monitor break the component that reports. */
export function safeRecord(monitor: Monitor, event: MonitorEvent): void {
  try {
    monitor.record(event);
  } catch {
    // A monitor is an observer: its failure must not change the behaviour it observes.
  }
}

/** Drops every event; the default monitor everywhere. */
export class NoopMonitor implements Monitor {
  record(_event: MonitorEvent): void {
    // intentionally empty
  }
}

/** The shared {@link NoopMonitor}. */
export const noopMonitor: Monitor = new NoopMonitor();

/**
 * The largest `capacity` a {@link MemoryMonitor} takes (2^20 events): `events()` scans the whole ring, and
 * `clear()` fills it, so a capacity of billions would be an allocation or a scan that never finishes.
 */
export const MAX_MEMORY_MONITOR_CAPACITY = 2 ** 20;

/** Options of {@link MemoryMonitor}. */
export interface MemoryMonitorOptions {
  /** How many events to keep; older ones are overwritten. At most {@link MAX_MEMORY_MONITOR_CAPACITY}. @default 1000 */
  capacity?: number;
}

/** Keeps the last `capacity` events in a ring buffer, for tests and inspection. */
export class MemoryMonitor implements Monitor {
  readonly #buffer: (MonitorEvent | undefined)[];
  #next = 0;
  #total = 0;

  constructor(options: MemoryMonitorOptions = {}) {
    const capacity = optional('capacity', readKnownOptions('options', options, ['capacity']).capacity, expectPositiveInteger, 1000);
    if (capacity > MAX_MEMORY_MONITOR_CAPACITY) {
      throw new RangeError(`Expected \`capacity\` to be a positive integer at most ${MAX_MEMORY_MONITOR_CAPACITY}, got ${describeValue(capacity)}`);
    }
    this.#buffer = new Array<MonitorEvent | undefined>(capacity);
  }

  record(event: MonitorEvent): void {
    this.#buffer[this.#next] = event;
    this.#next = (this.#next + 1) % this.#buffer.length;
    this.#total += 1;
  }

  /** Events kept, oldest first; filtered by type (exact or prefix ending with `.`) when given. */
  events(type?: string): MonitorEvent[] {
    if (type !== undefined) expectString('type', type);
    const out: MonitorEvent[] = [];
    const n = this.#buffer.length;
    for (let i = 0; i < n; i += 1) {
      const event = this.#buffer[(this.#next + i) % n];
      if (event === undefined) continue;
      if (type === undefined || event.type === type || (type.endsWith('.') && event.type.startsWith(type))) out.push(event);
    }
    return out;
  }

  /** Events recorded since creation, including overwritten ones. */
  get totalRecorded(): number {
    return this.#total;
  }

  clear(): void {
    this.#buffer.fill(undefined);
    this.#next = 0;
  }
}

/** Options of {@link ConsoleMonitor}. */
export interface ConsoleMonitorOptions {
  /** Where each JSON line goes. @default process.stderr.write */
  write?: (line: string) => void;
}

/** Writes each event as one JSON line. */
export class ConsoleMonitor implements Monitor {
  readonly #write: (line: string) => void;

  constructor(options: ConsoleMonitorOptions = {}) {
    const write = readKnownOptions('options', options, ['write']).write;
    this.#write = write === undefined ? (line) => process.stderr.write(line) : expectFunction<(line: string) => void>('write', write);
  }

  record(event: MonitorEvent): void {
    let line: string;
    try {
      line = JSON.stringify(event);
    } catch {
      line = JSON.stringify({ type: event.type, source: event.source, timestamp: event.timestamp, data: '[unserializable]' });
    }
    this.#write(`${line}\n`);
  }
}

/** Forwards every event to each of several monitors; one that throws does not stop the others. */
export class CompositeMonitor implements Monitor {
  readonly #monitors: readonly Monitor[];

  constructor(monitors: readonly Monitor[]) {
    if (!Array.isArray(monitors)) throw new TypeError(`Expected \`monitors\` to be an array of Monitor, got ${describeValue(monitors)}`);
    this.#monitors = Array.from(monitors, (monitor: unknown, i) => expectMonitor(`monitors[${i}]`, monitor));
  }

  record(event: MonitorEvent): void {
    for (const monitor of this.#monitors) safeRecord(monitor, event);
  }
}

/** The `node:diagnostics_channel` name an event type is published on: `patinox:<package>:<event>`. */
export function channelName(type: string): string {
  expectString('type', type);
  const dot = type.indexOf('.');
  return dot < 0 ? `patinox:${type}:event` : `patinox:${type.slice(0, dot)}:${type.slice(dot + 1)}`;
}

/**
 * Publishes every event on `node:diagnostics_channel` (`patinox:pool:connection.created`), so tools can
 * subscribe without a reference to the component. Costs nothing when nobody subscribes.
 */
export class DiagnosticsChannelMonitor implements Monitor {
  readonly #channels = new Map<string, Channel>();

  record(event: MonitorEvent): void {
    let ch = this.#channels.get(event.type);
    if (ch === undefined) {
      ch = channel(channelName(event.type));
      this.#channels.set(event.type, ch);
    }
    if (ch.hasSubscribers) ch.publish(event);
  }
}
