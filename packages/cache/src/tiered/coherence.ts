import { describeThrown } from '@patinox/errors';
import { Histogram, createEvent, safeRecord, type Monitor } from '@patinox/monitor';
import { CACHE_EVENTS } from '../events.js';
import type { Cache } from '../cache.js';
import { preciseNow, type BusState, type InvalidationBus, type InvalidationMessage } from './bus.js';
import { AsyncQueue } from './internal/async-queue.js';
import { LoadGuard } from './load-guard.js';

/** An invalidation seen by `subscribeInvalidation()`: one this instance made (`local`) or received. */
export interface InvalidationEvent {
  namespace: string;
  keys: string[];
  tags: string[];
  clear: boolean;
  /** Instance id of the writer. */
  origin: string;
  /** True when this instance made the change. */
  local: boolean;
  /** Sender-to-receiver delay in ms, for received events. */
  lagMs?: number;
}

/** A change to announce: keys, tags, or the whole namespace. */
export interface Change {
  keys?: string[];
  tags?: string[];
  clear?: boolean;
}

/** Reads of one key in flight; `dirty` once a local write or an invalidation overtook them. */
interface KeyReads {
  count: number;
  dirty: boolean;
}

/** Local writes of one key in flight, and the latest (by issue order) whose effect L1 took. */
interface KeyWrites {
  inflight: number;
  lastApplied: number;
}

/** One L2 read that may fill L1 with its answer; see {@link Coherence.beginRead}. */
export interface ReadTicket {
  readonly key: string;
  readonly reads: KeyReads;
  readonly generation: number;
}

const SOURCE = 'cache.tiered';

/**
 * Keeps one instance's L1 coherent with L2 and with the other instances: the read-race protocol (an
 * L2 answer lands in L1 only if no local write, invalidation or flush overtook it, for `get` and
 * `getMany` alike), publishing invalidations, applying received ones, and trust in L1 across bus outages.
 */
export class Coherence<V> {
  readonly l1: Cache<string, V> | undefined;
  readonly #namespace: string;
  readonly #instanceId: string;
  readonly #bus: InvalidationBus | undefined;
  readonly #monitor: Monitor;
  readonly #defaultTtlMs: number;
  readonly #onKeyChanged: (key: string) => void;
  readonly #bounded: (work: Promise<void>) => Promise<void>;
  readonly #reads = new Map<string, KeyReads>();
  readonly #writes = new Map<string, KeyWrites>();
  #writeSeq = 0;
  readonly #subscribers = new Set<AsyncQueue<InvalidationEvent>>();
  readonly #unsubscribe: (() => void) | undefined;
  #pendingKeys: { keys: string[]; promise: Promise<void> } | undefined;
  #trusted: boolean;
  #generation = 0;
  #closed = false;
  #outageStartedAt = 0;
  #published = 0;
  #received = 0;
  #publishErrors = 0;
  #disconnects = 0;
  #flushes = 0;
  /** L1 copies served because L2 could not answer. */
  staleServed = 0;
  readonly lag = new Histogram();
  /** The invalidations a load in flight must not outlive (see LoadGuard); every one made or received here goes in. */
  readonly loads = new LoadGuard();

  constructor(
    options: {
      namespace: string;
      instanceId: string;
      l1: Cache<string, V> | undefined;
      bus: InvalidationBus | undefined;
      monitor: Monitor;
      defaultTtlMs: number;
      /** Bounds a publish by the operation deadline (a write awaits its publish). */
      bounded: (work: Promise<void>) => Promise<void>;
    },
    onKeyChanged: (key: string) => void,
  ) {
    this.#namespace = options.namespace;
    this.#instanceId = options.instanceId;
    this.l1 = options.l1;
    this.#bus = options.bus;
    this.#monitor = options.monitor;
    this.#defaultTtlMs = options.defaultTtlMs;
    this.#onKeyChanged = onKeyChanged;
    this.#bounded = options.bounded;
    this.#trusted = this.#bus === undefined || this.#bus.state === 'connected';
    this.#unsubscribe = this.#bus?.subscribe({
      onMessage: (message) => this.#onMessage(message),
      onStateChange: (state) => this.#onBusState(state),
    });
  }

  /** False while the bus is down: an L1 copy may have missed an invalidation. */
  get trusted(): boolean {
    return this.#trusted;
  }

  get busState(): BusState | 'none' {
    return this.#bus?.state ?? 'none';
  }

  // ---------------------------------------------------------------- the read race

  /** Registers an L2 read of `key` whose answer may fill L1 (see {@link fill}); end it with {@link endRead}. */
  beginRead(key: string): ReadTicket {
    let reads = this.#reads.get(key);
    if (reads === undefined) {
      reads = { count: 0, dirty: false };
      this.#reads.set(key, reads);
    }
    reads.count += 1;
    return { key, reads, generation: this.#generation };
  }

  /**
   * Stores an L2 answer in L1 unless a write, invalidation or flush happened since the read began.
   * `remainingMs` is the entry's TTL left in L2 (PTTL: -1 for none, `null` when unknown, then nothing is
   * stored): the copy never outlives the L2 entry, whose expiry no instance announces.
   */
  fill(ticket: ReadTicket, value: V, remainingMs: number | null): void {
    const l1 = this.l1;
    if (l1 === undefined || ticket.reads.dirty || ticket.generation !== this.#generation || remainingMs === null || remainingMs === 0) return;
    if (remainingMs < 0) {
      l1.set(ticket.key, value, this.l1Options(undefined));
      return;
    }
    const bound = this.#defaultTtlMs > 0 ? this.#defaultTtlMs : l1.defaultTtlMs;
    l1.set(ticket.key, value, { ttlMs: bound > 0 ? Math.min(bound, remainingMs) : remainingMs });
  }

  endRead(ticket: ReadTicket): void {
    ticket.reads.count -= 1;
    if (ticket.reads.count === 0 && this.#reads.get(ticket.key) === ticket.reads) this.#reads.delete(ticket.key);
  }

  /** Marks reads of `key` in flight as dirty, so an older L2 answer never lands in L1 after a newer write. */
  overtake(key: string): void {
    const reads = this.#reads.get(key);
    if (reads !== undefined) reads.dirty = true;
  }

  // ---------------------------------------------------------------- local changes

  /**
   * Registers local writes of `keys` about to be sent to L2, in the order L2 applies them, and returns
   * their sequence number for {@link wrote} / {@link dropped}; end them with {@link endWrite}. Acks may
   * come back in another order (replies on other connections, longer promise chains): an older write
   * acknowledged after a newer one of the same key must not put its value back into L1. Unless the
   * values came from a load (`loaded`), a load of these keys that began before this write stores nothing
   * when it ends (LoadGuard): its value is older than this one.
   */
  beginWrite(keys: string | readonly string[], loaded = false): number {
    const seq = ++this.#writeSeq;
    if (typeof keys === 'string') this.#begin(keys, loaded);
    else for (const key of keys) this.#begin(key, loaded);
    return seq;
  }

  #begin(key: string, loaded: boolean): void {
    if (!loaded) this.loads.key(key);
    let writes = this.#writes.get(key);
    if (writes === undefined) {
      writes = { inflight: 0, lastApplied: 0 };
      this.#writes.set(key, writes);
    }
    writes.inflight += 1;
  }

  endWrite(keys: string | readonly string[]): void {
    if (typeof keys === 'string') this.#end(keys);
    else for (const key of keys) this.#end(key);
  }

  #end(key: string): void {
    const writes = this.#writes.get(key);
    if (writes !== undefined && --writes.inflight === 0) this.#writes.delete(key);
  }

  /**
   * Another instance changed `key` (or the namespace, without `key`): the local writes in flight may have
   * landed in L2 before that change, so none of them may put its value into L1 (which the change emptied).
   */
  #supersede(key?: string): void {
    const next = this.#writeSeq + 1;
    if (key === undefined) for (const writes of this.#writes.values()) writes.lastApplied = next;
    else {
      const writes = this.#writes.get(key);
      if (writes !== undefined) writes.lastApplied = next;
    }
  }

  /** False when a write of `key` issued after write `seq` already reached L1 (so `seq`'s effect is stale). */
  #latest(key: string, seq: number | undefined): boolean {
    const writes = seq === undefined ? undefined : this.#writes.get(key);
    if (writes === undefined) return true;
    if (seq! < writes.lastApplied) return false;
    writes.lastApplied = seq!;
    return true;
  }

  /** A write of `key` (number `seq` from {@link beginWrite}) was acknowledged by L2: L1 holds the new value. */
  wrote(key: string, value: V, ttlMs: number | undefined, tags?: readonly string[], seq?: number): void {
    this.overtake(key);
    if (this.#latest(key, seq)) this.l1?.set(key, value, this.l1Options(ttlMs, tags));
  }

  /** `key` changed in a way L1 cannot mirror (deleted, incremented): drop it; resolves whether L1 held it. */
  dropped(key: string, seq?: number): boolean {
    this.loads.key(key);
    this.overtake(key);
    return this.#latest(key, seq) && this.l1?.delete(key) === true;
  }

  /** Every entry tagged `tag` (the L2 members included) was removed. */
  droppedTag(tag: string, members: readonly string[]): void {
    this.loads.tag(tag);
    this.#generation += 1;
    this.l1?.invalidateTag(tag);
    for (const key of members) this.dropped(key);
  }

  /** The whole namespace went. */
  cleared(): void {
    this.loads.all();
    this.#generation += 1;
    this.l1?.clear();
  }

  /** Empties L1 because its coherence cannot be guaranteed (bus reconnected, circuit closed). */
  flush(reason: string): void {
    this.loads.all();
    this.#generation += 1;
    this.#flushes += 1;
    const entries = this.l1?.size ?? 0;
    this.l1?.clear();
    safeRecord(this.#monitor, createEvent(CACHE_EVENTS.tieredL1Flushed, SOURCE, { namespace: this.#namespace, reason, entries }));
  }

  /** L1 options for a value with `ttlMs` (undefined: the default TTL) and `tags`. */
  l1Options(ttlMs: number | undefined, tags?: readonly string[]): { ttlMs?: number; tags?: readonly string[] } | undefined {
    const ttl = ttlMs === undefined ? this.#defaultTtlMs : ttlMs;
    if (ttl === 0 && (tags === undefined || tags.length === 0)) return ttlMs === undefined ? undefined : {};
    return tags !== undefined && tags.length > 0 ? (ttl === 0 ? { tags } : { ttlMs: ttl, tags }) : { ttlMs: ttl };
  }

  // ---------------------------------------------------------------- publishing

  /** Tells local subscribers and the other instances; key changes of one tick share one message. */
  publish(change: Change): Promise<void> | undefined {
    if (this.#subscribers.size > 0) {
      this.#emit({ namespace: this.#namespace, keys: change.keys ?? [], tags: change.tags ?? [], clear: change.clear === true, origin: this.#instanceId, local: true });
    }
    if (this.#bus === undefined) return undefined;
    if (change.tags === undefined && change.clear === undefined && change.keys !== undefined) {
      // Key invalidations of one tick travel in one message: one PUBLISH for many concurrent writers.
      let pending = this.#pendingKeys;
      if (pending === undefined) {
        const keys: string[] = [];
        let done: () => void = () => undefined;
        const promise = new Promise<void>((resolve) => (done = resolve));
        pending = this.#pendingKeys = { keys, promise };
        process.nextTick(() => {
          this.#pendingKeys = undefined;
          void this.#send({ keys }).then(done);
        });
      }
      for (const key of change.keys) pending.keys.push(key);
      return pending.promise;
    }
    return this.#send(change);
  }

  #send(change: Change): Promise<void> {
    const message: InvalidationMessage = { namespace: this.#namespace, origin: this.#instanceId, sentAt: preciseNow(), ...change };
    // A bus server that stops answering (a partition, a paused host) must not hang the writers awaiting it.
    return this.#bounded(this.#bus!.publish(message)).then(
      () => {
        this.#published += 1;
      },
      (err: unknown) => {
        // The write itself succeeded; other instances whose bus is down flush when it comes back.
        this.#publishErrors += 1;
        safeRecord(this.#monitor, createEvent(CACHE_EVENTS.tieredBusPublishFailed, SOURCE, { namespace: this.#namespace, error: describeThrown(err) }));
      },
    );
  }

  /** Every invalidation made or received, as an async iterator (see `TieredCache.subscribeInvalidation`). */
  subscribe(bufferSize: number, signal: AbortSignal | undefined): AsyncIterableIterator<InvalidationEvent> {
    const onAbort = (): void => queue.end();
    const queue: AsyncQueue<InvalidationEvent> = new AsyncQueue<InvalidationEvent>(bufferSize, () => {
      this.#subscribers.delete(queue);
      signal?.removeEventListener('abort', onAbort);
    });
    if (this.#closed || signal?.aborted === true) {
      queue.end();
      return queue;
    }
    this.#subscribers.add(queue);
    signal?.addEventListener('abort', onAbort, { once: true });
    return queue;
  }

  #emit(event: InvalidationEvent): void {
    for (const queue of this.#subscribers) queue.push(event);
  }

  // ---------------------------------------------------------------- received

  #onMessage(message: InvalidationMessage): void {
    if (message.origin === this.#instanceId || this.#closed) return;
    const own = message.namespace === this.#namespace;
    // A parent's clear() removes its regions' keys too (`<parent>.<region>` namespaces).
    const parentClear = !own && message.clear === true && typeof message.namespace === 'string' && this.#namespace.startsWith(`${message.namespace}.`);
    if (!own && !parentClear) return;
    this.#received += 1;
    const lagMs = preciseNow() - message.sentAt;
    if (Number.isFinite(lagMs)) this.lag.record(Math.max(0, lagMs));
    if (parentClear) {
      this.#supersede();
      this.cleared();
      this.#emit({ namespace: this.#namespace, keys: [], tags: [], clear: true, origin: message.origin, local: false, lagMs });
      return;
    }
    const keys = Array.isArray(message.keys) ? message.keys : [];
    const tags = Array.isArray(message.tags) ? message.tags : [];
    if (message.clear === true) {
      this.#supersede();
      this.cleared();
    }
    if (tags.length > 0) this.#generation += 1;
    for (const tag of tags) {
      this.loads.tag(String(tag));
      this.l1?.invalidateTag(String(tag));
    }
    for (const key of keys) {
      this.#supersede(key);
      this.dropped(key);
      this.#onKeyChanged(key);
    }
    this.#emit({ namespace: this.#namespace, keys, tags, clear: message.clear === true, origin: message.origin, local: false, lagMs });
  }

  #onBusState(state: BusState): void {
    if (this.#closed) return;
    if (state === 'disconnected') {
      if (!this.#trusted) return;
      this.#trusted = false;
      this.#disconnects += 1;
      this.#generation += 1;
      this.#outageStartedAt = Date.now();
      safeRecord(this.#monitor, createEvent(CACHE_EVENTS.tieredBusDisconnected, SOURCE, { namespace: this.#namespace }));
      return;
    }
    // Messages sent during the outage are lost: nothing in L1 can be trusted any more.
    this.flush('bus-reconnected');
    this.#trusted = true;
    safeRecord(this.#monitor, createEvent(CACHE_EVENTS.tieredBusReconnected, SOURCE, { namespace: this.#namespace, outageMs: Date.now() - this.#outageStartedAt }));
  }

  stats(): { published: number; received: number; publishErrors: number; disconnects: number; flushes: number } {
    return { published: this.#published, received: this.#received, publishErrors: this.#publishErrors, disconnects: this.#disconnects, flushes: this.#flushes };
  }

  /** Stops listening and ends every subscriber; the root cache closes the bus itself. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe?.();
    for (const queue of [...this.#subscribers]) queue.end();
    this.l1?.close();
  }
}
