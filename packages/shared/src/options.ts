import type { Monitor } from '@patinox/monitor';
import type { SharedMapCodec, SharedMapCodecName } from './internal/map-codec.js';

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

/** Options of {@link SharedMap.create}. */
export interface SharedMapOptions<V> {
  /**
   * The most entries the map holds; fixed for its life (the memory is allocated up front). An insert of a
   * new key beyond it throws `SHARED_MAP_FULL`. To grow, create a larger map, copy the entries and hand
   * the new handle out.
   */
  capacity: number;
  /**
   * What keys are: `'string'` (stored as UTF-8) or `'bytes'` (`Uint8Array`, any bytes; the map keeps its
   * own copy, and iteration yields copies). Stored in the map, so `SharedMap.from` needs no option.
   * @default 'string'
   */
  keys?: 'string' | 'bytes';
  /** Bytes a slot holds for a key (a string's UTF-8 form); longer keys throw `SHARED_MAP_TOO_LARGE`. @default 64 */
  maxKeyBytes?: number;
  /**
   * Bytes of an encoded value that a slot holds; larger values throw `SHARED_MAP_TOO_LARGE`. Every slot
   * reserves twice this much (it is double-buffered), so memory ≈ 1.3 × capacity × 2 × (maxKeyBytes +
   * maxValueBytes + 16) bytes.
   * @default 256
   */
  maxValueBytes?: number;
  /**
   * How values become bytes: `'json'` (any JSON value), `'string'`, `'bytes'` (`Uint8Array`), or your own
   * `{ encode, decode }` (e.g. msgpackr's `pack`/`unpack`), which `SharedMap.from` must be given again.
   * @default 'json'
   */
  codec?: SharedMapCodecName | SharedMapCodec<V>;
  /**
   * Number of independently locked shards, a power of two ≤ 1024. More shards let more writers work at
   * once; a key's slots all sit in its shard.
   * @default one per 256 entries of capacity, 1 to 64
   */
  shards?: number;
  /**
   * How long a shard lock may be held before a waiting writer takes it over, in ms: this is what frees a
   * lock whose holder died (a terminated worker). Keep it well above the longest `update` function and
   * pause a live holder can see; a holder that outlives it gets `SHARED_MAP_LOCK_LOST`, and if it stalled
   * in the middle of copying a value, the rest of its copy can land in the entry the new holder
   * published (readers may then see that value torn until the key is written again). Stored in the
   * map, so every thread uses the same lease.
   * @default 1000
   */
  lockLeaseMs?: number;
  /** Gives up waiting for a shard lock with `SHARED_LOCK_TIMEOUT` after this many ms. @default waits up to the lease, then recovers */
  lockTimeoutMs?: number;
  /** Names the map in errors and events. @default 'shared-map' */
  name?: string;
  /** Receives `shared.map.lock.recovered` events. @default noopMonitor */
  monitor?: Monitor;
}

/** Options of {@link SharedMap.from}: the per-thread part (the geometry comes from the shared memory). */
export interface SharedMapAttachOptions<V> {
  /** Required when the map was created with a custom codec; must be the same codec. */
  codec?: SharedMapCodec<V>;
  /** As in {@link SharedMapOptions.lockTimeoutMs}. */
  lockTimeoutMs?: number;
  /** As in {@link SharedMapOptions.monitor}. */
  monitor?: Monitor;
}

/** A layer of values written in code (typically the defaults). */
export interface ValuesLayer {
  /** Names the layer in `explain()`. @default 'values' */
  name?: string;
  values: Record<string, unknown>;
}

/** A layer read from a file (JSON unless `parse` says otherwise). */
export interface FileLayer {
  /** Names the layer in `explain()`. @default 'file' */
  name?: string;
  /** Resolved against the working directory. */
  file: string;
  /** A missing file is skipped instead of failing with `SHARED_CONFIG_LOAD_FAILED`. @default false */
  optional?: boolean;
  /** Turns the file's text into an object. @default JSON.parse */
  parse?: (text: string) => unknown;
}

/**
 * A layer read from environment variables. Each value is coerced to the type the same path has in the
 * layers below (number, boolean as true/false/1/0, JSON for objects and arrays, else the string); a
 * value that does not coerce, or a prefixed variable that names no field, gives `SHARED_CONFIG_INVALID` naming
 * the variable.
 */
export interface EnvLayer {
  /** Names the layer in `explain()`. @default 'env' */
  name?: string;
  /** Variables starting with it name paths: `APP_POOL__MAX_SIZE` → `pool.maxSize` (case and `_` ignored). */
  prefix?: string;
  /** Splits the rest of a prefixed name into path segments. @default '__' */
  separator?: string;
  /** Explicit path → variable name pairs, e.g. `{ 'pool.maxSize': 'POOL_SIZE' }`. @default {} */
  vars?: Record<string, string>;
  /** Where variables are read from, on construction and every `reload()`. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** One layer of a {@link LayeredConfig}. */
export type ConfigLayer = ValuesLayer | FileLayer | EnvLayer;

/** Options of {@link LayeredConfig}: its layers, plus every {@link ConfigDataOptions} option. */
export interface LayeredConfigOptions<T> extends ConfigDataOptions<T> {
  /** Lowest first; runtime overrides (`set`) always sit above the last one. */
  layers: readonly ConfigLayer[];
}
