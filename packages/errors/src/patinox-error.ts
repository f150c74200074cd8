import { describeThrown, describeValue } from './describe.js';
import { ERRORS_ERROR_CODES } from './errors.js';
import { rejectUnknownKeys } from './known-keys.js';

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

const PATINOX_ERROR_OPTION_KEYS: readonly (keyof PatinoxErrorOptions)[] = ['code', 'recovery', 'context', 'cause'];

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
  /** Set when this error's `cause` and `errors` were left out: the serialization reached its {@link MAX_SERIALIZED_ERRORS}. */
  truncated?: true;
}

/**
 * How many errors one {@link serializeError} call writes out at most. A cause shared by several branches
 * is written again in each, so a graph that shares at every level (an AggregateError listing one error
 * twice, forty levels deep) would otherwise double at each level.
 */
export const MAX_SERIALIZED_ERRORS = 1000;

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
    if (typeof options !== 'object' || options === null) throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
    rejectUnknownKeys('options', options, PATINOX_ERROR_OPTION_KEYS);
    const context: unknown = options.context;
    // A string or an array would spread into index keys: refuse it rather than keep nonsense facts.
    if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context))) {
      throw new TypeError(`Expected \`context\` to be an object, got ${describeValue(context)}`);
    }
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
    this.context = Object.freeze({ ...(context ?? {}) });
  }

  /** Serializes the error with its whole cause chain; cycles are cut, never followed. */
  toJSON(): SerializedError {
    return serializeError(this);
  }
}

/** Wraps a thrown value that is not an `Error` (a string, an object, `undefined`), keeping it as `value`. */
export class NonErrorThrown extends Error {
  readonly value: unknown;
  readonly code = ERRORS_ERROR_CODES.nonErrorThrown;

  constructor(value: unknown) {
    super(`Non-error value thrown: ${describeValue(value)}`);
    this.name = 'NonErrorThrown';
    this.value = value;
  }
}

/** Returns `value` if it is an `Error`, otherwise wraps it in a {@link NonErrorThrown}. */
export function toError(value: unknown): Error {
  return isErrorLike(value) ? (value as Error) : new NonErrorThrown(value);
}

// `instanceof` and `Object.prototype.toString` both run Proxy traps, which may throw (a revoked Proxy
// always does): such a value is not an error we can use as one, so it is wrapped like any non-Error.
function isErrorLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
  } catch {
    return false;
  }
}

/**
 * True when `err` is a {@link PatinoxError} from any copy of this package (ESM or CJS), and, when `code`
 * is given, carries that code.
 */
export function isPatinoxError(err: unknown, code?: string): err is PatinoxError {
  if (typeof err !== 'object' || err === null) return false;
  try {
    if ((err as Record<symbol, unknown>)[PATINOX_ERROR_BRAND] !== true) return false;
    return code === undefined || (err as PatinoxError).code === code;
  } catch {
    // A Proxy whose traps throw is not one of ours.
    return false;
  }
}

/**
 * Serializes any error and its cause chain (and `AggregateError.errors`) without following cycles. Never throws.
 *
 * Only a true cycle is cut: a `cause` that is one of the error's own ancestors becomes `{ circular: true }`
 * (an ancestor listed in `errors` is left out). A cause shared by two branches (two members of an
 * AggregateError failing for one reason) is not a cycle and is written out in each. One call writes at most
 * {@link MAX_SERIALIZED_ERRORS} errors; past that, an error is written without its `cause` and `errors`, and
 * marked `truncated: true`.
 *
 * @param ancestors the errors that `err` is a cause (or member) of, when serializing part of a larger graph.
 */
export function serializeError(err: unknown, ancestors: Set<unknown> = new Set()): SerializedError {
  return serializeWithin(err, ancestors, { left: MAX_SERIALIZED_ERRORS });
}

function serializeWithin(err: unknown, ancestors: Set<unknown>, budget: { left: number }): SerializedError {
  try {
    return serialize(err, ancestors, budget);
  } catch {
    // Only a hostile value gets here (a Proxy whose traps throw half way): describe it and stop.
    return { name: 'Error', message: describeThrown(err) };
  }
}

function serialize(err: unknown, ancestors: Set<unknown>, budget: { left: number }): SerializedError {
  const error = toError(err);
  budget.left -= 1;
  // On the path from the root only while its own causes are written: a sibling branch may meet it again.
  const added = !ancestors.has(error);
  if (added) ancestors.add(error);
  try {
    return serializeFields(error, ancestors, budget);
  } finally {
    if (added) ancestors.delete(error);
  }
}

function serializeFields(error: Error, ancestors: Set<unknown>, budget: { left: number }): SerializedError {
  const out: SerializedError = { name: readString(error, 'name') ?? 'Error', message: readString(error, 'message') ?? describeThrown(error) };
  const code = readString(error, 'code');
  if (code !== undefined) out.code = code;
  if (isPatinoxError(error)) {
    out.recovery = error.recovery;
    // Each value as JSON can hold it: a BigInt offset or a cycle must not make JSON.stringify(err) throw.
    const context: Record<string, unknown> = {};
    const given: unknown = error.context;
    // A branded error of another copy or version may carry no context at all.
    if (typeof given === 'object' && given !== null) for (const [key, value] of Object.entries(given)) context[key] = safeValue(value);
    out.context = context;
  }
  // By code too: a NonErrorThrown of the other build (ESM or CJS) is not an instance of this one's class.
  if (isInstance(error, NonErrorThrown) || (code === ERRORS_ERROR_CODES.nonErrorThrown && Object.hasOwn(error, 'value'))) {
    out.value = safeValue(read(error, 'value'));
  }
  const stack = readString(error, 'stack');
  if (stack !== undefined) out.stack = stack;
  const cause = read(error, 'cause');
  const errors = isInstance(error, AggregateError) ? read(error, 'errors') : undefined;
  if (budget.left <= 0 && (cause !== undefined || Array.isArray(errors))) {
    out.truncated = true;
    return out;
  }
  if (cause !== undefined) {
    out.cause = typeof cause === 'object' && cause !== null && ancestors.has(cause) ? { circular: true } : serializeWithin(cause, ancestors, budget);
  }
  if (Array.isArray(errors)) {
    out.errors = [];
    for (const member of errors) {
      if (ancestors.has(member)) continue;
      if (budget.left <= 0) {
        out.truncated = true;
        break;
      }
      out.errors.push(serializeWithin(member, ancestors, budget));
    }
  }
  return out;
}

function isInstance(value: object, ctor: abstract new (...args: never[]) => unknown): boolean {
  try {
    return value instanceof ctor;
  } catch {
    return false;
  }
}

// An error-like object may carry getters that throw; serializing it must still succeed.
function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function readString(target: object, key: string): string | undefined {
  const value = read(target, key);
  return typeof value === 'string' ? value : undefined;
}

function safeValue(value: unknown): unknown {
  try {
    JSON.stringify(value);
    return value;
  } catch {
    try {
      return String(value);
    } catch {
      return describeValue(value);
    }
  }
}
