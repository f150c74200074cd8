import {
  describeValue,
  expectBoolean,
  expectFunction,
  expectNonEmptyString,
  expectNonNegativeFinite,
  expectNonNegativeInteger,
  expectObject,
  expectPositiveFinite,
  expectPositiveInteger,
  optional,
} from '@patinox/errors';
import { noopMonitor, type Monitor } from '@patinox/monitor';
import type { ConnectionManager } from '../connection-manager.js';
import type { PoolOptions } from '../options.js';

/** Every option with its default applied. */
export interface ResolvedOptions {
  minSize: number;
  maxSize: number;
  acquireTimeoutMs: number;
  createTimeoutMs: number;
  idleTimeoutMs: number;
  maxLifetimeMs: number;
  healthCheckIntervalMs: number;
  validateOnBorrow: boolean;
  validationSkipWindowMs: number;
  fairQueue: boolean;
  maxWaiters: number;
  leakDetectionMs: number;
  createRetryDelayMs: number;
  createRetryMaxDelayMs: number;
  name: string;
  monitor: Monitor;
  random: () => number;
}

function expectWaiterLimit(name: string, value: unknown): number {
  if (value === Infinity) return Infinity;
  return expectNonNegativeInteger(name, value);
}

function expectMonitor(name: string, value: unknown): Monitor {
  if (typeof value !== 'object' || value === null || typeof (value as Monitor).record !== 'function') {
    throw new TypeError(`Expected \`${name}\` to be a Monitor (an object with a record function), got ${describeValue(value)}`);
  }
  return value as Monitor;
}

/** Checks that `manager` has the functions a pool calls; throws the house `TypeError` otherwise. */
export function validateManager<C>(manager: ConnectionManager<C>): void {
  expectObject('manager', manager);
  const fields = manager as unknown as Record<string, unknown>;
  expectFunction('manager.create', fields.create);
  expectFunction('manager.isValid', fields.isValid);
  expectFunction('manager.destroy', fields.destroy);
  if (fields.recycle !== undefined) expectFunction('manager.recycle', fields.recycle);
  if (fields.watch !== undefined) expectFunction('manager.watch', fields.watch);
  if (fields.connectTimeoutMs !== undefined) expectPositiveFinite('manager.connectTimeoutMs', fields.connectTimeoutMs);
}

/** Validates every option with the house message and applies the defaults. */
export function resolveOptions<C>(manager: ConnectionManager<C>, options: PoolOptions): ResolvedOptions {
  validateManager(manager);
  expectObject('options', options);
  const minSize = optional('minSize', options.minSize, expectNonNegativeInteger, 0);
  const maxSize = optional('maxSize', options.maxSize, expectPositiveInteger, Math.max(10, minSize));
  checkSizes(minSize, maxSize);
  const createRetryDelayMs = optional('createRetryDelayMs', options.createRetryDelayMs, expectPositiveFinite, 100);
  const createRetryMaxDelayMs = optional('createRetryMaxDelayMs', options.createRetryMaxDelayMs, expectPositiveFinite, Math.max(5000, createRetryDelayMs));
  if (createRetryMaxDelayMs < createRetryDelayMs) {
    throw new RangeError(
      `Expected \`createRetryMaxDelayMs\` to be at least \`createRetryDelayMs\` (${createRetryDelayMs}), got ${describeValue(createRetryMaxDelayMs)}`,
    );
  }
  return {
    minSize,
    maxSize,
    acquireTimeoutMs: optional('acquireTimeoutMs', options.acquireTimeoutMs, expectPositiveFinite, 30_000),
    createTimeoutMs: optional('createTimeoutMs', options.createTimeoutMs, expectPositiveFinite, manager.connectTimeoutMs ?? 10_000),
    idleTimeoutMs: optional('idleTimeoutMs', options.idleTimeoutMs, expectNonNegativeFinite, 30_000),
    maxLifetimeMs: optional('maxLifetimeMs', options.maxLifetimeMs, expectNonNegativeFinite, 0),
    healthCheckIntervalMs: optional('healthCheckIntervalMs', options.healthCheckIntervalMs, expectNonNegativeFinite, 30_000),
    validateOnBorrow: optional('validateOnBorrow', options.validateOnBorrow, expectBoolean, true),
    validationSkipWindowMs: optional('validationSkipWindowMs', options.validationSkipWindowMs, expectNonNegativeFinite, 500),
    fairQueue: optional('fairQueue', options.fairQueue, expectBoolean, true),
    maxWaiters: optional('maxWaiters', options.maxWaiters, expectWaiterLimit, Infinity),
    leakDetectionMs: optional('leakDetectionMs', options.leakDetectionMs, expectNonNegativeFinite, 0),
    createRetryDelayMs,
    createRetryMaxDelayMs,
    name: optional('name', options.name, expectNonEmptyString, 'pool'),
    monitor: optional('monitor', options.monitor, expectMonitor, noopMonitor),
    random: optional('random', options.random, expectFunction<() => number>, Math.random),
  };
}

/** Throws a `RangeError` unless `minSize <= maxSize`. */
export function checkSizes(minSize: number, maxSize: number): void {
  if (minSize > maxSize) {
    throw new RangeError(`Expected \`minSize\` to be at most \`maxSize\` (${maxSize}), got ${describeValue(minSize)}`);
  }
}
