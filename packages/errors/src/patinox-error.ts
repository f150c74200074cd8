/** How a caller should react to a failure: try again, give up, or use a fallback. */
export type RecoveryStrategy = 'retry' | 'fail' | 'fallback';

/** The list of recovery strategies, for validation and exhaustive handling. */
export const RECOVERY_STRATEGIES: readonly RecoveryStrategy[] = Object.freeze(['retry', 'fail', 'fallback']);

/**
 * Brand shared by every copy of this package (ESM and CJS may load side by side),
 * so recognition never relies on `instanceof`.
 */
export const PATINOX_ERROR_BRAND: unique symbol = Symbol.for('patinox.error') as never;

/** Options of the {@link PatinoxError} constructor. */
export interface PatinoxErrorOptions {
  /** Stable, public error code, e.g. `POOL_TIMEOUT`. */
  code: string;
  /** What the caller should do. @default 'fail' */
  recovery?: RecoveryStrategy;
  /** Readonly facts about the failure (names, sizes, durations); must be JSON-friendly. */
  context?: Record<string, unknown>;
  /** The underlying failure; a non-Error throwable is wrapped in a {@link NonErrorThrown}. */
  cause?: unknown;
}

/** JSON form of a {@link PatinoxError} and its cause chain. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  recovery?: RecoveryStrategy;
  context?: Record<string, unknown>;
  stack?: string;
  cause?: SerializedError | { circular: true };
  errors?: SerializedError[];
  value?: unknown;
}

/**
 * The base of every error Patinox throws: a stable `code`, a `recovery` strategy, readonly `context`
 * and the underlying failure as `cause`.
 *
 * @example
 * ```ts
 * throw new PatinoxError('pool timed out', { code: 'POOL_TIMEOUT', recovery: 'retry', context: { waitedMs: 50 } });
 * ```
 */
export class PatinoxError extends Error {
  /** Stable, public error code. */
  readonly code: string;
  /** What the caller should do about it. */
  readonly recovery: RecoveryStrategy;
  /** Readonly facts about the failure. */
  readonly context: Readonly<Record<string, unknown>>;
  declare readonly cause?: Error;
  readonly [PATINOX_ERROR_BRAND] = true;

  constructor(message: string, options: PatinoxErrorOptions) {
    const cause = options.cause === undefined ? undefined : toError(options.cause);
    super(message, cause === undefined ? undefined : { cause });
    if (typeof options.code !== 'string' || options.code.length === 0) {
      throw new TypeError(`Expected \`code\` to be a non-empty string, got ${describeValue(options.code)}`);
    }
    const recovery = options.recovery ?? 'fail';
    if (!RECOVERY_STRATEGIES.includes(recovery)) {
      throw new TypeError(`Expected \`recovery\` to be one of retry, fail, fallback, got ${describeValue(recovery)}`);
    }
    this.name = new.target.name;
    this.code = options.code;
    this.recovery = recovery;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }

  /** Serializes the error with its whole cause chain; cycles are cut, never followed. */
  toJSON(): SerializedError {
    return serializeError(this);
  }
}

/** Wraps a thrown value that is not an `Error` (a string, an object, `undefined`), keeping it as `value`. */
export class NonErrorThrown extends Error {
  readonly value: unknown;
  readonly code = 'NON_ERROR_THROWN';

  constructor(value: unknown) {
    super(`Non-error value thrown: ${describeValue(value)}`);
    this.name = 'NonErrorThrown';
    this.value = value;
  }
}

/** Returns `value` if it is an `Error`, otherwise wraps it in a {@link NonErrorThrown}. */
export function toError(value: unknown): Error {
  return value instanceof Error || isErrorLike(value) ? (value as Error) : new NonErrorThrown(value);
}

function isErrorLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Error]';
}

/**
 * True when `err` is a {@link PatinoxError} from any copy of this package (ESM or CJS), and, when `code`
 * is given, carries that code.
 */
export function isPatinoxError(err: unknown, code?: string): err is PatinoxError {
  if (typeof err !== 'object' || err === null) return false;
  if ((err as Record<symbol, unknown>)[PATINOX_ERROR_BRAND] !== true) return false;
  return code === undefined || (err as PatinoxError).code === code;
}

/** Serializes any error and its cause chain (and `AggregateError.errors`) without following cycles. */
export function serializeError(err: unknown, seen: Set<unknown> = new Set()): SerializedError {
  const error = toError(err);
  seen.add(error);
  const out: SerializedError = { name: error.name, message: error.message };
  const record = error as unknown as Record<string, unknown>;
  if (typeof record.code === 'string') out.code = record.code;
  if (isPatinoxError(error)) {
    out.recovery = error.recovery;
    out.context = { ...error.context };
  }
  if (error instanceof NonErrorThrown) out.value = safeValue(error.value);
  if (error.stack !== undefined) out.stack = error.stack;
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) {
    out.cause = typeof cause === 'object' && cause !== null && seen.has(cause) ? { circular: true } : serializeError(cause, seen);
  }
  if (error instanceof AggregateError) {
    out.errors = error.errors.filter((e) => !seen.has(e)).map((e) => serializeError(e, seen));
  }
  return out;
}

function safeValue(value: unknown): unknown {
  try {
    JSON.stringify(value);
    return value;
  } catch {
    return String(value);
  }
}

/** Describes a value for an error message: `-1 (number)`, `"x" (string)`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return Array.isArray(value) ? 'an array' : `an object${name !== undefined && name !== 'Object' ? ` (${name})` : ''}`;
  }
  const primitive = value as number | boolean | bigint | symbol;
  return `${primitive.toString()} (${typeof primitive})`;
}
