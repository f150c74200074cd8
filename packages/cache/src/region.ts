import { expectNonEmptyString, readKnownOptions } from '@patinox/errors';
import type { MetricSnapshot } from '@patinox/monitor';
import { LOAD_TIMING_KEYS } from './loading/load-timing.js';
import type { CacheOptions, RegionOptions } from './options.js';

/** Every option of {@link RegionOptions}, for reading a bag once with `readKnownOptions` (any other key is refused). */
export const REGION_OPTION_KEYS = [
  'maxEntries',
  'maxSizeBytes',
  'sizeOf',
  'defaultTtlMs',
  'evictionPolicy',
  'cleanupIntervalMs',
  'clock',
  'onEvict',
  'onReject',
  'staleWhileRevalidateMs',
  ...LOAD_TIMING_KEYS,
  'slidingTtl',
  'monitor',
  'tracer',
] as const satisfies readonly (keyof RegionOptions)[];

/**
 * Whether a `region(name, options)` call passes options: `undefined` and an empty object count as none,
 * so code forwarding a caller's `{}` may ask for an existing region again. A bag whose keys cannot be
 * read counts as some, so the check that reads it names the problem.
 */
export function givesRegionOptions(options: unknown): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) return true;
  try {
    return Object.keys(options).length > 0;
  } catch {
    return true;
  }
}

/** Throws a TypeError unless `name` is a non-empty string. */
export function validateRegionName(name: unknown): asserts name is string {
  expectNonEmptyString('name', name);
}

/**
 * Options of a region: its own values where given, otherwise the parent's (limits, TTLs, policy,
 * clock, monitor, sweep period). Callbacks (`onEvict`, `onReject`, `sizeOf`) are typed to the parent's
 * keys and values, so a region gets them only when it passes its own.
 */
export function regionOptions<K, V>(
  parent: CacheOptions<K, V>,
  parentName: string,
  name: string,
  own: RegionOptions<K, V> | undefined,
): CacheOptions<K, V> {
  const bag = own === undefined ? undefined : readKnownOptions('options', own, REGION_OPTION_KEYS);
  const inherited: CacheOptions<K, V> = {
    maxEntries: parent.maxEntries,
    maxSizeBytes: parent.maxSizeBytes,
    defaultTtlMs: parent.defaultTtlMs,
    evictionPolicy: typeof parent.evictionPolicy === 'string' ? parent.evictionPolicy : undefined,
    cleanupIntervalMs: parent.cleanupIntervalMs,
    clock: parent.clock,
    staleWhileRevalidateMs: parent.staleWhileRevalidateMs,
    softTimeoutMs: parent.softTimeoutMs,
    hardTimeoutMs: parent.hardTimeoutMs,
    graceMs: parent.graceMs,
    failureBackoffMs: parent.failureBackoffMs,
    maxFailureBackoffMs: parent.maxFailureBackoffMs,
    refreshAfterMs: parent.refreshAfterMs,
    slidingTtl: parent.slidingTtl,
    monitor: parent.monitor,
    tracer: parent.tracer,
  };
  const merged: CacheOptions<K, V> = { ...inherited };
  if (bag !== undefined) {
    for (const [k, v] of Object.entries(bag)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  }
  merged.name = `${parentName}/${name}`;
  return merged;
}

/** What every parent asks of its regions, whatever kind of cache it is. */
interface Settles {
  settled(): Promise<void>;
}

/**
 * A parent's regions by name, each created once; shared by `Cache` and `TieredCache`. A parent fans its
 * own calls out over {@link RegionSet.values} (the tier resets its regions' private state that way).
 */
export class RegionSet<R extends Settles> {
  readonly #byName = new Map<string, R>();

  /**
   * The region `name` (checked by the caller, each cache by its own rule), made by `create` the first
   * time it is asked for.
   *
   * @throws TypeError when `hasOptions` is true for a region that already exists.
   */
  open(name: string, hasOptions: boolean, create: () => R): R {
    const existing = this.#byName.get(name);
    if (existing !== undefined) {
      if (hasOptions) throw new TypeError(`Region ${JSON.stringify(name)} already exists; pass options only when creating it`);
      return existing;
    }
    const region = create();
    this.#byName.set(name, region);
    return region;
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** The regions in the order they were created. */
  values(): IterableIterator<R> {
    return this.#byName.values();
  }

  /** Resolves once every region's `settled()` has. */
  async settled(): Promise<void> {
    await Promise.all(Array.from(this.#byName.values(), (region) => region.settled()));
  }
}

/** What a region of a `Cache` does when its parent does it (the region is a `Cache`). */
interface RegionMember extends Settles {
  clear(): void;
  invalidateTag(tag: string): number;
  collectMetrics(): MetricSnapshot[];
  close(): void;
}

/**
 * An in-process cache's regions: each reached by the parent's `clear`, `invalidateTag`,
 * `collectMetrics`, `settled` and `close`.
 */
export class Regions<R extends RegionMember> extends RegionSet<R> {
  clear(): void {
    for (const region of this.values()) region.clear();
  }

  /** How many entries the regions removed. */
  invalidateTag(tag: string): number {
    let removed = 0;
    for (const region of this.values()) removed += region.invalidateTag(tag);
    return removed;
  }

  /** Appends every region's metrics to `out`. */
  collectMetrics(out: MetricSnapshot[]): MetricSnapshot[] {
    for (const region of this.values()) out.push(...region.collectMetrics());
    return out;
  }

  close(): void {
    for (const region of this.values()) region.close();
  }
}
