import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describeThrown, expectNonEmptyString, expectObject, expectTimerMs, optional, readKnownOptions } from '@patinox/errors';
import { createEvent, expectMonitor, noopMonitor, safeRecord, type HealthCheck, type MetricSnapshot, type Monitor } from '@patinox/monitor';
import { ConfigClosedError, ConfigLoadError, ConfigUpdateLoopError } from './errors.js';
import { ConfigAcceptor } from './internal/config-acceptor.js';
import { SHARED_EVENTS, type SharedEventName } from './events.js';
import { describeError } from './internal/describe-error.js';
import { fileWatchHandle } from './internal/file-watch-handle.js';
import { expectName, optionalFunction } from './internal/validate.js';
import { MAX_NOTIFY_ROUNDS, subscribeTo, Watchers, type ConfigListener, type ConfigSnapshot, type Unsubscribe } from './internal/watchers.js';
import type { ConfigDataOptions, SubscribeOptions, WatchFileOptions } from './options.js';
import { SharingMetrics } from './sharing-metrics.js';

export { MAX_NOTIFY_ROUNDS } from './internal/watchers.js';
export type { ConfigListener, ConfigSnapshot, Unsubscribe } from './internal/watchers.js';

// A configuration is an object (or an array): `update(undefined)` is a caller's mistake, not a version.
const CONFIGURATION = 'an object (the configuration)';
const CONFIG_OPTION_KEYS = ['name', 'monitor', 'validate', 'schemaVersion', 'migrations', 'versionKey', 'freeze'] as const;

/** A structured-clone-friendly description of a {@link ConfigData}, to hand to a worker with its port transferred. */
export interface ConfigHandle<T> {
  readonly kind: 'patinox.config';
  readonly name: string;
  readonly version: number;
  readonly config: T;
  /** Carries every later version in order; put it in the `transferList`. */
  readonly port: MessagePort;
}

/** A running {@link ConfigData.watchFile}; `close()` stops watching (the configuration stays). */
export interface ConfigFileWatch extends Disposable, AsyncDisposable {
  /** The absolute path watched. */
  readonly path: string;
  /** True once closed (by `close()`, by the configuration's `close()`, or after the watcher failed). */
  readonly closed: boolean;
  /** Stops the watcher and its debounce timer; idempotent. */
  close(): void;
}

/** The message a {@link ConfigData} posts to each shared port. */
export interface ConfigUpdateMessage<T> {
  readonly kind: 'patinox.config.update';
  readonly version: number;
  readonly config: T;
}

/**
 * Versioned configuration with validation, schema migrations, change subscriptions, hot reload from a
 * file, and replicas in worker threads.
 *
 * `get()` is a property read. `update(next)` migrates, validates and freezes `next`, then makes it
 * current atomically: a refused candidate throws `SHARED_CONFIG_INVALID` and leaves the old configuration in
 * place. Subscribers follow watch-channel semantics: each sees versions in increasing order, a slow one
 * only the latest, and none can hold up `update` or stop the others.
 *
 * @example
 * ```ts
 * const config = new ConfigData({ poolSize: 10 }, { validate: (c) => c.poolSize > 0 || 'poolSize must be > 0' });
 * config.subscribe((c) => pool.resize({ maxSize: c.poolSize }));
 * config.update({ poolSize: 20 }); // version 2
 * ```
 * @throws TypeError from the constructor and `update` when the configuration given is not an object.
 * @throws {ConfigInvalidError} `SHARED_CONFIG_INVALID` from the constructor and `update` when refused.
 * @throws {NotCloneableError} `SHARED_NOT_CLONEABLE` when a configuration is not plain, cloneable data.
 */
export class ConfigData<T> implements Disposable, AsyncDisposable {
  #snapshot: ConfigSnapshot<T>;
  readonly #name: string;
  readonly #acceptor: ConfigAcceptor<T>;
  readonly #monitor: Monitor;
  readonly #metrics = new SharingMetrics();
  readonly #watchers: Watchers<T>;
  readonly #ports = new Set<MessagePort>();
  readonly #fileWatches = new Set<ConfigFileWatch>();
  /** Watched paths whose last load failed: the configuration in force is older than the file. */
  readonly #failingFiles = new Set<string>();
  #closed = false;

  constructor(initial: T, options: ConfigDataOptions<T> = {}) {
    expectObject('initial', initial, CONFIGURATION);
    const bag = readKnownOptions('options', options, CONFIG_OPTION_KEYS) as ConfigDataOptions<T>;
    this.#name = expectName(bag.name, 'config');
    this.#acceptor = new ConfigAcceptor<T>(this.#name, bag);
    this.#monitor = optional('monitor', bag.monitor, expectMonitor, noopMonitor);
    this.#snapshot = Object.freeze({ config: this.#acceptor.accept(initial), version: 1 });
    this.#watchers = new Watchers<T>(
      () => this.#snapshot,
      (error, version) => this.#report(SHARED_EVENTS.configSubscriberFailed, { version, ...describeError(error) }),
      this.#metrics,
    );
  }

  /** The current configuration (frozen unless `freeze: false`). */
  get(): T {
    this.#metrics.reads += 1;
    return this.#snapshot.config;
  }

  /** The version of the current configuration: 1 at construction, +1 per accepted update. */
  get version(): number {
    return this.#snapshot.version;
  }

  /** The current configuration with its version, as one consistent pair (a frozen object). */
  snapshot(): ConfigSnapshot<T> {
    this.#metrics.reads += 1;
    return this.#snapshot;
  }

  /**
   * Migrates, validates and installs `next`, notifies subscribers and replicas, and returns the new
   * version. The object passed in is frozen (unless `freeze: false`).
   * @throws TypeError when `next` is not an object (`undefined`, `null`, a primitive, a function).
   * @throws {ConfigInvalidError} `SHARED_CONFIG_INVALID` when refused; the old configuration stays.
   * @throws {NotCloneableError} `SHARED_NOT_CLONEABLE` when `next` is not plain data.
   * @throws {ConfigClosedError} `SHARED_CONFIG_CLOSED` after `close()`.
   * @throws {ConfigUpdateLoopError} `SHARED_CONFIG_UPDATE_LOOP` when called from a listener in the
   * last of the {@link MAX_NOTIFY_ROUNDS} rounds one notification may run; the current configuration stays.
   */
  update(next: T): number {
    if (this.#closed) throw new ConfigClosedError(this.#name);
    expectObject('next', next, CONFIGURATION);
    if (this.#watchers.roundsExhausted) {
      const error = new ConfigUpdateLoopError(this.#name, MAX_NOTIFY_ROUNDS, this.#snapshot.version);
      this.#report(SHARED_EVENTS.configRejected, { version: this.#snapshot.version + 1, code: error.code, error: error.message });
      throw error;
    }
    let config: T;
    try {
      config = this.#acceptor.accept(next);
    } catch (error) {
      this.#report(SHARED_EVENTS.configRejected, { version: this.#snapshot.version + 1, ...describeError(error) });
      throw error;
    }
    // Numbered after acceptance: a validate or migration that updated this configuration took the next one.
    const version = this.#snapshot.version + 1;
    this.#install(config, version, 'update');
    return version;
  }

  /**
   * Subscribes to changes. With a listener: called with each newer configuration it gets to see
   * (not with the current one); returns an unsubscribe function. Without one: an async iterator that
   * yields the current snapshot first, then the latest one each time it is pulled after a change; it ends
   * on `close()`, on `signal`, or when the loop breaks.
   */
  subscribe(listener: ConfigListener<T>): Unsubscribe;
  subscribe(options?: SubscribeOptions): AsyncIterableIterator<ConfigSnapshot<T>>;
  subscribe(arg?: ConfigListener<T> | SubscribeOptions): Unsubscribe | AsyncIterableIterator<ConfigSnapshot<T>> {
    return subscribeTo(this.#watchers, arg);
  }

  /** How many listeners and iterators are subscribed. */
  get subscriberCount(): number {
    return this.#watchers.size;
  }

  /**
   * Loads the configuration from a file now, then reloads it whenever the file changes (debounced). A
   * reload that cannot read, parse, migrate or validate the file keeps the old configuration and reports
   * `shared.config.reload.failed` to the monitor. Atomic saves (write a temporary file, rename it over)
   * are followed. The watcher never keeps the process alive and stops on `close()`.
   * @throws {ConfigLoadError} `SHARED_CONFIG_LOAD_FAILED` / {@link ConfigInvalidError} `SHARED_CONFIG_INVALID` when the
   * first load fails (no watcher is left running).
   */
  async watchFile(path: string, options: WatchFileOptions = {}): Promise<ConfigFileWatch> {
    if (this.#closed) throw new ConfigClosedError(this.#name);
    expectNonEmptyString('path', path);
    const o = readKnownOptions('options', options, ['parse', 'debounceMs']);
    const parse = optionalFunction<(text: string) => unknown>('parse', o.parse) ?? JSON.parse;
    const debounceMs = optional('debounceMs', o.debounceMs, (n, v) => expectTimerMs(n, v, { allowZero: true }), 100);
    const file = resolve(path);
    const base = basename(file);
    let lastText: string | undefined;
    let running = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watching: { watcher?: FSWatcher } = {};

    const load = async (): Promise<void> => {
      let text: string;
      let candidate: unknown;
      try {
        text = await readFile(file, 'utf8');
        if (text === lastText) {
          // Back to the content in force: nothing to install, and nothing stale any more.
          this.#failingFiles.delete(file);
          return;
        }
        candidate = parse(text);
      } catch (error) {
        throw new ConfigLoadError(this.#name, file, error);
      }
      if (handle.closed || this.#closed) return;
      const config = this.#acceptor.accept(candidate as T);
      const version = this.#snapshot.version + 1;
      lastText = text;
      // Healthy again before subscribers hear of it, so one that checks health sees it so.
      this.#failingFiles.delete(file);
      this.#install(config, version, 'file');
    };
    const reload = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          try {
            await load();
          } catch (error) {
            if (!handle.closed) this.#failingFiles.add(file);
            this.#report(SHARED_EVENTS.configReloadFailed, { path: file, ...describeError(error) });
          }
        } while (again && !handle.closed);
      } finally {
        running = false;
      }
    };
    const handle = fileWatchHandle(file, () => {
      if (timer !== undefined) clearTimeout(timer);
      watching.watcher?.close();
      this.#fileWatches.delete(handle);
      this.#failingFiles.delete(file);
    });

    try {
      await load();
    } catch (error) {
      this.#report(SHARED_EVENTS.configReloadFailed, { path: file, initial: true, ...describeError(error) });
      throw error;
    }
    if (this.#closed) throw new ConfigClosedError(this.#name);
    // Watch the directory, not the file: an atomic save replaces the file's inode, which a file watch
    // would lose. `persistent: false` keeps the watcher from holding the process open.
    const watcher = watch(dirname(file), { persistent: false }, (_event, filename) => {
      if (handle.closed || (filename !== null && filename !== base)) return;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        void reload();
      }, debounceMs);
      timer.unref();
    });
    watching.watcher = watcher;
    watcher.on('error', (error: Error) => {
      this.#report(SHARED_EVENTS.configWatchFailed, { path: file, error: describeThrown(error) });
      handle.close();
    });
    this.#fileWatches.add(handle);
    return handle;
  }

  /**
   * A handle for a worker: the current snapshot and a port that carries every later version in order.
   * Pass it in `workerData` with `transferList: [handle.port]`; in the worker, `ConfigReplica.from(handle)`.
   * @throws {ConfigClosedError} `SHARED_CONFIG_CLOSED` after `close()`.
   */
  share(): ConfigHandle<T> {
    if (this.#closed) throw new ConfigClosedError(this.#name);
    const { port1, port2 } = new MessageChannel();
    this.#ports.add(port1);
    port1.on('close', () => this.#ports.delete(port1));
    // No 'message' listener: this side only posts, and must not keep the process alive.
    port1.unref();
    return { kind: 'patinox.config', name: this.#name, version: this.#snapshot.version, config: this.#snapshot.config, port: port2 };
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  get metrics(): SharingMetrics {
    return this.#metrics;
  }

  /** Metric snapshots labelled `{ name }`, for `MetricsRegistry.addCollector`. */
  collectMetrics(): MetricSnapshot[] {
    return this.#metrics.collect({ name: this.#name });
  }

  /**
   * Stops file watches, ends iterators, drops listeners and closes the worker ports (replicas then
   * close too). `get()` keeps returning the last configuration. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fileWatch of [...this.#fileWatches]) fileWatch.close();
    for (const port of this.#ports) port.close();
    this.#ports.clear();
    this.#watchers.close();
    this.#report(SHARED_EVENTS.configClosed, { version: this.#snapshot.version });
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link ConfigData.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /**
   * A check for `checkHealth`: `down` once closed, `degraded` while a watched file's last reload failed
   * (the configuration in force is older than the file), `up` otherwise.
   */
  healthCheck(): HealthCheck {
    return {
      name: `shared.config:${this.#name}`,
      check: () => {
        const details = { version: this.#snapshot.version, subscribers: this.#watchers.size, failingFiles: [...this.#failingFiles] };
        if (this.#closed) return { status: 'down', details };
        return { status: this.#failingFiles.size > 0 ? 'degraded' : 'up', details };
      },
    };
  }

  #install(config: T, version: number, source: 'update' | 'file'): void {
    // Frozen: snapshot() and iterators hand this very object out, and it is the configuration in force.
    this.#snapshot = Object.freeze({ config, version });
    this.#metrics.writes += 1;
    if (this.#ports.size > 0) {
      const message: ConfigUpdateMessage<T> = { kind: 'patinox.config.update', version, config };
      for (const port of this.#ports) port.postMessage(message);
    }
    this.#report(SHARED_EVENTS.configUpdated, { version, source });
    this.#watchers.publish();
  }

  #report(type: SharedEventName, data: Record<string, unknown>): void {
    safeRecord(this.#monitor, createEvent(type, this.#name, data));
  }
}
