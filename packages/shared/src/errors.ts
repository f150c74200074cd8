import { PatinoxError, type RecoveryStrategy } from '@patinox/errors';

/** A value that `structuredClone` cannot copy faithfully (a function, a symbol, a class instance). */
export const SHARED_NOT_CLONEABLE = 'SHARED_NOT_CLONEABLE';
/** `tryUpdate` was refused because other handles still hold the snapshot. */
export const SHARED_OWNERSHIP = 'SHARED_OWNERSHIP';
/** A released handle or guard was used. */
export const SHARED_DISPOSED = 'SHARED_DISPOSED';
/** A lock was not granted within `timeoutMs`. */
export const SHARED_LOCK_TIMEOUT = 'SHARED_LOCK_TIMEOUT';
/** The `signal` passed to a lock call aborted before the lock was granted. */
export const SHARED_LOCK_ABORTED = 'SHARED_LOCK_ABORTED';
/** A configuration was refused by `validate` (or could not be migrated); the old one stays. */
export const SHARED_CONFIG_INVALID = 'SHARED_CONFIG_INVALID';
/** A watched configuration file could not be read or parsed; the old configuration stays. */
export const SHARED_CONFIG_LOAD_FAILED = 'SHARED_CONFIG_LOAD_FAILED';
/** The configuration (or its replica) was closed. */
export const SHARED_CONFIG_CLOSED = 'SHARED_CONFIG_CLOSED';
/** A listener updated the configuration on every notification until the round limit; the update was refused. */
export const SHARED_CONFIG_UPDATE_LOOP = 'SHARED_CONFIG_UPDATE_LOOP';
/** A `SharedMap` insert found the map at its `capacity` (or the key's shard out of slots). */
export const SHARED_MAP_FULL = 'SHARED_MAP_FULL';
/** A `SharedMap` key or encoded value is larger than its slot (`maxKeyBytes` / `maxValueBytes`). */
export const SHARED_MAP_TOO_LARGE = 'SHARED_MAP_TOO_LARGE';
/** A `SharedMap` write was made from inside an `update` function of the same thread. */
export const SHARED_MAP_REENTRANT = 'SHARED_MAP_REENTRANT';
/** A `SharedMap` writer held its shard lock past the lease and another thread took it over. */
export const SHARED_MAP_LOCK_LOST = 'SHARED_MAP_LOCK_LOST';

/** Every error code of `@patinox/shared`; codes are public API, messages are not. */
export const SHARED_ERROR_CODES = Object.freeze({
  SHARED_NOT_CLONEABLE,
  SHARED_OWNERSHIP,
  SHARED_DISPOSED,
  SHARED_LOCK_TIMEOUT,
  SHARED_LOCK_ABORTED,
  SHARED_CONFIG_INVALID,
  SHARED_CONFIG_LOAD_FAILED,
  SHARED_CONFIG_CLOSED,
  SHARED_CONFIG_UPDATE_LOOP,
  SHARED_MAP_FULL,
  SHARED_MAP_TOO_LARGE,
  SHARED_MAP_REENTRANT,
  SHARED_MAP_LOCK_LOST,
} as const);

/** One of {@link SHARED_ERROR_CODES}. */
export type SharedErrorCode = (typeof SHARED_ERROR_CODES)[keyof typeof SHARED_ERROR_CODES];

/** Options of the {@link SharedError} constructor. */
export interface SharedErrorOptions {
  code: SharedErrorCode;
  recovery: RecoveryStrategy;
  context?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Base of every error `@patinox/shared` raises; recognise one with `isPatinoxError(err, code)` rather
 * than `instanceof` (ESM and CJS copies may load side by side).
 */
export class SharedError extends PatinoxError {
  declare readonly code: SharedErrorCode;

  constructor(message: string, options: SharedErrorOptions) {
    super(message, options);
  }
}

/** Thrown at construction (or `set`) when a value cannot be copied by `structuredClone`. */
export class NotCloneableError extends SharedError {
  /** Where in the value the offending part sits, e.g. `$.handlers[0]`. */
  readonly path: string;

  constructor(path: string, what: string, cause?: unknown) {
    super(`Value is not cloneable: ${what} at ${path}; pass a \`clone\` option or share plain data`, {
      code: SHARED_NOT_CLONEABLE,
      recovery: 'fail',
      context: { path, what },
      cause,
    });
    this.path = path;
  }
}

/** The error inside the `SHARED_OWNERSHIP` result of `tryUpdate`: other handles share the snapshot. */
export class SharedOwnershipError extends SharedError {
  constructor(refCount: number, frozen: boolean) {
    super(
      `Cannot update in place: ${refCount > 1 ? `${refCount} handles share this snapshot` : 'the snapshot is frozen'}; use update() to copy`,
      { code: SHARED_OWNERSHIP, recovery: 'fallback', context: { refCount, frozen } },
    );
  }
}

/** Thrown when a disposed handle or a released guard is used. */
export class SharedDisposedError extends SharedError {
  constructor(what: string) {
    super(`${what} was already released`, { code: SHARED_DISPOSED, recovery: 'fail', context: { what } });
  }
}

/** Rejects a lock call that waited longer than its `timeoutMs`. */
export class LockTimeoutError extends SharedError {
  constructor(mode: 'read' | 'write', timeoutMs: number, name: string) {
    super(`${mode} lock on ${name} not granted within ${timeoutMs} ms`, {
      code: SHARED_LOCK_TIMEOUT,
      recovery: 'retry',
      context: { mode, timeoutMs, name },
    });
  }
}

/** Rejects a lock call whose `signal` aborted first; the signal's reason is the `cause`. */
export class LockAbortedError extends SharedError {
  constructor(mode: 'read' | 'write', name: string, reason: unknown) {
    super(`${mode} lock on ${name} aborted while waiting`, {
      code: SHARED_LOCK_ABORTED,
      recovery: 'fail',
      context: { mode, name },
      cause: reason,
    });
  }
}

/** Thrown by `ConfigData.update` (and reported for file reloads) when a configuration is refused. */
export class ConfigInvalidError extends SharedError {
  /** What `validate` (or a migration) said was wrong. */
  readonly issues: readonly string[];

  constructor(name: string, issues: readonly string[], cause?: unknown) {
    super(`Configuration ${name} is invalid${issues.length > 0 ? `: ${issues.join('; ')}` : ''}`, {
      code: SHARED_CONFIG_INVALID,
      recovery: 'fail',
      context: { name, issues: [...issues] },
      cause,
    });
    this.issues = Object.freeze([...issues]);
  }
}

/** Reported when a watched file cannot be read or parsed. */
export class ConfigLoadError extends SharedError {
  constructor(name: string, path: string, cause: unknown) {
    super(`Configuration ${name} could not be loaded from ${path}`, {
      code: SHARED_CONFIG_LOAD_FAILED,
      recovery: 'retry',
      context: { name, path },
      cause,
    });
  }
}

/** Thrown by calls on a closed configuration or replica. */
export class ConfigClosedError extends SharedError {
  constructor(name: string) {
    super(`Configuration ${name} is closed`, { code: SHARED_CONFIG_CLOSED, recovery: 'fail', context: { name } });
  }
}

/**
 * Thrown by `ConfigData.update` when it is called from a listener in the last round of one notification
 * (see `MAX_NOTIFY_ROUNDS`): a listener that updates on every notification would otherwise loop for ever.
 * The configuration stays at the last version installed; other subscribers have all seen it.
 */
export class ConfigUpdateLoopError extends SharedError {
  constructor(name: string, rounds: number, version: number) {
    super(`Configuration ${name} was updated from its listeners ${rounds} rounds in a row; refusing another (a listener updates on every notification)`, {
      code: SHARED_CONFIG_UPDATE_LOOP,
      recovery: 'fail',
      context: { name, rounds, version },
    });
  }
}

/** Thrown by a `SharedMap` insert of a new key when the map is full; nothing was changed. */
export class SharedMapFullError extends SharedError {
  constructor(name: string, capacity: number, size: number) {
    super(`SharedMap ${name} is full (${size} of ${capacity} entries, or the key's shard has no free slot)`, {
      code: SHARED_MAP_FULL,
      recovery: 'fallback',
      context: { name, capacity, size },
    });
  }
}

/** Thrown when a key or an encoded value does not fit its slot; nothing was changed. */
export class SharedMapTooLargeError extends SharedError {
  constructor(name: string, what: 'key' | 'value', bytes: number, maxBytes: number) {
    super(`SharedMap ${name}: the ${what} takes ${bytes} bytes, more than the ${maxBytes} its slot holds`, {
      code: SHARED_MAP_TOO_LARGE,
      recovery: 'fail',
      context: { name, what, bytes, maxBytes },
    });
  }
}

/** Thrown when an `update` function writes to the map it is updating (it would deadlock its own lock). */
export class SharedMapReentrantError extends SharedError {
  constructor(name: string) {
    super(`SharedMap ${name}: a write from inside update() on the same thread; return the new value instead`, {
      code: SHARED_MAP_REENTRANT,
      recovery: 'fail',
      context: { name },
    });
  }
}

/** Thrown by a `SharedMap` write whose holder outlived its `lockLeaseMs`; the write was not committed. */
export class SharedMapLockLostError extends SharedError {
  constructor(shard: number) {
    super(`SharedMap shard ${shard}: the lock was taken over (held past lockLeaseMs); the write was not applied`, {
      code: SHARED_MAP_LOCK_LOST,
      recovery: 'retry',
      context: { shard },
    });
  }
}
