import { describeValue, raceAbort } from '@patinox/errors';
import type { LoadStats } from '../internal/load-stats.js';
import type { Running } from '../loading/running.js';
import type { Serializer } from '../serialization/serializer.js';
import { checkTags } from './key-check.js';
import type { LoadGuard, LoadMark } from './load-guard.js';
import { LoadDecisions } from './loader-context.js';
import type { LoadTiming } from '../loading/load-timing.js';
import { awaitLoad } from './load-timeouts.js';
import type { TieredGetManyOptions, TieredLoaderContext } from './options.js';
import type { EncodedEntry } from './writer.js';

/** A `getMany` loader: one call for every key missing from L1 and L2. */
export type TieredBulkLoader<V> = (
  keys: string[],
  context: TieredLoaderContext<V>,
) => Map<string, V> | Iterable<readonly [string, V]> | Promise<Map<string, V> | Iterable<readonly [string, V]>>;

/** What {@link loadMany} needs from its cache. */
export interface BulkHost<V> {
  read(keys: readonly string[]): Promise<(V | undefined)[]>;
  /**
   * Caches loaded values in L2 and L1 (never the store) and announces them, leaving out those an
   * invalidation after their key's mark covers (see LoadGuard).
   */
  cacheLoaded(entries: readonly EncodedEntry<V>[], sliding: boolean | undefined, marks: ReadonlyMap<string, LoadMark>): Promise<void>;
  /** Where the load marks its keys while it runs. */
  readonly guard: LoadGuard;
  serializer(): Serializer | Promise<Serializer>;
  readonly loadStats: LoadStats;
  /** Tracks the load for `TieredCache.settled()`. */
  readonly running: Running;
  readonly signal: AbortSignal;
  readonly defaultTtlMs: number;
}

const ignore = (): undefined => undefined;

/**
 * `getMany(keys, loader)` (Caffeine's `getAll`): L1, then one pipelined L2 read, then ONE loader call for
 * the distinct keys still missing. A key the loader leaves out stays `undefined` and is not cached.
 */
export async function loadMany<V>(host: BulkHost<V>, keys: readonly string[], loader: TieredBulkLoader<V>, options: TieredGetManyOptions, policy: LoadTiming): Promise<(V | undefined)[]> {
  const out = await host.read(keys);
  const missing: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    if (out[i] === undefined && !seen.has(key)) {
      seen.add(key);
      missing.push(key);
    }
  }
  if (missing.length === 0) return out;
  // The load and its writes go on when this caller gives up (hardTimeoutMs, signal), and may still fill the cache.
  const work = run(host, missing, loader, options);
  work.catch(ignore);
  host.running.track(work);
  const loaded = await raceAbort(awaitLoad(work, missing, policy, () => Promise.resolve(undefined), ignore), options.signal);
  for (let i = 0; i < keys.length; i += 1) if (out[i] === undefined) out[i] = loaded.get(keys[i]!);
  return out;
}

async function run<V>(host: BulkHost<V>, missing: string[], loader: TieredBulkLoader<V>, options: TieredGetManyOptions): Promise<Map<string, V>> {
  // Marked before the loader runs: an invalidation of a key from now on is newer than what it loads.
  const marks = new Map<string, LoadMark>();
  for (const key of missing) marks.set(key, host.guard.begin(key));
  try {
    return await loadAndCache(host, missing, loader, options, marks);
  } finally {
    for (const mark of marks.values()) host.guard.end(mark);
  }
}

async function loadAndCache<V>(host: BulkHost<V>, missing: string[], loader: TieredBulkLoader<V>, options: TieredGetManyOptions, marks: ReadonlyMap<string, LoadMark>): Promise<Map<string, V>> {
  const context = new LoadDecisions<V>(host.signal, undefined);
  const loaded = new Map<string, V>();
  const started = performance.now();
  try {
    const result = await loader([...missing], context);
    const wanted = new Set(missing);
    for (const pair of pairsOf(result)) {
      if (!Array.isArray(pair) || pair.length < 2) throw new TypeError(`Expected the getMany loader to return [key, value] pairs, got ${describeValue(pair)}`);
      const [key, value] = pair as [unknown, V | undefined];
      if (typeof key === 'string' && wanted.has(key) && value !== undefined) loaded.set(key, value);
    }
  } catch (err) {
    host.loadStats.record(performance.now() - started, false);
    throw err;
  }
  host.loadStats.record(performance.now() - started, true);
  // A loader that resolves after close() writes nothing; its callers see the cache closed.
  if (host.signal.aborted) throw host.signal.reason;
  if (context.cache && loaded.size > 0) {
    const serializer = await host.serializer();
    const ttlMs = context.ttlMs ?? options.ttlMs ?? host.defaultTtlMs;
    const tags = checkTags(context.tags ?? options.tags);
    const entries: EncodedEntry<V>[] = [];
    for (const [key, value] of loaded) entries.push({ key, value, bytes: serializer.serialize(value), ttlMs, tags });
    await host.cacheLoaded(entries, options.sliding, marks);
  }
  return loaded;
}

function pairsOf<V>(result: unknown): Iterable<unknown> {
  if (result instanceof Map) return (result as Map<string, V>).entries();
  if (typeof result === 'object' && result !== null && typeof (result as Iterable<unknown>)[Symbol.iterator] === 'function') return result as Iterable<unknown>;
  throw new TypeError(`Expected the getMany loader to return a Map or an iterable of [key, value] pairs, got ${describeValue(result)}`);
}
