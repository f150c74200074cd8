import {
  describeValue,
  expectBoolean,
  expectFunction,
  expectNonEmptyString,
  expectNonNegativeFinite,
  expectNonNegativeInteger,
  expectOneOf,
  expectPositiveInteger,
  expectTimerMs,
  expectTimerMsOrZero,
  optional,
  readKnownOptions,
  readOptions,
} from '@patinox/errors';
import { expectMonitor, expectTraceHook, noopMonitor, type Monitor, type TraceHook } from '@patinox/monitor';
import type { ConnectionManager } from '../connection-manager.js';
import { MAX_POOL_SIZE, type PoolOptions } from '../options.js';

/** Every key of {@link PoolOptions}: any other is refused (see `readKnownOptions` in @patinox/errors). */
export const POOL_OPTION_KEYS = [
  'minSize',
  'maxSize',
  'initialSize',
  'failFast',
  'idleOrder',
  'acquireTimeoutMs',
  'createTimeoutMs',
  'validationTimeoutMs',
  'destroyTimeoutMs',
  'idleTimeoutMs',
  'maxLifetimeMs',
  'healthCheckIntervalMs',
  'healthChecksPerRun',
  'validateOnBorrow',
  'validateOnReturn',
  'validationSkipWindowMs',
  'fairQueue',
  'maxWaiters',
  'leakDetectionMs',
  'captureAcquireStacks',
  'createRetryDelayMs',
  'createRetryMaxDelayMs',
  'name',
  'monitor',
  'random',
  'tracer',
] as const satisfies readonly (keyof PoolOptions)[];

/** Every option with its default applied. */
export interface ResolvedOptions {
  minSize: number;
  maxSize: number;
  initialSize: number;
  failFast: boolean;
  idleOrder: 'lifo' | 'fifo';
  acquireTimeoutMs: number;
  createTimeoutMs: number;
  validationTimeoutMs: number;
  destroyTimeoutMs: number;
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  healthCheckIntervalMs: number;
  healthChecksPerRun: number;
  validateOnBorrow: boolean;
  validateOnReturn: boolean;
  validationSkipWindowMs: number;
  fairQueue: boolean;
  maxWaiters: number;
  leakDetectionMs: number;
  captureAcquireStacks: boolean;
  createRetryDelayMs: number;
  createRetryMaxDelayMs: number;
  name: string;
  monitor: Monitor;
  random: () => number;
  /** Spans for acquires and connects; `undefined` means no tracing work at all. */
  tracer: TraceHook | undefined;
}

function expectWaiterLimit(name: string, value: unknown): number {
  if (value === Infinity) return Infinity;
  return expectNonNegativeInteger(name, value);
}

function expectRunLimit(name: string, value: unknown): number {
  if (value === Infinity) return Infinity;
  return expectPositiveInteger(name, value);
}

/** A `minSize`-like count: an integer from 0 to {@link MAX_POOL_SIZE}. */
export function expectMinSize(name: string, value: unknown): number {
  const size = expectNonNegativeInteger(name, value);
  if (size > MAX_POOL_SIZE) throw new RangeError(`Expected \`${name}\` to be a non-negative integer at most ${MAX_POOL_SIZE}, got ${describeValue(size)}`);
  return size;
}

/** A `maxSize`-like count: an integer from 1 to {@link MAX_POOL_SIZE}. */
export function expectMaxSize(name: string, value: unknown): number {
  const size = expectPositiveInteger(name, value);
  if (size > MAX_POOL_SIZE) throw new RangeError(`Expected \`${name}\` to be a positive integer at most ${MAX_POOL_SIZE}, got ${describeValue(size)}`);
  return size;
}

/** An acquire priority: a safe integer, negative allowed. */
export function expectPriority(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`Expected \`${name}\` to be a safe integer, got ${describeValue(value)}`);
  if (!Number.isSafeInteger(value)) throw new RangeError(`Expected \`${name}\` to be a safe integer, got ${describeValue(value)}`);
  return value;
}

/** A delay handed to a timer: > 0 and at most MAX_TIMER_MS, which Node would otherwise turn into 1 ms. */
export function expectDelayMs(name: string, value: unknown): number {
  return expectTimerMs(name, value);
}

/** Checks that `manager` has the functions a pool calls; throws the house `TypeError` otherwise. */
export function validateManager<C>(manager: ConnectionManager<C>): void {
  const fields = readOptions('manager', manager, ['create', 'isValid', 'destroy', 'recycle', 'watch', 'connectTimeoutMs']);
  expectFunction('manager.create', fields.create);
  expectFunction('manager.isValid', fields.isValid);
  expectFunction('manager.destroy', fields.destroy);
  if (fields.recycle !== undefined) expectFunction('manager.recycle', fields.recycle);
  if (fields.watch !== undefined) expectFunction('manager.watch', fields.watch);
  if (fields.connectTimeoutMs !== undefined) expectDelayMs('manager.connectTimeoutMs', fields.connectTimeoutMs);
}

/** Validates every option with the house message and applies the defaults. */
export function resolveOptions<C>(manager: ConnectionManager<C>, raw: PoolOptions): ResolvedOptions {
  validateManager(manager);
  const options = readKnownOptions('options', raw, POOL_OPTION_KEYS) as Record<keyof PoolOptions, unknown>;
  const minSize = optional('minSize', options.minSize, expectMinSize, 0);
  const maxSize = optional('maxSize', options.maxSize, expectMaxSize, Math.max(10, minSize));
  checkSizes(minSize, maxSize);
  const initialSize = optional('initialSize', options.initialSize, expectMinSize, minSize);
  if (initialSize > maxSize) {
    throw new RangeError(`Expected \`initialSize\` to be at most \`maxSize\` (${maxSize}), got ${describeValue(initialSize)}`);
  }
  const leakDetectionMs = optional('leakDetectionMs', options.leakDetectionMs, expectTimerMsOrZero, 0);
  const createRetryDelayMs = optional('createRetryDelayMs', options.createRetryDelayMs, expectDelayMs, 100);
  const createRetryMaxDelayMs = optional('createRetryMaxDelayMs', options.createRetryMaxDelayMs, expectDelayMs, Math.max(5000, createRetryDelayMs));
  const createTimeoutMs = optional('createTimeoutMs', options.createTimeoutMs, expectDelayMs, manager.connectTimeoutMs ?? 10_000);
  if (createRetryMaxDelayMs < createRetryDelayMs) {
    throw new RangeError(
      `Expected \`createRetryMaxDelayMs\` to be at least \`createRetryDelayMs\` (${createRetryDelayMs}), got ${describeValue(createRetryMaxDelayMs)}`,
    );
  }
  return {
    minSize,
    maxSize,
    initialSize,
    failFast: optional('failFast', options.failFast, expectBoolean, false),
    idleOrder: optional('idleOrder', options.idleOrder, (name, value) => expectOneOf(name, value, ['lifo', 'fifo'] as const), 'lifo'),
    acquireTimeoutMs: optional('acquireTimeoutMs', options.acquireTimeoutMs, expectDelayMs, 30_000),
    createTimeoutMs,
    validationTimeoutMs: optional('validationTimeoutMs', options.validationTimeoutMs, expectDelayMs, Math.min(5000, createTimeoutMs)),
    destroyTimeoutMs: optional('destroyTimeoutMs', options.destroyTimeoutMs, expectDelayMs, Math.min(5000, createTimeoutMs)),
    idleTimeoutMs: optional('idleTimeoutMs', options.idleTimeoutMs, expectTimerMsOrZero, 30_000),
    maxLifetimeMs: optional('maxLifetimeMs', options.maxLifetimeMs, expectTimerMsOrZero, 0),
    healthCheckIntervalMs: optional('healthCheckIntervalMs', options.healthCheckIntervalMs, expectTimerMsOrZero, 30_000),
    healthChecksPerRun: optional('healthChecksPerRun', options.healthChecksPerRun, expectRunLimit, Infinity),
    validateOnBorrow: optional('validateOnBorrow', options.validateOnBorrow, expectBoolean, true),
    validateOnReturn: optional('validateOnReturn', options.validateOnReturn, expectBoolean, false),
    validationSkipWindowMs: optional('validationSkipWindowMs', options.validationSkipWindowMs, expectNonNegativeFinite, 500),
    fairQueue: optional('fairQueue', options.fairQueue, expectBoolean, true),
    maxWaiters: optional('maxWaiters', options.maxWaiters, expectWaiterLimit, Infinity),
    leakDetectionMs,
    captureAcquireStacks: optional('captureAcquireStacks', options.captureAcquireStacks, expectBoolean, leakDetectionMs > 0),
    createRetryDelayMs,
    createRetryMaxDelayMs,
    name: optional('name', options.name, expectNonEmptyString, 'pool'),
    monitor: optional('monitor', options.monitor, expectMonitor, noopMonitor),
    random: optional('random', options.random, expectFunction<() => number>, Math.random),
    tracer: expectTraceHook('tracer', options.tracer),
  };
}

/** Throws a `RangeError` unless `minSize <= maxSize`. */
export function checkSizes(minSize: number, maxSize: number): void {
  if (minSize > maxSize) {
    throw new RangeError(`Expected \`minSize\` to be at most \`maxSize\` (${maxSize}), got ${describeValue(minSize)}`);
  }
}
