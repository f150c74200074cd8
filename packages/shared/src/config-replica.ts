import { describeValue, expectBoolean, optional, readKnownOptions, readOptions } from '@patinox/errors';
import { createEvent, expectMonitor, noopMonitor, safeRecord, type HealthCheck, type MetricSnapshot, type Monitor } from '@patinox/monitor';
import type { ConfigHandle, ConfigUpdateMessage } from './config-data.js';
import { deepFreeze } from './internal/cloneable.js';
import { SHARED_EVENTS } from './events.js';
import { describeError } from './internal/describe-error.js';
import { expectName } from './internal/validate.js';
import { subscribeTo, Watchers, type ConfigListener, type ConfigSnapshot, type Unsubscribe } from './internal/watchers.js';
import type { ConfigReplicaOptions, SubscribeOptions } from './options.js';
import { SharingMetrics } from './sharing-metrics.js';

/** True for anything with a `postMessage` method (a transferred port); never throws, whatever `value` is. */
function isMessagePort(value: unknown): boolean {
  try {
    return typeof (value as { postMessage?: unknown } | null | undefined)?.postMessage === 'function';
  } catch {
    return false;
  }
}

/**
 * A worker thread's read-only view of a {@link ConfigData} in another thread: `get()`, `version` and
 * `subscribe()` behave as on the original. Updates arrive over a `MessagePort` in version order, none lost;
 * the replica closes itself when the original closes (or its thread ends).
 *
 * @example
 * ```ts
 * // worker.mjs
 * const config = ConfigReplica.from(workerData.config);
 * config.subscribe((c, version) => apply(c));
 * ```
 */
export class ConfigReplica<T> implements Disposable, AsyncDisposable {
  #snapshot: ConfigSnapshot<T>;
  readonly #name: string;
  readonly #port: ConfigHandle<T>['port'];
  readonly #monitor: Monitor;
  readonly #freeze: boolean;
  readonly #metrics = new SharingMetrics();
  readonly #watchers: Watchers<T>;
  #closed = false;

  private constructor(handle: ConfigHandle<T>, options: ConfigReplicaOptions) {
    this.#name = expectName(handle.name, 'config');
    this.#monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
    this.#freeze = optional('freeze', options.freeze, expectBoolean, true);
    this.#snapshot = Object.freeze({ config: this.#freeze ? deepFreeze(handle.config) : handle.config, version: handle.version });
    this.#port = handle.port;
    this.#watchers = new Watchers<T>(
      () => this.#snapshot,
      (error, version) => safeRecord(this.#monitor, createEvent(SHARED_EVENTS.configSubscriberFailed, this.#name, { version, ...describeError(error) })),
      this.#metrics,
    );
    this.#port.on('message', (message: ConfigUpdateMessage<T>) => this.#receive(message));
    this.#port.on('close', () => this.close());
  }

  /** Attaches to a {@link ConfigHandle} received in `workerData` or a message (with its port transferred). */
  static from<T>(handle: ConfigHandle<T>, options: ConfigReplicaOptions = {}): ConfigReplica<T> {
    const fields = typeof handle === 'object' && handle !== null ? readOptions('handle', handle, ['kind', 'name', 'version', 'config', 'port']) : undefined;
    if (fields?.kind !== 'patinox.config' || typeof fields.version !== 'number' || !isMessagePort(fields.port)) {
      throw new TypeError(`Expected \`handle\` to be a ConfigHandle with its port transferred, got ${describeValue(handle)}`);
    }
    const bag = readKnownOptions('options', options, ['monitor', 'freeze']) as ConfigReplicaOptions;
    return new ConfigReplica(fields as unknown as ConfigHandle<T>, bag);
  }

  /** The latest configuration received. */
  get(): T {
    this.#metrics.reads += 1;
    return this.#snapshot.config;
  }

  /** The version of the latest configuration received. */
  get version(): number {
    return this.#snapshot.version;
  }

  /** The latest configuration with its version. */
  snapshot(): ConfigSnapshot<T> {
    this.#metrics.reads += 1;
    return this.#snapshot;
  }

  /** As {@link ConfigData.subscribe}. */
  subscribe(listener: ConfigListener<T>): Unsubscribe;
  subscribe(options?: SubscribeOptions): AsyncIterableIterator<ConfigSnapshot<T>>;
  subscribe(arg?: ConfigListener<T> | SubscribeOptions): Unsubscribe | AsyncIterableIterator<ConfigSnapshot<T>> {
    return subscribeTo(this.#watchers, arg);
  }

  /** True once closed, by `close()` or because the original closed. */
  get closed(): boolean {
    return this.#closed;
  }

  get metrics(): SharingMetrics {
    return this.#metrics;
  }

  /** Metric snapshots labelled `{ name }`. */
  collectMetrics(): MetricSnapshot[] {
    return this.#metrics.collect({ name: this.#name });
  }

  /** Stops receiving, ends iterators and drops listeners; lets the worker exit. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#port.close();
    this.#watchers.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link ConfigReplica.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** A check for `checkHealth`: `up` while receiving, `down` once closed (the original closed, or `close()`). */
  healthCheck(): HealthCheck {
    return {
      name: `shared.config.replica:${this.#name}`,
      check: () => ({ status: this.#closed ? 'down' : 'up', details: { version: this.#snapshot.version, subscribers: this.#watchers.size } }),
    };
  }

  #receive(message: ConfigUpdateMessage<T>): void {
    if (typeof message !== 'object' || message === null || message.kind !== 'patinox.config.update') return;
    // Versions already covered by the handle's snapshot were posted before the worker attached.
    if (message.version <= this.#snapshot.version) return;
    try {
      this.#snapshot = Object.freeze({ config: this.#freeze ? deepFreeze(message.config) : message.config, version: message.version });
    } catch (error) {
      /* c8 ignore next 3 */
      safeRecord(this.#monitor, createEvent(SHARED_EVENTS.configRejected, this.#name, { version: message.version, ...describeError(error) }));
      return;
    }
    this.#metrics.writes += 1;
    this.#watchers.publish();
  }
}
