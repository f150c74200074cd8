import {
  describeValue,
  expectBoolean,
  expectFunction,
  expectObject,
  expectPositiveInteger,
  expectTimerMs,
  expectTimerMsOrZero,
  optional,
  rejectUnknownKeys,
} from '@patinox/errors';
import { expectMonitor, expectTraceHook, noopMonitor, type Monitor, type TraceHook } from '@patinox/monitor';
import { Cache } from '../cache.js';
import type { CacheOptions } from '../options.js';
import type { CacheBackend } from './backend.js';
import type { InvalidationBus } from './bus.js';
import { NO_LOAD_TIMING, readLoadTiming, type LoadTiming } from '../loading/load-timing.js';
import type { TieredCacheOptions, TieredConsistency } from './options.js';
import { expectTtlMs, expectPositiveTtlMs } from './ttl-check.js';
import { TIERED_OPTION_KEYS } from './option-keys.js';
import { REGION_OPTION_KEYS } from '../region.js';

/** Every option of the L1 `Cache`: a typo is named as `l1`'s, not as an anonymous bag's. */
const L1_OPTION_KEYS: readonly string[] = [...REGION_OPTION_KEYS, 'name'];

/** {@link TieredCacheOptions} checked, with their defaults applied. */
export interface ResolvedTieredOptions<V> {
  namespace: string;
  defaultTtlMs: number;
  timeoutMs: number;
  degrade: boolean;
  lockTtlMs: number;
  lockWaitMs: number;
  lockPollMs: number;
  maxKeyBytes: number;
  monitor: Monitor;
  /** Spans for L2 calls and loads; `undefined` means no tracing work at all. */
  tracer: TraceHook | undefined;
  /** Whether an L1 hit makes a span (only with a tracer). */
  traceL1Hits: boolean;
  clock: () => number;
  bus: InvalidationBus | undefined;
  l1: Cache<string, V> | undefined;
  consistency: TieredConsistency;
  /** The cache-level defaults of `getOrLoad`'s load options. */
  loadPolicy: LoadTiming;
  slidingTtl: boolean;
}

const NAMESPACE_RE = /^[A-Za-z0-9_.-]{1,128}$/;

/** Throws a TypeError unless `name` is a valid namespace or region name (`what` names the option). */
export function checkNamespace(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAMESPACE_RE.test(name)) throw new TypeError(`Expected \`${what}\` to be 1-128 letters, digits, _, - or ., got ${describeValue(name)}`);
}

/**
 * Checks every option of a `TieredCache` and applies the defaults documented on {@link TieredCacheOptions}.
 *
 * @throws TypeError / RangeError naming the option.
 */
export function resolveTieredOptions<V>(options: TieredCacheOptions<V>): ResolvedTieredOptions<V> {
  expectObject('options', options);
  rejectUnknownKeys('options', options, TIERED_OPTION_KEYS);
  const l2 = options.l2 as Partial<CacheBackend> | undefined;
  if (typeof l2 !== 'object' || l2 === null || typeof l2.get !== 'function' || typeof l2.set !== 'function') {
    throw new TypeError(`Expected \`l2\` to be a CacheBackend, got ${describeValue(l2)}`);
  }
  checkNamespace('namespace', options.namespace);
  const monitor = optional('monitor', options.monitor, expectMonitor, noopMonitor);
  const clock = options.clock ?? Date.now;
  expectFunction('clock', clock);
  const bus = options.bus ?? false;
  if (bus !== false && (typeof bus !== 'object' || bus === null || typeof bus.publish !== 'function' || typeof bus.subscribe !== 'function')) {
    throw new TypeError(`Expected \`bus\` to be an InvalidationBus or false, got ${describeValue(bus)}`);
  }
  const consistency = options.consistency ?? 'eventual';
  if (consistency !== 'eventual' && consistency !== 'strong') throw new TypeError(`Expected \`consistency\` to be 'eventual' or 'strong', got ${describeValue(consistency)}`);
  const degrade = optional('degradeToL1', options.degradeToL1, expectBoolean, false);
  if (degrade && consistency === 'strong') throw new TypeError("Expected `degradeToL1` to be false with consistency 'strong': a write kept in L1 only cannot be read back strongly");
  return {
    namespace: options.namespace,
    consistency,
    defaultTtlMs: optional('defaultTtlMs', options.defaultTtlMs, expectTtlMs, 0),
    timeoutMs: optional('operationTimeoutMs', options.operationTimeoutMs, expectTimerMs, 1000),
    degrade,
    lockTtlMs: optional('lockTtlMs', options.lockTtlMs, expectPositiveTtlMs, 10_000),
    lockWaitMs: optional('lockWaitTimeoutMs', options.lockWaitTimeoutMs, expectTimerMsOrZero, 10_000),
    lockPollMs: optional('lockPollIntervalMs', options.lockPollIntervalMs, expectTimerMs, 100),
    maxKeyBytes: optional('maxKeyBytes', options.maxKeyBytes, expectPositiveInteger, 1024),
    monitor,
    tracer: expectTraceHook('tracer', options.tracer),
    traceL1Hits: optional('traceL1Hits', options.traceL1Hits, expectBoolean, false),
    clock,
    bus: bus === false ? undefined : bus,
    loadPolicy: readLoadTiming(options, NO_LOAD_TIMING),
    slidingTtl: optional('slidingTtl', options.slidingTtl, expectBoolean, false),
    // Strong reads are all answered by L2: an L1 would only cost memory.
    l1: consistency === 'strong' ? undefined : createL1(options.l1, options.namespace),
  };
}

function createL1<V>(options: CacheOptions<string, V> | false | undefined, namespace: string): Cache<string, V> | undefined {
  if (options === false) return undefined;
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`Expected \`l1\` to be Cache options or false, got ${describeValue(options)}`);
  }
  if (options !== undefined) rejectUnknownKeys('l1', options, L1_OPTION_KEYS);
  return new Cache<string, V>({ maxEntries: 10_000, name: `cache.tiered:${namespace}:l1`, ...options });
}
