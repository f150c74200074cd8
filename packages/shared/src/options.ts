import type { Monitor } from '@patinox/monitor';

/** Options of {@link SharedData}. */
export interface SharedDataOptions<T> {
  /**
   * Makes the writer's private copy on copy-on-write. When given, the value is not checked for
   * cloneability (your function decides what a copy is).
   * @default structuredClone
   */
  clone?: (value: T) => T;
  /**
   * Deep-freezes every snapshot that is shared (at construction, on `cloneRef`, after `update`), so a
   * holder that mutates a shared snapshot gets a `TypeError` in strict mode. Costs a walk of the value
   * per write; typically on in development only. Frozen snapshots cannot be changed in place, so every
   * write copies.
   * @default false
   */
  freeze?: boolean;
  /** Names this value in errors and metric labels. @default 'shared' */
  name?: string;
}

/** Per-call options of the waiting lock calls (`read`, `write`, `withRead`, `withWrite`). */
export interface LockOptions {
  /** Gives up waiting with `SHARED_LOCK_ABORTED` when it aborts. */
  signal?: AbortSignal;
  /** Gives up waiting with `SHARED_LOCK_TIMEOUT` after this many ms. @default the lock's `timeoutMs` */
  timeoutMs?: number;
}

/** Options of {@link MutableSharedData} and {@link SharedRwLock}. */
export interface LockOwnerOptions {
  /** Names the lock in errors and metric labels. @default 'mutable' ('shared-lock' for SharedRwLock) */
  name?: string;
  /** Default wait limit of every lock call, in ms; `undefined` waits for ever. @default undefined */
  timeoutMs?: number;
}

/** Options of a {@link SharedRwLock} attached to an existing buffer. */
export interface SharedRwLockOptions extends LockOwnerOptions {
  /** The buffer holding the lock's state; a new one is allocated when absent. */
  buffer?: SharedArrayBuffer;
  /** Where in `buffer` the lock's 16 bytes start; a multiple of 4. @default 0 */
  byteOffset?: number;
}

/** What `validate` may return: `true`/`undefined` accept; `false`, a message or a list of messages refuse. */
export type ValidateResult = boolean | string | readonly string[] | undefined | void;

/** Options of {@link ConfigData}. */
export interface ConfigDataOptions<T> {
  /** Names the configuration in events, errors and metric labels. @default 'config' */
  name?: string;
  /**
   * Checks every candidate configuration (the initial one included) after migration; a refusal or a
   * throw gives `SHARED_CONFIG_INVALID` and keeps the old configuration.
   * @default accepts everything
   */
  validate?: (config: T) => ValidateResult;
  /** The schema version this code understands; candidates declaring an older one are migrated. @default 1 */
  schemaVersion?: number;
  /**
   * `migrations[n]` turns a schema-`n` configuration into a schema-`n + 1` one. A candidate whose
   * `versionKey` field is below `schemaVersion` runs every step up to `schemaVersion`; a missing step or
   * a throwing one gives `SHARED_CONFIG_INVALID`.
   * @default {}
   */
  migrations?: Readonly<Record<number, (config: never) => unknown>>;
  /**
   * The field of an object configuration that holds its schema version. A candidate without it is
   * taken to be at `schemaVersion`; after migration the field is set to `schemaVersion`.
   * @default 'schemaVersion'
   */
  versionKey?: string;
  /** Deep-freezes each accepted configuration, so no reader can see it change. @default true */
  freeze?: boolean;
  /** Receives `shared.config.*` lifecycle events. @default noopMonitor */
  monitor?: Monitor;
}

/** Options of {@link ConfigData.watchFile}. */
export interface WatchFileOptions {
  /** Turns the file's text into a candidate configuration. @default JSON.parse */
  parse?: (text: string) => unknown;
  /** Quiet period after the last change event before the file is read, in ms. @default 100 */
  debounceMs?: number;
}

/** Options of {@link ConfigData.subscribe} in its async-iterator form. */
export interface SubscribeOptions {
  /** Ends the iteration when it aborts. */
  signal?: AbortSignal;
}

/** Options of {@link ConfigReplica.from}. */
export interface ConfigReplicaOptions {
  /** Receives `shared.config.*` events of this replica. @default noopMonitor */
  monitor?: Monitor;
  /** Deep-freezes each received configuration. @default true */
  freeze?: boolean;
}
