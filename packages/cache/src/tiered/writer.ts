import { isDeepStrictEqual } from 'node:util';
import { isPatinoxError } from '@patinox/errors';
import { COUNTER_HEADER, type Serializer } from '../serialization/serializer.js';
import type { BackendBatchOperation, BackendCheck, BackendWrite } from './backend.js';
import type { AtomicCheck, BatchStep } from './builders.js';
import type { Coherence } from './coherence.js';
import { TieredCacheError } from '../errors.js';
import { escapeGlob } from '../internal/glob.js';
import type { KeyLayout } from './key-layout.js';
import type { LoadMark } from './load-guard.js';
import type { RemoteTier } from './remote-tier.js';
import { TagWrites } from './tag-writes.js';
import type { WriteThrough } from './write-through.js';

/** One encoded value write. */
export interface EncodedEntry<V> {
  key: string;
  value: V;
  bytes: Buffer;
  ttlMs: number;
  tags?: readonly string[];
  /** Sliding entries keep their tag sets without expiry (a read may push the value past any tag TTL). */
  sliding?: boolean;
}

/** How a write failed; `landed` when its value had reached L2 before (a grace copy or tag write failed after it). */
interface Failure {
  readonly landed: boolean;
  readonly error?: unknown;
}

/**
 * Marks a write whose value L2 acknowledged while its extras are still on the way. If one of them fails,
 * the write drops this instance's L1 copy and publishes the key like a successful write before the caller
 * gets the error: the value is in L2, and other instances would otherwise keep serving, from their L1,
 * the value it replaced. A write that failed before its value landed leaves L1 and the bus alone.
 */
const LANDED: Failure = { landed: true };

function failed(state: Failure | undefined, error: unknown): Failure {
  return { landed: state?.landed === true, error };
}

/**
 * Every write path of a cache, each in the same order: encode (nothing is written when a value cannot
 * be carried), the store (write-through), L2, L1, then the invalidation. `increment` and `atomic`,
 * whose outcome L2 decides, write the store after L2 and undo the L2 change when the store fails.
 */
export class TierWriter<V> {
  readonly #remote: RemoteTier;
  readonly #coherence: Coherence<V>;
  readonly #store: WriteThrough<V>;
  readonly #layout: KeyLayout;
  readonly #degrade: boolean;
  readonly #tagWrites = new TagWrites();
  /** Writes kept in L1 only because L2 was unavailable (`degradeToL1`). */
  degradedWrites = 0;
  /** The cache-level `graceMs`: `set` and `setMany` keep grace copies too when above 0. */
  graceMs = 0;

  constructor(parts: { remote: RemoteTier; coherence: Coherence<V>; store: WriteThrough<V>; layout: KeyLayout; degrade: boolean }) {
    this.#remote = parts.remote;
    this.#coherence = parts.coherence;
    this.#store = parts.store;
    this.#layout = parts.layout;
    this.#degrade = parts.degrade;
  }

  degradable(err: unknown): boolean {
    return this.#degrade && isPatinoxError(err, 'CACHE_BACKEND_UNAVAILABLE');
  }

  /** `set`: resolves false only with `nx` on an existing key. */
  set(key: string, value: V, bytes: Buffer, ttlMs: number, nx: boolean, tags: readonly string[], sliding = false): Promise<boolean> {
    if (tags.length === 0) return this.#set(key, value, bytes, ttlMs, nx, tags, sliding);
    return this.#tagWrites.track(tags, () => this.#set(key, value, bytes, ttlMs, nx, tags, sliding));
  }

  async #set(key: string, value: V, bytes: Buffer, ttlMs: number, nx: boolean, tags: readonly string[], sliding: boolean): Promise<boolean> {
    if (this.#store.enabled) await this.#store.write([{ key, value, ttlMs }]);
    const started = performance.now();
    const coherence = this.#coherence;
    const seq = coherence.beginWrite(key);
    let failure: Failure | undefined;
    try {
      const valueWrite = this.#remote.call('set', (l2) => l2.set(this.#layout.value(key), bytes, { ttlMs, nx }));
      // The grace copy and tags go in the same tick as the value (one pipeline), so a tag invalidation
      // issued after this set finds the key in its tag set; with `nx` they wait to know the key was written.
      const early = nx ? undefined : this.#extras(key, bytes, ttlMs, tags, sliding);
      // Awaited below once the value has landed; a failure before that is the value write's to report.
      early?.catch(() => undefined);
      const written = await valueWrite;
      this.#remote.setLatency.record(performance.now() - started);
      if (!written) {
        coherence.endWrite(key);
        return false;
      }
      failure = LANDED;
      const extras = nx ? this.#extras(key, bytes, ttlMs, tags, sliding) : early;
      if (extras !== undefined) await extras;
      failure = undefined;
    } catch (err) {
      if (!this.degradable(err)) failure = failed(failure, err);
      else this.degradedWrites += 1;
    }
    const ended = this.#end(key, seq, failure, undefined, value, ttlMs, tags);
    if (ended !== undefined) await ended;
    return true;
  }

  /**
   * Caches a value that came from the loader or the store (so it is not written back to the store); resolves
   * false, writing nothing, when an invalidation covering it came after the load began (`mark`, LoadGuard).
   */
  cacheLoaded(key: string, value: V, serializer: Serializer, ttlMs: number, tags: readonly string[], fillL1: boolean, graceMs = 0, writtenAt?: number, sliding = false, mark?: LoadMark): Promise<boolean> {
    if (mark !== undefined && this.#coherence.loads.stale(mark, tags)) return Promise.resolve(false);
    if (tags.length === 0) return this.#cacheLoaded(key, value, serializer, ttlMs, tags, fillL1, graceMs, writtenAt, sliding);
    return this.#tagWrites.track(tags, () => this.#cacheLoaded(key, value, serializer, ttlMs, tags, fillL1, graceMs, writtenAt, sliding));
  }

  async #cacheLoaded(key: string, value: V, serializer: Serializer, ttlMs: number, tags: readonly string[], fillL1: boolean, graceMs: number, writtenAt: number | undefined, sliding: boolean): Promise<boolean> {
    const bytes = serializer.serialize(value);
    const coherence = this.#coherence;
    const seq = coherence.beginWrite(key, true);
    let failure: Failure | undefined;
    try {
      const remote = this.#remote;
      // The extras of a load share the value's round trip (one pipeline on the connection).
      await Promise.all([
        remote.call('set', (l2) => l2.set(this.#layout.value(key), bytes, { ttlMs })).then(() => {
          failure = LANDED;
        }),
        graceMs > 0 ? this.#graceCopy(key, bytes, ttlMs, graceMs) : undefined,
        writtenAt === undefined ? undefined : remote.call('set', (l2) => l2.set(this.#layout.written(key), Buffer.from(String(writtenAt)), { ttlMs })),
        tags.length > 0 ? this.#tag(key, tags, sliding ? 0 : ttlMs) : undefined,
      ]);
      failure = undefined;
    } catch (err) {
      if (!this.degradable(err)) failure = failed(failure, err);
      else this.degradedWrites += 1;
    }
    // In stale-while-revalidate mode the L1 Cache stores the value itself, with its stale window.
    const ended = this.#end(key, seq, failure, undefined, fillL1 ? value : undefined, ttlMs, tags);
    if (ended !== undefined) await ended;
    return true;
  }

  /**
   * The end every value write shares (`set`, a load, `setMany`), once its L2 writes settled. Succeeded:
   * L1 gets `entries`, or `value` under `keys` (without either, reads of the key in flight are only marked
   * overtaken: a load that leaves L1 to its caller). Failed after the value landed: the keys leave L1 and
   * are published like a success before the error rejects (see LANDED). Failed before: the error rejects
   * at once, L1 and the bus untouched. The write ends (endWrite) in every case. Positional arguments
   * rather than a callback: `set` allocates nothing for it. Not async: it returns a promise only when
   * the publication has one to wait for (callers then await it), so a write with nothing to publish pays
   * no extra async frame and microtask (it throws a failure at once).
   */
  #end(keys: string | string[], seq: number, failure: Failure | undefined, entries: readonly EncodedEntry<V>[] | undefined, value?: V, ttlMs = 0, tags?: readonly string[]): Promise<void> | undefined {
    const coherence = this.#coherence;
    try {
      if (failure === undefined) {
        if (entries !== undefined) for (const e of entries) coherence.wrote(e.key, e.value, e.ttlMs, e.tags, seq);
        else if (value !== undefined) coherence.wrote(keys as string, value, ttlMs, tags, seq);
        else coherence.overtake(keys as string);
      } else if (!failure.landed) throw failure.error;
      else if (typeof keys === 'string') coherence.dropped(keys, seq);
      else for (const key of keys) coherence.dropped(key, seq);
    } finally {
      coherence.endWrite(keys);
    }
    const published = coherence.publish({ keys: typeof keys === 'string' ? [keys] : keys });
    if (published === undefined) {
      if (failure !== undefined) throw failure.error;
      return undefined;
    }
    if (failure === undefined) return published;
    return published.then(() => {
      throw failure.error;
    });
  }

  /** A `set`'s grace copy and tag writes (undefined when it has neither). */
  #extras(key: string, bytes: Buffer, ttlMs: number, tags: readonly string[], sliding: boolean): Promise<unknown> | undefined {
    const grace = this.graceMs > 0 ? this.#graceCopy(key, bytes, ttlMs, this.graceMs) : undefined;
    const tagged = tags.length > 0 ? this.#tag(key, tags, sliding ? 0 : ttlMs) : undefined;
    if (grace === undefined) return tagged;
    return tagged === undefined ? grace : Promise.all([grace, tagged]);
  }

  /** The grace copy of a value: the same bytes, expiring `graceMs` after it (values without a TTL need none). */
  #graceCopy(key: string, bytes: Buffer, ttlMs: number, graceMs: number): Promise<unknown> | undefined {
    if (ttlMs <= 0) return undefined;
    return this.#remote.call('set', (l2) => l2.set(this.#layout.grace(key), bytes, { ttlMs: ttlMs + graceMs }));
  }

  #tag(key: string, tags: readonly string[], ttlMs: number): Promise<unknown> {
    return Promise.all(tags.map((tag) => this.#remote.call('tag', (l2) => l2.addToSet(this.#layout.tag(tag), [key], ttlMs))));
  }

  /** `setMany`; with `toStore` false (values from a loader), the write-through store is left alone. */
  setMany(entries: readonly EncodedEntry<V>[], toStore = true): Promise<void> {
    let tags: Set<string> | undefined;
    for (const e of entries) if (e.tags !== undefined) for (const tag of e.tags) (tags ??= new Set()).add(tag);
    if (tags === undefined) return this.#setMany(entries, toStore);
    return this.#tagWrites.track([...tags], () => this.#setMany(entries, toStore));
  }

  async #setMany(entries: readonly EncodedEntry<V>[], toStore: boolean): Promise<void> {
    if (entries.length === 0) return;
    if (toStore) await this.#store.write(entries);
    const coherence = this.#coherence;
    const keys = entries.map((e) => e.key);
    const writes = entries.map((e) => ({ key: this.#layout.value(e.key), value: e.bytes, ttlMs: e.ttlMs }));
    if (this.graceMs > 0) for (const e of entries) if (e.ttlMs > 0) writes.push({ key: this.#layout.grace(e.key), value: e.bytes, ttlMs: e.ttlMs + this.graceMs });
    const seq = coherence.beginWrite(keys, !toStore);
    let failure: Failure | undefined;
    try {
      await this.#remote.call('setMany', (l2) => l2.setMany(writes));
      failure = LANDED;
      const tagged = entries.filter((e) => e.tags !== undefined && e.tags.length > 0);
      if (tagged.length > 0) await Promise.all(tagged.map((e) => this.#tag(e.key, e.tags!, e.sliding === true ? 0 : e.ttlMs)));
      failure = undefined;
    } catch (err) {
      if (!this.degradable(err)) failure = failed(failure, err);
      else this.degradedWrites += entries.length;
    }
    const ended = this.#end(keys, seq, failure, entries);
    if (ended !== undefined) await ended;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.deleteMany([key])) > 0;
  }

  /** Removes distinct `keys` (their grace copies and write times too); resolves how many existed. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    for (const key of keys) this.#coherence.loads.key(key); // before any await: a load about to write sees it
    // Waits for a loading codec (see RemoteTier.codecLoading); no await once it has, so writes of one
    // tick keep sharing one pipeline.
    if (this.#remote.codecLoading !== undefined) await this.#remote.codecLoading;
    await this.#store.write(keys.map((key) => ({ key })));
    const layout = this.#layout;
    const coherence = this.#coherence;
    let inL2 = 0;
    let inL1 = 0;
    const seq = coherence.beginWrite(keys);
    try {
      try {
        // Value keys in their own UNLINK: its count is the answer. The extras go alongside, in the same tick.
        const [count] = await Promise.all([
          this.#remote.call('delete', (l2) => l2.delete(keys.map((key) => layout.value(key)))),
          this.#remote.call('delete', (l2) => l2.delete(keys.flatMap((key) => [layout.grace(key), layout.written(key)]))),
        ]);
        inL2 = count;
      } catch (err) {
        if (!this.degradable(err)) throw err;
        this.degradedWrites += keys.length;
      }
      for (const key of keys) if (coherence.dropped(key, seq)) inL1 += 1;
    } finally {
      coherence.endWrite(keys);
    }
    await this.#coherence.publish({ keys: [...keys] });
    // L1 holds keys L2 lacks only after degraded writes; per key, either tier holding it counts.
    return Math.max(inL1, inL2);
  }

  async increment(key: string, delta: number, ttlMs: number): Promise<number> {
    if (this.#remote.codecLoading !== undefined) await this.#remote.codecLoading;
    const redisKey = this.#layout.value(key);
    const seq = this.#coherence.beginWrite(key);
    let next: number;
    try {
      next = await this.#remote.call('increment', (l2) => l2.increment(redisKey, delta, COUNTER_HEADER, ttlMs));
      this.#coherence.dropped(key, seq);
    } catch (err) {
      if (!isPatinoxError(err, 'CACHE_COUNTER_OUT_OF_RANGE')) throw err;
      throw new TieredCacheError(
        `Expected \`delta\` to keep the counter ${JSON.stringify(key)} within ±${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER), got ${delta}: the counter was left unchanged`,
        'CACHE_COUNTER_OUT_OF_RANGE',
        { key, delta },
        err,
      );
    } finally {
      this.#coherence.endWrite(key);
    }
    if (!Number.isSafeInteger(next)) {
      // A backend that stored a count no double holds exactly (CacheBackend.increment says to refuse it):
      // report it instead of resolving a rounded number; the store never sees it.
      await this.#coherence.publish({ keys: [key] });
      throw new TieredCacheError(
        `Expected \`delta\` to keep the counter ${JSON.stringify(key)} within ±${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER), got ${delta}: L2 answered ${next}, which its backend should have refused`,
        'CACHE_COUNTER_OUT_OF_RANGE',
        { key, delta, answered: next },
      );
    }
    try {
      await this.#store.write([{ key, value: next as V, ttlMs }]);
    } catch (err) {
      // The store refused: take the increment back so L2 does not hold what the store never saw.
      await this.#remote.call('increment', (l2) => l2.increment(redisKey, -delta, COUNTER_HEADER, ttlMs)).catch(() => undefined);
      await this.#coherence.publish({ keys: [key] });
      throw err;
    }
    await this.#coherence.publish({ keys: [key] });
    return next;
  }

  async batch(ops: readonly BatchStep<V>[], serializer: Serializer, defaultTtlMs: number): Promise<void> {
    if (ops.length === 0) return;
    const backendOps: BackendBatchOperation[] = ops.map((op) =>
      op.type === 'delete'
        ? { type: 'delete', key: this.#layout.value(op.key) }
        : { type: 'set', key: this.#layout.value(op.key), value: serializer.serialize(op.value), ttlMs: op.ttlMs ?? defaultTtlMs },
    );
    await this.#store.write(ops.map((op) => (op.type === 'delete' ? { key: op.key } : { key: op.key, value: op.value, ttlMs: op.ttlMs ?? defaultTtlMs })));
    const coherence = this.#coherence;
    const keys = ops.map((op) => op.key);
    const seq = coherence.beginWrite(keys);
    try {
      await this.#remote.call('batch', (l2) => l2.batch(backendOps));
      for (const op of ops) {
        if (op.type === 'delete') coherence.dropped(op.key, seq);
        else coherence.wrote(op.key, op.value, op.ttlMs ?? defaultTtlMs, undefined, seq);
      }
    } finally {
      coherence.endWrite(keys);
    }
    await this.#coherence.publish({ keys: [...new Set(ops.map((op) => op.key))] });
  }

  async atomic(checks: readonly AtomicCheck<V>[], writes: readonly BatchStep<V>[], serializer: Serializer, defaultTtlMs: number): Promise<boolean> {
    const newBytes = writes.map((w) => (w.type === 'delete' ? null : serializer.serialize(w.value)));
    const store = this.#store.enabled;
    // With a store, the written keys are checked too, so a failed store write can be undone exactly.
    const readKeys = store ? [...checks.map((c) => c.key), ...writes.map((w) => w.key)] : checks.map((c) => c.key);
    const current = readKeys.length === 0 ? [] : await this.#remote.call('get', (l2) => l2.getMany(readKeys.map((k) => this.#layout.value(k))));
    const backendChecks: BackendCheck[] = [];
    for (let i = 0; i < readKeys.length; i += 1) {
      const bytes = current[i] ?? null;
      if (i < checks.length) {
        const decoded = bytes === null ? undefined : this.#remote.decode<V>(serializer, bytes, checks[i]!.key);
        if (!isDeepStrictEqual(decoded, checks[i]!.expected)) return false;
      }
      backendChecks.push({ key: this.#layout.value(readKeys[i]!), expected: bytes });
    }
    const backendWrites: BackendWrite[] = writes.map((w, i) =>
      w.type === 'delete' ? { key: this.#layout.value(w.key), value: null } : { key: this.#layout.value(w.key), value: newBytes[i]!, ttlMs: w.ttlMs ?? defaultTtlMs },
    );
    const ttls = store ? await Promise.all(writes.map((w) => this.#remote.call('ttl', (l2) => l2.ttl(this.#layout.value(w.key))))) : [];
    const keys = writes.map((w) => w.key);
    const coherence = this.#coherence;
    const seq = coherence.beginWrite(keys);
    try {
      if (!(await this.#remote.call('compareAndSet', (l2) => l2.compareAndSet(backendChecks, backendWrites)))) return false;
      await this.#afterCompareAndSet(writes, seq, current.slice(checks.length), newBytes, ttls, defaultTtlMs);
    } finally {
      coherence.endWrite(keys);
    }
    if (writes.length > 0) await coherence.publish({ keys });
    return true;
  }

  /** The store write after an applied compare-and-set (undone in L2 when the store fails), then L1. */
  async #afterCompareAndSet(writes: readonly BatchStep<V>[], seq: number, previous: readonly (Buffer | null | undefined)[], newBytes: readonly (Buffer | null)[], ttls: readonly (number | null)[], defaultTtlMs: number): Promise<void> {
    const keys = writes.map((w) => w.key);
    try {
      await this.#store.write(writes.map((w) => (w.type === 'delete' ? { key: w.key } : { key: w.key, value: w.value, ttlMs: w.ttlMs ?? defaultTtlMs })));
    } catch (err) {
      const undoChecks = writes.map((w, i) => ({ key: this.#layout.value(w.key), expected: newBytes[i]! }));
      const undoWrites = writes.map((w, i) => {
        const old = previous[i] ?? null;
        const ttl = ttls[i];
        return { key: this.#layout.value(w.key), value: old, ttlMs: ttl !== null && ttl !== undefined && ttl > 0 ? ttl : 0 };
      });
      await this.#remote.call('compareAndSet', (l2) => l2.compareAndSet(undoChecks, undoWrites)).catch(() => undefined);
      for (const key of keys) this.#coherence.dropped(key);
      await this.#coherence.publish({ keys });
      throw err;
    }
    for (const w of writes) {
      if (w.type === 'delete') this.#coherence.dropped(w.key, seq);
      else this.#coherence.wrote(w.key, w.value, w.ttlMs ?? defaultTtlMs, undefined, seq);
    }
  }

  /** Removes every L2 key under `<ns>:` (values, tags, locks and every region's keys); SCAN + UNLINK. */
  async clear(): Promise<number> {
    this.#coherence.loads.all();
    if (this.#remote.codecLoading !== undefined) await this.#remote.codecLoading;
    await this.#store.clear();
    let removed = 0;
    const iterator = this.#remote.backend.scan(`${escapeGlob(this.#layout.root)}*`, 1000)[Symbol.asyncIterator]();
    for (;;) {
      const step = await this.#remote.call('scan', () => iterator.next());
      if (step.done === true) break;
      removed += await this.#remote.call('delete', (l2) => l2.delete(step.value));
    }
    this.#coherence.cleared();
    await this.#coherence.publish({ clear: true });
    return removed;
  }

  async invalidateTag(tag: string): Promise<number> {
    this.#coherence.loads.tag(tag);
    if (this.#remote.codecLoading !== undefined) await this.#remote.codecLoading;
    // A tagged write issued before this call adds its key to the tag set before the set is read (see TagWrites).
    const tagged = this.#tagWrites.settled(tag);
    if (tagged !== undefined) await tagged;
    const tagKey = this.#layout.tag(tag);
    const members = await this.#remote.call('tag', (l2) => l2.setMembers(tagKey));
    await this.#store.write(members.map((key) => ({ key })));
    const removed = await this.#remote.call('delete', (l2) => l2.delete(members.map((k) => this.#layout.value(k))));
    if (members.length > 0) await this.#remote.call('delete', (l2) => l2.delete(members.flatMap((k) => [this.#layout.grace(k), this.#layout.written(k)])));
    await this.#remote.call('delete', (l2) => l2.delete([tagKey]));
    this.#coherence.droppedTag(tag, members);
    await this.#coherence.publish({ keys: members, tags: [tag] });
    return removed;
  }
}
